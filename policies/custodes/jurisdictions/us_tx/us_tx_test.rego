package custodes.jurisdictions.us_tx_test

import data.custodes.decision

_kyc := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "US-TX", "use_case": "identity_verification",
	"purpose": "identity_verification", "requester": {"org": "bank", "type": "private"},
	"subject": {"consent": {"kind": "explicit", "id": "c-1"}},
}

test_us_tx_consent_allows_with_retention_a_year_after_the_purpose if {
	d := decision with input as {"request": object.union(_kyc, {"purpose_end": "2027-03-01T00:00:00Z"})}
	d.allow
	d.obligations.retain_until == "2028-02-29T00:00:00Z"
}

test_us_tx_public_web_image_is_not_consent if {
	d := decision with input as {"request": object.union(_kyc, {"source": "public_web"})}
	not d.allow
	{r.requirement | some r in d.reasons} == {"US-TX-01"}
}
