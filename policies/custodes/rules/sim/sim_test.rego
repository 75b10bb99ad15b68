package custodes.rules.sim_test

import data.custodes.rules.sim

_request := {
	"jurisdiction": "CN",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"type": "telecom_operator"},
	"site": {"type": "telecom_outlet"},
	"legal_mandate": "MIIT notice",
}

_codes(overrides) := {hit.reason.code | some hit in sim.deny with input as {"request": _replaced(_request, overrides)}}

test_an_operator_at_an_outlet_under_mandate_passes if {
	_codes({}) == set()
}

test_each_condition_of_the_mandate_is_its_own_reason if {
	_codes({"requester": {"type": "private"}}) == {"requester_not_telecom_operator"}
	_codes({"legal_mandate": null}) == {"missing_legal_mandate"}
	_codes({"purpose": "marketing"}) == {"purpose_not_permitted"}
	_codes({"site": {"type": "private_premises"}}) == {"site_not_permitted"}
	_codes({"site": null}) == {"site_not_permitted"}
}

test_before_the_mandate_only_its_absence_is_reported if {
	_codes({"time": "2019-01-01T00:00:00Z", "legal_mandate": null}) == {"mandate_not_in_force"}
}

test_other_use_cases_are_not_sim_rules_business if {
	_codes({"use_case": "identity_verification", "requester": {"type": "private"}}) == set()
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
