package custodes.rules.watchlists_test

import data.custodes.rules.watchlists

_packs := {"ZZ": {"watchlists": [{
	"requirement": "GB-01",
	"effective_from": "2020-08-11T00:00:00Z",
	"when": {"use_cases": ["live_identification"]},
	"categories": ["wanted_by_courts", "missing_person"],
	"entry_fields": ["legal_basis", "approved_by"],
}]}}

_request := {
	"jurisdiction": "ZZ", "time": "2026-01-01T00:00:00Z",
	"use_case": "live_identification", "watchlist_id": "wl-1",
}

_entry := {"subject_ref": "s-1", "category": "missing_person", "legal_basis": "Children Act", "approved_by": "insp-1"}

_messages(overrides, registry) := result if {
	result := {hit.reason.message | some hit in watchlists.deny} with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
		with data.custodes.registry as registry
}

test_an_approved_watchlist_passes if {
	_messages({}, {"watchlists": {"wl-1": {"entries": [_entry]}}}) == set()
}

test_the_watchlist_must_be_named_and_known if {
	_messages({"watchlist_id": null}, {}) == {"ZZ: the request names no watchlist_id"}
	_messages({}, {}) == {"ZZ: watchlist wl-1 is not in the registry"}
}

test_entries_outside_the_criteria_are_counted if {
	entries := [
		object.union(_entry, {"category": "person_of_interest"}),
		object.remove(_entry, {"approved_by", "category"}),
	]
	_messages({}, {"watchlists": {"wl-1": {"entries": entries}}}) == {
		`ZZ: watchlist wl-1: 2 entries have no category from ["wanted_by_courts", "missing_person"]`,
		`ZZ: watchlist wl-1: 1 missing ["legal_basis", "approved_by"] on its entries`,
	}
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
