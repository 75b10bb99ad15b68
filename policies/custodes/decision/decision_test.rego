package custodes.decision_test

import data.custodes.decision

_sim_request := {
	"id": "evt-1",
	"time": "2026-11-27T10:00:00Z",
	"jurisdiction": "KE",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"org": "safaricom", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet", "camera_id": null, "signage": null},
	"subject": {"age": null, "consent": {"kind": null, "id": null}},
	"legal_mandate": "KE-SIM-REG-2015",
	"alternative_offered": false,
	"exigent": false,
	"authorisation_id": null,
	"case": null,
	"deployment": null,
}

_codes(d) := {r.code | some r in d.reasons}

test_allow_sim_verification_by_operator_under_mandate if {
	d := decision with input as {"request": _sim_request}
	d.allow == true
	_codes(d) == {"sim_verification_under_mandate"}
	d.reasons[0].requirement == "KE-01"
	d.obligations.max_fmr == 0.01
	d.obligations.delete_non_matches == "immediate"
	d.jurisdictions == ["KE"]
}

test_allow_in_eu_member_state_lists_bloc_layer_first if {
	d := decision with input as {"request": object.union(_sim_request, {"jurisdiction": "DE"})}
	d.allow == true
	d.jurisdictions == ["EU", "DE"]
	d.reasons[0].requirement == "EU-13"
}

test_deny_without_legal_mandate if {
	d := decision with input as {"request": object.union(_sim_request, {"legal_mandate": null})}
	d.allow == false
	"missing_legal_mandate" in _codes(d)
	d.obligations == {}
}

test_deny_blank_legal_mandate if {
	d := decision with input as {"request": object.union(_sim_request, {"legal_mandate": "  "})}
	d.allow == false
	"missing_legal_mandate" in _codes(d)
}

test_deny_requester_not_telecom_operator if {
	req := object.union(_sim_request, {"requester": {"org": "acme", "type": "private"}})
	d := decision with input as {"request": req}
	d.allow == false
	"requester_not_telecom_operator" in _codes(d)
}

test_deny_unknown_jurisdiction if {
	d := decision with input as {"request": object.union(_sim_request, {"jurisdiction": "XX"})}
	d.allow == false
	"unknown_jurisdiction" in _codes(d)
	d.jurisdictions == []
}

test_deny_other_use_case if {
	req := object.union(_sim_request, {"use_case": "live_identification", "purpose": "public_security"})
	d := decision with input as {"request": req}
	d.allow == false
	"use_case_not_permitted" in _codes(d)
}

test_deny_other_purpose if {
	d := decision with input as {"request": object.union(_sim_request, {"purpose": "marketing"})}
	d.allow == false
	"purpose_not_permitted" in _codes(d)
}

test_deny_before_mandate_in_force if {
	req := object.union(_sim_request, {"jurisdiction": "CN", "time": "2019-06-01T00:00:00Z"})
	d := decision with input as {"request": req}
	d.allow == false
	"mandate_not_in_force" in _codes(d)
}

test_deny_empty_input_fails_closed if {
	d := decision with input as {}
	d.allow == false
	count(d.reasons) > 0
}

test_every_reason_cites_requirement_and_law if {
	d := decision with input as {"request": object.union(_sim_request, {"legal_mandate": null, "jurisdiction": "XX"})}
	every r in d.reasons {
		r.requirement != ""
		r.legal_ref != ""
		r.message != ""
	}
}

test_decision_id_is_deterministic if {
	a := decision.decision_id with input as {"request": _sim_request}
	b := decision.decision_id with input as {"request": _sim_request}
	a == b
	c := decision.decision_id with input as {"request": object.union(_sim_request, {"id": "evt-2"})}
	a != c
}
