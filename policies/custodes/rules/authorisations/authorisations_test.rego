package custodes.rules.authorisations_test

import data.custodes.rules.authorisations

_packs := {"ZZ": {"authorisations": [{
	"requirement": "EU-04",
	"effective_from": "2025-02-02T00:00:00Z",
	"when": {"use_cases": ["live_identification"]},
	"kinds": ["judicial", "administrative", "court_order"],
	"kind_purposes": {"court_order": ["victim_or_missing_person_search"]},
	"urgent_hours": 24,
	"exigent_hours": 48,
	"scope": {"requirement": "EU-02", "window": true, "cameras": true, "targets": true},
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-11-27T10:00:00Z",
	"use_case": "live_identification",
	"purpose": "serious_crime_suspect",
	"site": {"type": "transport", "camera_id": "cam-1"},
	"case": {"ref": "c-1", "offence": {"category": "terrorism", "max_sentence_years": 20}},
	"authorisation_id": "A-1",
	"watchlist_id": "wl-1",
}

_granted := {
	"kind": "judicial",
	"authority": "court",
	"state": "granted",
	"valid_from": "2026-11-26T00:00:00Z",
	"valid_until": "2026-12-01T00:00:00Z",
	"targets": ["s-1", "s-2"],
	"camera_ids": ["cam-1"],
	"offence": {"category": "terrorism", "max_sentence_years": 20},
}

_watchlists := {"wl-1": {"entries": [{"subject_ref": "s-1"}, {"subject_ref": "s-2"}]}}

_outcome(overrides, authorisation) := result if {
	registry := {"authorisations": {"A-1": authorisation}, "watchlists": _watchlists}
	result := {
		"denied": {[hit.reason.code, hit.reason.requirement] | some hit in authorisations.deny},
		"messages": {hit.reason.message | some hit in authorisations.deny},
		"deadlines": authorisations.deadlines,
	} with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
		with data.custodes.registry as registry
}

_codes(overrides, authorisation) := {code | some [code, _] in _outcome(overrides, authorisation).denied}

test_a_granted_authorisation_covering_the_event_passes if {
	_outcome({}, _granted) == {"denied": set(), "messages": set(), "deadlines": set()}
}

test_no_authorisation_in_the_registry if {
	_outcome({"authorisation_id": "A-9"}, _granted).denied == {["authorisation_missing", "EU-04"]}
	_codes({"authorisation_id": null}, _granted) == {"authorisation_missing"}
}

test_an_exigent_start_needs_no_authorisation_but_gets_a_deadline if {
	outcome := _outcome({"authorisation_id": null, "exigent": true}, _granted)
	outcome.denied == set()
	outcome.deadlines == {time.parse_rfc3339_ns("2026-11-29T10:00:00Z")}
}

test_the_kind_must_be_accepted_and_fit_the_purpose if {
	_codes({}, object.union(_granted, {"kind": "warrant"})) == {"authorisation_kind_not_accepted"}
	_codes({}, object.union(_granted, {"kind": "court_order"})) == {"authorisation_kind_not_accepted"}
	_codes({"purpose": "victim_or_missing_person_search"}, object.union(_granted, {"kind": "court_order"})) == set()
}

test_a_refused_authorisation_denies_and_orders_deletion if {
	refused := object.union(_granted, {"state": "refused"})
	_codes({}, refused) == {"authorisation_refused"}
	authorisations.refused with input as {"request": _request}
		with data.custodes.packs.jurisdictions as _packs
		with data.custodes.registry as {"authorisations": {"A-1": refused}}
}

test_a_pending_authorisation_covers_an_urgent_start_until_its_deadline if {
	pending := object.union(_granted, {"state": "pending", "urgent_start_at": "2026-11-27T08:00:00Z"})
	outcome := _outcome({}, pending)
	outcome.denied == set()
	outcome.deadlines == {time.parse_rfc3339_ns("2026-11-28T08:00:00Z")}
	_codes({"time": "2026-11-28T08:00:01Z"}, pending) == {"authorisation_not_granted"}
	_codes({"time": "2026-11-27T07:00:00Z"}, pending) == {"authorisation_not_granted"}
}

test_a_pending_authorisation_without_urgent_start_or_an_unknown_state_denies if {
	_codes({}, object.union(_granted, {"state": "pending"})) == {"authorisation_not_granted"}
	_codes({}, object.remove(_granted, {"state"})) == {"authorisation_not_granted"}
}

test_the_event_must_fall_inside_the_window if {
	_outcome({"time": "2026-11-25T10:00:00Z"}, _granted).denied == {["outside_authorised_scope", "EU-02"]}
	_codes({"time": "2026-12-02T10:00:00Z"}, _granted) == {"outside_authorised_scope"}
	_outcome({}, object.remove(_granted, {"valid_until"})).messages == {"ZZ: authorisation A-1: it states no time window"}
}

test_cameras_must_be_named_and_include_the_event_camera if {
	_outcome({}, object.union(_granted, {"camera_ids": []})).messages == {"ZZ: authorisation A-1: it names no cameras"}
	message := `ZZ: authorisation A-1: camera cam-9 is not one of ["cam-1"]`
	_outcome({"site": {"camera_id": "cam-9"}}, _granted).messages == {message}
}

test_the_watchlist_may_hold_only_named_targets if {
	_outcome({}, object.union(_granted, {"targets": []})).messages == {"ZZ: authorisation A-1: it names no targets"}
	unnamed := "ZZ: authorisation A-1: watchlist wl-1 holds 1 entries it does not name"
	_outcome({}, object.union(_granted, {"targets": ["s-1"]})).messages == {unnamed}
	unknown := "ZZ: authorisation A-1: watchlist wl-9 is not in the registry"
	_outcome({"watchlist_id": "wl-9"}, _granted).messages == {unknown}
}

test_the_case_offence_must_be_the_authorised_one if {
	message := "ZZ: authorisation A-1: it covers offence terrorism, the case is about rape"
	_outcome({"case": {"ref": "c", "offence": {"category": "rape"}}}, _granted).messages == {message}
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
