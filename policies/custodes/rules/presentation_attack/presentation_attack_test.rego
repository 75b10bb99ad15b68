package custodes.rules.presentation_attack_test

import data.custodes.rules.presentation_attack

_packs := {"ZZ": {"liveness": [{
	"requirement": "CN-01", "effective_from": "2019-12-01T00:00:00Z",
	"when": {"use_cases": ["sim_registration_verification"]},
}]}}

_request := {
	"jurisdiction": "ZZ",
	"time": "2026-01-01T00:00:00Z",
	"use_case": "sim_registration_verification",
	"liveness": {"method": "passive", "result": "bona_fide"},
}

_hits(overrides) := hits if {
	hits := presentation_attack.deny with input as {"request": _replaced(_request, overrides)}
		with data.custodes.packs.jurisdictions as _packs
}

_codes(overrides) := {hit.reason.code | some hit in _hits(overrides)}

test_a_bona_fide_liveness_check_passes if {
	_codes({}) == set()
	_codes({"liveness": {"method": "hybrid", "result": "bona_fide"}}) == set()
}

test_no_liveness_evidence_is_denied if {
	_codes({"liveness": null}) == {"liveness_required"}
	_codes({"liveness": {"method": "passive"}}) == {"liveness_required"}
	_codes({"liveness": "bona_fide"}) == {"liveness_required"}
	without := object.remove(_request, ["liveness"])
	hits := presentation_attack.deny with input as {"request": without} with data.custodes.packs.jurisdictions as _packs
	{hit.reason.code | some hit in hits} == {"liveness_required"}
}

test_a_result_other_than_bona_fide_is_denied if {
	_codes({"liveness": {"method": "active", "result": "attack_detected"}}) == {"liveness_required"}
	_codes({"liveness": {"method": "active", "result": "inconclusive"}}) == {"liveness_required"}
	_codes({"liveness": {"method": "active", "result": "BONA_FIDE"}}) == {"liveness_required"}
	_codes({"liveness": {"method": "active", "result": true}}) == {"liveness_required"}
}

test_the_reason_cites_the_entry_and_its_law if {
	[hit] := [hit | some hit in _hits({"liveness": {"method": "active", "result": "attack_detected"}})]
	hit.rank == 1
	hit.reason.requirement == "CN-01"
	startswith(hit.reason.legal_ref, "MIIT notice")
	contains(hit.reason.message, "attack_detected")
}

test_not_applied_outside_its_entries if {
	_codes({"liveness": null, "use_case": "identity_verification"}) == set()
	_codes({"liveness": null, "time": "2019-11-30T23:59:59Z"}) == set()
	_codes({"liveness": null, "jurisdiction": "YY"}) == set()
}

test_another_jurisdiction_requires_liveness_by_data_alone if {
	packs := object.union(_packs, {"YY": {"liveness": [{
		"requirement": "YY-01", "effective_from": "2020-01-01T00:00:00Z",
		"when": {"use_cases": ["identity_verification"]},
	}]}})
	request := object.union(_request, {"jurisdiction": "YY", "use_case": "identity_verification", "liveness": null})
	hits := presentation_attack.deny with input as {"request": request} with data.custodes.packs.jurisdictions as packs
	{[hit.reason.code, hit.reason.requirement] | some hit in hits} == {["liveness_required", "YY-01"]}
}

_replaced(base, overrides) := object.union(object.remove(base, object.keys(overrides)), overrides)
