package custodes.rules_test

import data.custodes.rules

_request := {
	"id": "e-1",
	"time": "2026-11-27T10:00:00Z",
	"jurisdiction": "KE",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"org": "o", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"},
	"legal_mandate": "KE-SIM",
}

_local_deny := {"rank": 1, "reason": {"code": "local_rule", "requirement": "KE-01", "legal_ref": "x", "message": "m"}}

test_allowed_when_a_layer_permits_and_nothing_denies if {
	rules.allowed with input as {"request": _request}
	count(rules.permit) == 1 with input as {"request": _request}
}

test_a_local_package_denial_joins_the_others if {
	not rules.allowed with input as {"request": _request}
		with rules.local as {"ke": {"deny": {_local_deny}}}
	rules.reasons == [_local_deny.reason] with input as {"request": _request}
		with rules.local as {"ke": {"deny": {_local_deny}}}
}

test_a_local_package_permit_joins_the_others if {
	permit := {"rank": 1, "reason": {"code": "local_permit", "requirement": "KE-01", "legal_ref": "x", "message": "m"}}
	count(rules.permit) == 2 with input as {"request": _request}
		with rules.local as {"ke": {"permit": {permit}}}
}

test_denied_requests_carry_only_surviving_obligations if {
	rules.obligations == {} with input as {"request": object.union(_request, {"legal_mandate": null})}
}
