package custodes.rules.platform_test

import data.custodes.rules.platform

_request := {
	"time": "2026-11-27T10:00:00Z",
	"jurisdiction": "KE",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"org": "o", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"},
	"legal_mandate": "KE-SIM",
}

_messages(overrides) := result if {
	result := {hit.reason.message | some hit in platform.deny} with input as {"request": _replaced(_request, overrides)}
}

_deny(overrides) := codes if {
	codes := {hit.reason.code | some hit in platform.deny} with input as {"request": _replaced(_request, overrides)}
}

test_a_valid_request_meets_no_platform_rule if {
	_deny({}) == set()
}

test_vocabulary_violations_are_malformed_requests if {
	_deny({"site": {"type": "spaceship"}}) == {"invalid_request"}
	_deny({"site": {"type": "retail", "device": "drone"}}) == {"invalid_request"}
	_deny({"subject": {"consent": {"kind": "implied"}}}) == {"invalid_request"}
	_deny({"source": "dark_web"}) == {"invalid_request"}
	"invalid_request" in _deny({"requester": {"org": "o", "type": "robot"}})
}

test_time_must_be_rfc3339 if {
	codes := _deny({"time": "27/11/2026"})
	"invalid_request" in codes
	"no_permitting_rule" in codes
}

test_unknown_vocabulary_is_denied_with_platform_ids if {
	request := _replaced(_request, {"jurisdiction": "XX", "use_case": "x", "purpose": "y"})
	ids := {hit.reason.requirement | some hit in platform.deny} with input as {"request": request}
	ids == {"CUSTODES-01", "CUSTODES-02", "CUSTODES-03", "CUSTODES-04"}
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
