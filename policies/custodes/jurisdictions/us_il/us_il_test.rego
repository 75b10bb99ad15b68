package custodes.jurisdictions.us_il_test

import data.custodes.decision

_kyc := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "US-IL", "use_case": "identity_verification",
	"purpose": "identity_verification", "requester": {"org": "bank", "type": "private"},
	"subject": {"consent": {"kind": "written", "id": "release-1"}},
}

test_us_il_written_release_allows_and_sets_retention_within_3_years if {
	d := decision with input as {"request": _kyc}
	d.allow
	d.reasons[0].requirement == "US-IL-02"
	d.obligations.retain_until == "2029-11-27T10:00:00Z"
	not d.obligations.retain_days
}

test_us_il_without_written_release_is_denied if {
	request := json.patch(_kyc, [{"op": "replace", "path": "/subject/consent/kind", "value": "explicit"}])
	d := decision with input as {"request": request}
	not d.allow
	{r.code | some r in d.reasons} == {"missing_consent"}
}
