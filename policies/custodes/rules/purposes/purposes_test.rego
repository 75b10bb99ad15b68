package custodes.rules.purposes_test

import data.custodes.rules.purposes

# A bloc and a member state that enables real-time RBI for fewer purposes and offences
# (EU-08): every layer's entry must hold, so the narrowest wins.
_packs := {
	"XB": {"purposes": [{
		"requirement": "EU-01",
		"effective_from": "2025-02-02T00:00:00Z",
		"when": {"use_cases": ["live_identification"]},
		"purposes": ["victim_or_missing_person_search", "serious_crime_suspect", "imminent_threat_prevention"],
		"offences": {
			"for_purposes": ["serious_crime_suspect"], "categories": ["terrorism", "rape"],
			"min_max_sentence_years": 4,
		},
	}]},
	"XM": {"blocs": ["XB"], "purposes": [{
		"requirement": "EU-08",
		"effective_from": "2025-02-02T00:00:00Z",
		"when": {"use_cases": ["live_identification"]},
		"purposes": ["victim_or_missing_person_search", "serious_crime_suspect"],
		"offences": {"for_purposes": ["serious_crime_suspect"], "categories": ["terrorism"], "min_max_sentence_years": 5},
	}]},
}

_request := {
	"jurisdiction": "XM",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "live_identification",
	"purpose": "serious_crime_suspect",
	"case": {"ref": "c-1", "offence": {"category": "terrorism", "max_sentence_years": 10}},
}

_denied(overrides) := result if {
	request := _replaced(_request, overrides)
	result := {[hit.reason.code, hit.reason.requirement] | some hit in purposes.deny} with input as {"request": request}
		with data.custodes.packs.jurisdictions as _packs
}

test_a_purpose_and_offence_every_layer_allows_passes if {
	_denied({}) == set()
}

test_the_member_state_narrows_the_purposes if {
	_denied({"purpose": "imminent_threat_prevention"}) == {["purpose_not_permitted", "EU-08"]}
}

test_the_member_state_narrows_the_offences if {
	_denied({"case": {"ref": "c-1", "offence": {"category": "rape", "max_sentence_years": 10}}}) == {[
		"offence_not_permitted",
		"EU-08",
	]}
}

test_both_layers_deny_an_offence_neither_lists if {
	_denied({"case": {"ref": "c-1", "offence": {"category": "fraud", "max_sentence_years": 10}}}) == {
		["offence_not_permitted", "EU-01"],
		["offence_not_permitted", "EU-08"],
	}
}

test_sentence_must_be_a_number_at_or_above_the_minimum if {
	_denied({"case": {"ref": "c-1", "offence": {"category": "terrorism", "max_sentence_years": 4}}}) == {[
		"offence_not_permitted",
		"EU-08",
	]}
	count(_denied({"case": {"ref": "c-1", "offence": {"category": "terrorism", "max_sentence_years": "10"}}})) == 2
	count(_denied({"case": null})) == 2
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
