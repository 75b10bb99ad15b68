package custodes.jurisdictions.ng_test

import data.custodes.decision

_sim := {
	"time": "2026-11-27T10:00:00Z", "jurisdiction": "NG", "use_case": "sim_registration_verification",
	"purpose": "sim_registration", "requester": {"org": "mtn", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"}, "legal_mandate": "NIN-SIM policy",
}

test_ng_sim_verification_under_mandate_is_allowed_with_ng_01 if {
	d := decision with input as {"request": _sim}
	d.allow
	d.reasons[0].requirement == "NG-01"
}

test_ng_sim_verification_before_the_nin_policy_is_denied if {
	d := decision with input as {"request": object.union(_sim, {"time": "2020-12-14T23:59:59Z"})}
	not d.allow
	"mandate_not_in_force" in {r.code | some r in d.reasons}
}
