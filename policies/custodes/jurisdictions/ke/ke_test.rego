package custodes.jurisdictions.ke_test

import data.custodes.decision

_sim := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "KE", "use_case": "sim_registration_verification",
	"purpose": "sim_registration", "requester": {"org": "safaricom", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"}, "legal_mandate": "KE-SIM-REGISTRATION-REGULATIONS",
}

test_ke_sim_verification_under_mandate_is_allowed_with_ke_01 if {
	d := decision with input as {"request": _sim}
	d.allow
	d.reasons[0].requirement == "KE-01"
	d.obligations.retain_days == 90
}

test_ke_identification_by_private_parties_is_denied if {
	request := object.union(_sim, {
		"use_case": "post_identification", "purpose": "safety",
		"requester": {"type": "private"},
	})
	d := decision with input as {"request": request}
	not d.allow
	{r.requirement | some r in d.reasons} == {"CUSTODES-01", "KE-01"}
}
