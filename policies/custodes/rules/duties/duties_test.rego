package custodes.rules.duties_test

import data.custodes.rules.duties

_request := {
	"jurisdiction": "ZM",
	"time": "2026-01-10T00:00:00Z",
	"use_case": "identity_verification",
	"requester": {"type": "private"},
}

_entry(requirement, set) := object.union(_since_2020(requirement), {"set": set})

_since_2020(requirement) := {"requirement": requirement, "effective_from": "2020-01-01T00:00:00Z", "when": {}}

_on_allow(packs, overrides) := result if {
	result := duties.on_allow with input as {"request": object.union(_request, overrides)}
		with data.custodes.packs.jurisdictions as packs
}

test_platform_defaults_fill_what_no_layer_sets if {
	_on_allow({"ZM": {}}, {}) == {
		"review_quorum": 0,
		"max_fmr": 0.01,
		"retain_days": 30,
		"delete_non_matches": "immediate",
		"liveness_required": false,
		"purpose_lock": "identity_verification",
	}
}

test_layers_combine_strictest_first if {
	packs := {
		"ZB": {"obligations": [_entry("EU-06", {
			"review_quorum": 2, "max_fmr": 0.02, "retain_days": 60,
			"notify": ["dpa"], "liveness_required": false,
		})]},
		"ZM": {"blocs": ["ZB"], "obligations": [_entry("EU-07", {
			"review_quorum": 1, "max_fmr": 0.005, "retain_days": 90,
			"notify": ["msa", "dpa"], "liveness_required": true,
		})]},
	}
	obligations := _on_allow(packs, {})
	obligations.review_quorum == 2
	obligations.max_fmr == 0.005
	obligations.retain_days == 60
	obligations.notify == ["dpa", "msa"]
	obligations.liveness_required == true
}

test_the_shortest_retention_wins_across_days_and_dates if {
	packs := {
		"ZB": {"obligations": [object.union(
			_since_2020("US-IL-01"),
			{"retain_until": {"after_event_years": 3, "purpose_end": true}},
		)]},
		"ZM": {"blocs": ["ZB"], "obligations": [_entry("KE-01", {"retain_days": 10})]},
	}
	obligations := _on_allow(packs, {})
	obligations.retain_until == "2026-01-20T00:00:00Z"
	not obligations.retain_days
	_on_allow(packs, {"purpose_end": "2026-01-15T00:00:00Z"}).retain_until == "2026-01-15T00:00:00Z"
}

test_retention_after_the_purpose_ends if {
	entry := object.union(_since_2020("US-TX-01"), {"retain_until": {"after_purpose_end_days": 365}})
	packs := {"ZM": {"obligations": [entry]}}
	_on_allow(packs, {}).retain_until == "2027-01-10T00:00:00Z"
	_on_allow(packs, {"purpose_end": "2026-06-01T00:00:00Z"}).retain_until == "2027-06-01T00:00:00Z"
}

test_a_national_exemption_replaces_the_bloc_quorum if {
	packs := {
		"ZB": {"obligations": [object.union(_entry("EU-06", {"review_quorum": 2}), {"exemptible": true})]},
		"ZM": {"blocs": ["ZB"], "obligations": [object.union(
			{"requirement": "EU-06", "effective_from": "2020-01-01T00:00:00Z", "when": {"requester_types": ["law_enforcement"]}},
			{"set": {"review_quorum": 1}, "exempts": "EU-06"},
		)]},
	}
	_on_allow(packs, {"requester": {"type": "law_enforcement"}}).review_quorum == 1
	_on_allow(packs, {}).review_quorum == 2
}

test_deadlines_combine_to_the_earliest if {
	packs := {"ZM": {"obligations": [
		_entry("EU-04", {"authorisation_deadline": "2026-01-12T00:00:00+01:00"}),
		_entry("US-WA-03", {"authorisation_deadline": "2026-01-13T00:00:00Z"}),
	]}}
	_on_allow(packs, {}).authorisation_deadline == "2026-01-11T23:00:00Z"
}

test_an_obligation_without_a_combining_rule_denies if {
	packs := {"ZM": {"obligations": [_entry("KE-01", {"blink_twice": true})]}}
	hits := duties.deny with input as {"request": _request} with data.custodes.packs.jurisdictions as packs
	{hit.reason.code | some hit in hits} == {"unknown_obligation"}
}

test_nothing_survives_a_denial_unless_an_authorisation_was_refused if {
	duties.on_deny == {} with input as {"request": _request}
}
