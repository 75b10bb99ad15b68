package custodes.rules.enabled_test

import data.custodes.rules.enabled

_packs := {"ZZ": {"enabled": [{
	"requirement": "KE-01",
	"effective_from": "2020-01-01T00:00:00Z",
	"when": {"use_cases": ["identity_verification"], "requester_types": ["private"]},
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "identity_verification",
	"purpose": "access_control",
	"requester": {"type": "private"},
}

test_an_enabled_entry_permits_with_its_citation if {
	hits := enabled.permit with input as {"request": _request} with data.custodes.packs.jurisdictions as _packs
	[hit.reason | some hit in hits] == [{
		"code": "use_enabled",
		"requirement": "KE-01",
		"legal_ref": "Kenya SIM-card registration regulations 2015 (check current text); Data Protection Act 2019",
		"message": "ZZ: identity_verification by private for access_control is enabled",
	}]
}

test_nothing_is_permitted_outside_an_entry if {
	count(enabled.permit) == 0 with input as {"request": object.union(_request, {"requester": {"type": "employer"}})}
		with data.custodes.packs.jurisdictions as _packs
	count(enabled.permit) == 0 with input as {"request": object.union(_request, {"time": "2019-01-01T00:00:00Z"})}
		with data.custodes.packs.jurisdictions as _packs
}
