package custodes.rules.cases_test

import data.custodes.rules.cases

_packs := {"ZZ": {"cases": [{
	"requirement": "EU-19",
	"effective_from": "2018-05-06T00:00:00Z",
	"when": {"requester_types": ["law_enforcement"]},
	"need": ["ref", "offence"],
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"requester": {"type": "law_enforcement"},
	"case": {"ref": "case-1", "offence": {"category": "terrorism"}},
}

_messages(overrides) := result if {
	result := {hit.reason.message | some hit in cases.deny} with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
}

test_a_case_with_ref_and_offence_passes if {
	_messages({}) == set()
}

test_what_the_case_lacks_is_named if {
	_messages({"case": {"ref": "", "offence": {"category": "terrorism"}}}) == {"ZZ: the request names no case ref"}
	_messages({"case": {"ref": "c", "offence": null}}) == {"ZZ: the request names no case offence"}
	_messages({"case": null}) == {"ZZ: the request names no case ref or offence"}
}

test_requests_the_entry_does_not_cover_need_no_case if {
	_messages({"requester": {"type": "private"}, "case": null}) == set()
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
