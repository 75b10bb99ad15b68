package custodes.rules.prohibitions_test

import data.custodes.rules.prohibitions

_packs := {"ZZ": {"bans": [{
	"requirement": "US-OR-portland-01",
	"effective_from": "2021-01-01T00:00:00Z",
	"effective_until": "2030-01-01T00:00:00Z",
	"when": {"requester_types": ["private"], "site_types": ["retail"]},
	"except": [{"use_cases": ["identity_verification"], "devices": ["user_owned"]}, {"legal_mandate": true}],
	"why": "no face recognition in shops",
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "live_identification",
	"requester": {"type": "private"},
	"site": {"type": "retail"},
}

_codes(overrides) := result if {
	request := _replaced(_request, overrides)
	result := {hit.reason.requirement | some hit in prohibitions.deny} with input as {"request": request}
		with data.custodes.packs.jurisdictions as _packs
}

test_a_ban_denies_what_it_covers if {
	_codes({}) == {"US-OR-portland-01"}
}

test_an_exception_lifts_the_ban if {
	_codes({"use_case": "identity_verification", "site": {"type": "retail", "device": "user_owned"}}) == set()
	_codes({"legal_mandate": "Oregon statute"}) == set()
}

test_every_condition_of_an_exception_must_hold if {
	kiosk := {"use_case": "identity_verification", "site": {"type": "retail", "device": "operator_owned"}}
	_codes(kiosk) == {"US-OR-portland-01"}
}

test_a_ban_binds_only_while_in_force if {
	_codes({"time": "2020-06-01T00:00:00Z"}) == set()
	_codes({"time": "2031-06-01T00:00:00Z"}) == set()
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
