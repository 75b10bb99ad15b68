package custodes.rules.safeguards_test

import data.custodes.rules.safeguards

_packs := {"ZZ": {
	"alternatives": [{
		"requirement": "CN-03", "effective_from": "2025-06-01T00:00:00Z",
		"when": {}, "unless_mandate": true,
	}],
	"signage": [{
		"requirement": "CN-04", "effective_from": "2021-11-01T00:00:00Z",
		"when": {"site_types": ["public_space"]},
	}],
}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"site": {"type": "public_space", "camera_id": "c-1", "signage": true},
	"alternative_offered": true,
}

_codes(overrides) := result if {
	result := {hit.reason.code | some hit in safeguards.deny} with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
}

test_signs_and_an_alternative_pass if {
	_codes({}) == set()
}

test_no_alternative_offered_is_denied_unless_mandated if {
	_codes({"alternative_offered": false}) == {"no_alternative_offered"}
	_codes({"alternative_offered": null}) == {"no_alternative_offered"}
	_codes({"alternative_offered": false, "legal_mandate": "state law"}) == set()
}

test_public_spaces_need_prominent_signs if {
	_codes({"site": {"type": "public_space", "signage": false}}) == {"signage_missing"}
	_codes({"site": {"type": "public_space"}}) == {"signage_missing"}
	_codes({"site": {"type": "workplace"}}) == set()
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
