package custodes.jurisdictions.us_wa_test

import data.custodes.decision

_live := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "US-WA", "use_case": "live_identification",
	"purpose": "serious_crime_suspect", "requester": {"org": "sheriff", "type": "law_enforcement"},
	"site": {"type": "public_space", "camera_id": "cam-1"}, "exigent": true,
	"deployment": {"accountability_report_id": "ar-1", "accountability_report_date": "2025-09-01"},
}

test_us_wa_exigent_start_is_allowed_with_a_justification_deadline if {
	d := decision with input as {"request": _live}
	d.allow
	d.obligations.authorisation_deadline == "2026-11-29T10:00:00Z"
	d.obligations.review_quorum == 1
}

test_us_wa_without_warrant_exigency_or_court_order_is_denied if {
	d := decision with input as {"request": object.union(_live, {"exigent": false})}
	not d.allow
	{r.code | some r in d.reasons} == {"authorisation_missing"}
}

test_us_wa_accountability_report_older_than_two_years_is_denied if {
	path := "/deployment/accountability_report_date"
	request := json.patch(_live, [{"op": "replace", "path": path, "value": "2024-11-26"}])
	d := decision with input as {"request": request}
	{r.code | some r in d.reasons} == {"stale_deployment_record"}
}
