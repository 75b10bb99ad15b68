package custodes.rules.context_test

import data.custodes.batch
import data.custodes.decision
import data.custodes.rules.context

_registry := {
	"authorisations": {
		"A-granted": {
			"kind": "judicial", "authority": "court", "state": "granted",
			"valid_from": "2026-11-20T00:00:00Z", "valid_until": "2026-11-30T00:00:00Z",
			"targets": ["s-1"], "camera_ids": ["cam-1", "cam-2"],
			"offence": {"category": "terrorism", "max_sentence_years": 10},
		},
		"A-pending": {
			"kind": "judicial", "authority": "court", "state": "pending", "urgent_start_at": "2026-11-27T09:00:00Z",
			"targets": ["s-1"], "camera_ids": ["cam-1"],
			"offence": {"category": "terrorism", "max_sentence_years": 10},
		},
		"W-1": {
			"kind": "warrant", "authority": "court", "state": "granted",
			"valid_from": "2026-11-01T00:00:00Z", "valid_until": "2026-12-31T00:00:00Z",
			"targets": ["s-1"], "camera_ids": ["cam-5"], "offence": null,
		},
	},
	"watchlists": {"wl-1": {"entries": [{
		"subject_ref": "s-1", "category": "crime_suspect", "legal_basis": "court order",
		"image_source": "custody_record", "approved_by": "insp-1",
	}]}},
}

_sim(overrides) := object.union(
	{
		"id": "sim-1", "time": "2026-11-27T10:00:00Z", "jurisdiction": "KE",
		"use_case": "sim_registration_verification", "purpose": "sim_registration",
		"requester": {"org": "safaricom", "type": "telecom_operator"},
		"site": {"type": "telecom_outlet", "camera_id": null, "signage": null, "outlet_id": "o-1"},
		"subject": {"age": 30, "consent": {"kind": null, "id": null}},
		"legal_mandate": "KE-SIM", "exigent": false, "deployment": null,
	},
	overrides,
)

_camera(overrides) := object.union(
	{
		"id": "cam-1", "time": "2026-11-27T10:00:00Z", "jurisdiction": "DE",
		"use_case": "post_identification", "purpose": "serious_crime_suspect",
		"requester": {"org": "polizei", "type": "law_enforcement"},
		"site": {"type": "public_space", "camera_id": "cam-1", "signage": true},
		"subject": {"age": null, "consent": {"kind": null, "id": null}},
		"authorisation_id": "A-granted", "watchlist_id": "wl-1",
		"case": {"ref": "case-1", "offence": {"category": "terrorism", "max_sentence_years": 10}},
		"legal_mandate": null, "exigent": false,
		"deployment": {"fria_id": "f", "dpia_id": "d", "eu_db_registration_id": "e"},
	},
	overrides,
)

_key(request) := key if {
	key := context.key_of(request) with data.custodes.registry as _registry
}

test_requests_that_differ_only_in_what_no_rule_reads_share_a_key if {
	_key(_sim({})) == _key(_sim({
		"id": "sim-2", "time": "2026-11-28T11:30:00Z",
		"requester": {"org": "airtel-ke", "type": "telecom_operator"},
		"site": {"type": "telecom_outlet", "camera_id": null, "signage": null, "outlet_id": "o-9"},
		"subject": {"age": 64, "consent": {"kind": "explicit", "id": "c-9"}},
	}))
	_key(_camera({})) == _key(_camera({
		"id": "cam-2", "time": "2026-11-27T10:00:05.25Z",
		"site": {"type": "public_space", "camera_id": "cam-2", "signage": false},
		"case": {"ref": "case-2", "offence": {"category": "terrorism", "max_sentence_years": 10}},
	}))
}

test_liveness_evidence_goes_from_the_key_where_no_entry_asks_for_it if {
	_key(_sim({})) == _key(_sim({"liveness": _bona_fide}))
	_key(_sim({"liveness": _attack})) == _key(_sim({"liveness": null}))
}

_bona_fide := {"method": "passive", "result": "bona_fide"}

_attack := {"method": "active", "result": "attack_detected"}

test_requests_the_rules_may_judge_apart_get_their_own_keys if {
	_key(_sim({})) != _key(_sim({"subject": {"age": 30, "consent": {"kind": "implied", "id": "c-1"}}}))
	_key(_sim({"jurisdiction": "DE"})) != _key(_sim({
		"jurisdiction": "DE",
		"subject": {"age": 30, "consent": {"kind": "explicit", "id": "c-1"}},
	}))
	_key(_camera({})) != _key(_camera({"time": "2026-12-01T10:00:00Z"}))
	_key(_camera({})) != _key(_camera({"site": {"type": "public_space", "camera_id": "cam-9", "signage": true}}))
	_key(_camera({})) != _key(_camera({"case": {"ref": " ", "offence": {"category": "terrorism"}}}))
	_key(_sim({"jurisdiction": "NG", "time": "2019-01-01T00:00:00Z"}))[2] == time.parse_rfc3339_ns("2019-01-01T00:00:00Z")
	_key(_sim({"jurisdiction": "CN"})) != _key(_sim({"jurisdiction": "CN", "liveness": _bona_fide}))
	_key(_sim({"jurisdiction": "CN", "liveness": _bona_fide})) != _key(_sim({"jurisdiction": "CN", "liveness": _attack}))
	_key(_sim({"time": "tomorrow"}))[2] == null
}

_requests := [
	_sim({}),
	_sim({"legal_mandate": null, "subject": {"age": 30, "consent": {"kind": "written", "id": "c-1"}}}),
	_sim({"jurisdiction": "NG", "time": "2019-01-01T00:00:00Z"}),
	_sim({"subject": {"age": 30, "consent": {"kind": "implied", "id": "c-4"}}}),
	_sim({"subject": {"age": 30, "consent": {"kind": "explicit", "id": "c-5"}}}),
	_sim({"jurisdiction": "DE", "legal_mandate": null, "subject": {"age": 30, "consent": {"kind": "explicit"}}}),
	_sim({
		"jurisdiction": "CN", "use_case": "identity_verification", "purpose": "identity_verification",
		"requester": {"org": "bank", "type": "private"}, "site": {"type": "private_premises", "camera_id": "c"},
		"subject": {"age": 12, "consent": {"kind": "separate", "id": "c-2"}}, "alternative_offered": true,
	}),
	_sim({
		"jurisdiction": "CN", "use_case": "identity_verification", "purpose": "identity_verification",
		"requester": {"org": "bank", "type": "private"}, "site": {"type": "private_premises", "camera_id": "c"},
		"subject": {"age": 40, "consent": {"kind": "separate", "id": "c-3"}}, "alternative_offered": true,
	}),
	_sim({"jurisdiction": "CN", "legal_mandate": "MIIT", "liveness": _bona_fide}),
	_sim({"jurisdiction": "CN", "legal_mandate": "MIIT", "liveness": _attack}),
	_sim({"jurisdiction": "CN", "legal_mandate": "MIIT", "liveness": null}),
	_sim({"jurisdiction": "CN", "legal_mandate": "MIIT", "time": "2019-11-30T10:00:00Z", "liveness": _bona_fide}),
	_sim({"liveness": _attack}),
	_sim({"time": "tomorrow"}),
	_sim({"jurisdiction": "XX"}),
	_camera({}),
	_camera({"time": "2026-12-01T10:00:00Z"}),
	_camera({"time": "2026-11-30T00:00:00Z"}),
	_camera({"site": {"type": "transport", "camera_id": "cam-9", "signage": true}}),
	_camera({"authorisation_id": "A-pending", "time": "2026-11-27T09:30:00Z"}),
	_camera({"authorisation_id": "A-pending", "time": "2026-11-29T09:30:00Z"}),
	_camera({"authorisation_id": "A-missing", "case": {"ref": "", "offence": {"category": "fraud"}}}),
	_camera({
		"jurisdiction": "US-WA", "use_case": "live_identification", "authorisation_id": "W-1",
		"site": {"type": "public_space", "camera_id": "cam-5", "signage": null},
		"deployment": {"accountability_report_id": "ar", "accountability_report_date": "2024-11-27"},
	}),
	_camera({
		"jurisdiction": "US-WA", "use_case": "live_identification", "authorisation_id": null, "exigent": true,
		"site": {"type": "public_space", "camera_id": "cam-5", "signage": null},
		"deployment": {"accountability_report_id": "ar", "accountability_report_date": "2026-01-10"},
	}),
	_camera({
		"jurisdiction": "US-WA", "use_case": "live_identification", "authorisation_id": "W-1",
		"site": {"type": "public_space", "camera_id": "cam-5", "signage": null},
		"deployment": {"accountability_report_id": "ar", "accountability_report_date": "2024-11-27"},
		"time": "2026-12-30T23:59:59Z",
	}),
	_camera({
		"jurisdiction": "US-WA", "use_case": "live_identification", "authorisation_id": "W-1",
		"site": {"type": "public_space", "camera_id": "cam-5", "signage": null},
		"deployment": {"accountability_report_id": "ar", "accountability_report_date": "2024-11-27"},
		"time": "2026-12-31T00:00:00Z",
	}),
	_camera({
		"jurisdiction": "US-WA", "use_case": "live_identification", "authorisation_id": "W-1",
		"site": {"type": "public_space", "camera_id": "cam-5", "signage": null},
		"deployment": {"accountability_report_id": "ar", "accountability_report_date": "2024-11-27"},
		"time": "2020-01-01T00:00:00Z",
	}),
	"not a request",
]

test_a_batch_judges_every_request_as_if_it_were_alone if {
	decisions := batch.decisions with input as {"requests": _requests} with data.custodes.registry as _registry
	count(decisions) == count(_requests)
	every i, request in _requests {
		decisions[i] == decision with input as {"request": request} with data.custodes.registry as _registry
	}
}

# The time a key keeps compares with every date as the event time does, near a date (within
# the hour: worked out for the time alone), before, at, between and after them all.
test_a_key_time_compares_with_every_date_as_the_event_time_does if {
	context._in_class([], 5) == 0
	hour := 3600000000000
	bounds := [-3 * hour, 10 * hour, 20 * hour, (20 * hour) + 1, 50 * hour]
	every ns in [
		-5 * hour, -3 * hour, (-3 * hour) + 1, -1800000000000, 0, (10 * hour) - 1, 10 * hour,
		15 * hour, (19 * hour) + 7, 20 * hour, (20 * hour) + 1, (20 * hour) + 2, 35 * hour,
		(49 * hour) + 1, 50 * hour, (50 * hour) + 1, 90 * hour,
	] {
		class := context._in_class(bounds, ns)
		every bound in bounds {
			_order(class, bound) == _order(ns, bound)
		}
	}
}

_order(a, b) := -1 if a < b

_order(a, b) := 0 if a == b

_order(a, b) := 1 if a > b
