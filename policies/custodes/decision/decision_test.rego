package custodes.decision_test

import data.custodes.decision

_sim := {
	"id": "evt-1",
	"time": "2026-11-27T10:00:00Z",
	"jurisdiction": "KE",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"org": "safaricom", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet", "camera_id": null, "signage": null},
	"subject": {"age": null, "consent": {"kind": null, "id": null}},
	"legal_mandate": "KE-SIM-REGISTRATION-REGULATIONS",
	"alternative_offered": false,
	"exigent": false,
	"authorisation_id": null,
	"case": null,
	"source": null,
	"deployment": null,
}

_decide(overrides) := d if {
	d := decision with input as {"request": object.union(_sim, overrides)}
}

_codes(d) := {r.code | some r in d.reasons}

_requirements(d) := {r.requirement | some r in d.reasons}

test_allow_ke_sim_verification_by_operator_under_mandate if {
	d := _decide({})
	d.allow == true
	d.reasons[0].requirement == "KE-01"
	_codes(d) == {"use_enabled"}
	d.jurisdictions == ["KE"]
	d.use_case == "sim_registration_verification"
	d.policy_revision == "packs-2.0.0"
	d.obligations == {
		"delete_non_matches": "immediate",
		"liveness_required": false,
		"max_fmr": 0.01,
		"purpose_lock": "sim_registration_verification",
		"retain_days": 90,
		"review_quorum": 0,
	}
}

test_deny_ke_sim_without_legal_mandate if {
	d := _decide({"legal_mandate": null})
	d.allow == false
	_codes(d) == {"missing_legal_mandate"}
	_requirements(d) == {"KE-01"}
	d.obligations == {}
}

test_deny_ke_sim_with_blank_legal_mandate if {
	d := _decide({"legal_mandate": "  "})
	"missing_legal_mandate" in _codes(d)
}

test_deny_ke_sim_by_private_requester if {
	d := _decide({"requester": {"org": "acme", "type": "private"}})
	d.allow == false
	_codes(d) == {"no_permitting_rule", "requester_not_telecom_operator"}
}

test_deny_unknown_jurisdiction_without_layers if {
	d := _decide({"jurisdiction": "XX"})
	d.allow == false
	"unknown_jurisdiction" in _codes(d)
	d.jurisdictions == []
}

test_deny_empty_input_fails_closed_with_reasons if {
	d := decision with input as {}
	d.allow == false
	"invalid_request" in _codes(d)
	"no_permitting_rule" in _codes(d)
	d.decision_id == "dec-without-request"
	d.use_case == null
}

test_deny_request_that_is_not_an_object if {
	d := decision with input as {"request": "KE"}
	d.allow == false
	some r in d.reasons
	r.message == "input.request is missing or not an object"
}

test_unknown_use_case_is_reported_as_null if {
	d := _decide({"use_case": "gait_recognition"})
	d.use_case == null
	"unknown_use_case" in _codes(d)
}

test_every_reason_cites_requirement_law_and_message if {
	d := _decide({"legal_mandate": null, "jurisdiction": "XX", "purpose": "curiosity", "time": "noon"})
	count(d.reasons) >= 4
	every r in d.reasons {
		object.keys(r) == {"code", "requirement", "legal_ref", "message"}
		r.requirement != ""
		r.legal_ref != ""
		r.message != ""
		not contains(r.legal_ref, "not declared")
	}
}

test_reasons_list_platform_first_then_layers_outermost_first if {
	d := _decide({
		"jurisdiction": "DE",
		"use_case": "live_identification",
		"purpose": "victim_or_missing_person_search",
		"requester": {"org": "polizei", "type": "law_enforcement"},
		"site": {"type": "transport", "camera_id": "cam-1", "signage": true},
		"legal_mandate": null,
		"time": "2025-02-10T10:00:00Z",
	})
	d.allow == false
	d.jurisdictions == ["EU", "DE"]
	reqs := [r.requirement | some r in d.reasons]
	reqs[count(reqs) - 1] == "EU-08"
	"EU-04" in reqs
}

test_allow_lists_permits_of_each_enabling_layer_outermost_first if {
	enabling_de := {
		"requirement": "EU-13",
		"effective_from": "2018-05-25T00:00:00Z",
		"when": {"use_cases": ["sim_registration_verification"]},
	}
	d := decision with input as {"request": object.union(_sim, {"jurisdiction": "DE"})}
		with data.custodes.packs.jurisdictions.DE.enabled as [enabling_de]
	d.allow == true
	[r.message | some r in d.reasons] == [
		"EU: sim_registration_verification by telecom_operator for sim_registration is enabled",
		"DE: sim_registration_verification by telecom_operator for sim_registration is enabled",
	]
}

test_decision_id_is_deterministic_per_request if {
	_decide({}).decision_id == _decide({}).decision_id
	_decide({}).decision_id != _decide({"id": "evt-2"}).decision_id
	startswith(_decide({}).decision_id, "dec-")
}

test_denial_keeps_delete_outputs_for_a_refused_authorisation if {
	live := object.union(_sim, {
		"jurisdiction": "DE",
		"use_case": "live_identification",
		"purpose": "victim_or_missing_person_search",
		"requester": {"org": "polizei", "type": "law_enforcement"},
		"authorisation_id": "A-1",
	})
	registry := {"authorisations": {"A-1": {"kind": "judicial", "state": "refused", "authority": "AG Berlin"}}}
	d := decision with input as {"request": live} with data.custodes.registry as registry
	d.allow == false
	"authorisation_refused" in _codes(d)
	d.obligations == {"delete_outputs": true}
}
