package custodes.rules.records_test

import data.custodes.rules.records

_packs := {"ZZ": {"records": [
	{
		"requirement": "US-WA-01",
		"effective_from": "2020-01-01T00:00:00Z",
		"when": {},
		"fields": ["accountability_report_id", "accountability_report_date"],
		"max_age": {"field": "accountability_report_date", "years": 2},
	},
	{
		"requirement": "CN-02",
		"effective_from": "2020-01-01T00:00:00Z",
		"when": {},
		"fields": ["pia_id"],
		"unless_mandate": true,
	},
]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"deployment": {"accountability_report_id": "ar-1", "accountability_report_date": "2025-03-01", "pia_id": "pia-1"},
}

_denied(overrides) := result if {
	request := _replaced(_request, overrides)
	result := {[hit.reason.code, hit.reason.requirement] | some hit in records.deny} with input as {"request": request}
		with data.custodes.packs.jurisdictions as _packs
}

test_a_complete_current_record_passes if {
	_denied({}) == set()
}

test_blank_or_missing_fields_are_missing if {
	_denied({"deployment": _record(" ", "2025-03-01", "p")}) == {[
		"missing_deployment_record",
		"US-WA-01",
	]}
}

test_no_deployment_record_lacks_everything if {
	_denied({"deployment": null}) == {
		["missing_deployment_record", "US-WA-01"],
		["missing_deployment_record", "CN-02"],
		["stale_deployment_record", "US-WA-01"],
	}
}

test_a_legal_mandate_waives_a_record_when_the_entry_says_so if {
	_denied({"deployment": object.remove(_record("ar-1", "2025-03-01", ""), {"pia_id"}), "legal_mandate": "act"}) == set()
}

test_a_record_older_than_allowed_is_stale if {
	_denied({"deployment": _record("a", "2023-12-31", "p")}) == {[
		"stale_deployment_record",
		"US-WA-01",
	]}
	_denied({"deployment": _record("a", "2027-01-01", "p")}) == {[
		"stale_deployment_record",
		"US-WA-01",
	]}
	_denied({"deployment": _record("a", "2024-06-01T00:00:00Z", "p")}) == set()
}

_record(id, date, pia) := {"accountability_report_id": id, "accountability_report_date": date, "pia_id": pia}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
