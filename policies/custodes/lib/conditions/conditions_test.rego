package custodes.lib.conditions_test

import data.custodes.lib.conditions

_ns(t) := time.parse_rfc3339_ns(t)

_entry := {"effective_from": "2021-01-01T00:00:00Z", "effective_until": "2022-01-01T00:00:00Z"}

_request := {
	"use_case": "live_identification",
	"requester": {"type": "private"},
	"site": {"type": "retail", "device": "user_owned"},
	"purpose": "safety",
	"source": "public_web",
	"subject": {"consent": {"kind": "written"}},
	"legal_mandate": "ordinance 12",
	"exigent": true,
}

test_in_force_from_effective_date_until_effective_until if {
	not conditions.in_force(_entry, _ns("2020-12-31T23:59:59Z"))
	conditions.in_force(_entry, _ns("2021-01-01T00:00:00Z"))
	not conditions.in_force(_entry, _ns("2022-01-01T00:00:00Z"))
	conditions.in_force({"effective_from": "2021-01-01T00:00:00Z"}, _ns("2099-01-01T00:00:00Z"))
}

test_met_when_every_list_condition_holds if {
	conditions.met(
		{
			"use_cases": ["live_identification"], "requester_types": ["private"], "site_types": ["retail"],
			"purposes": ["safety"], "sources": ["public_web"], "devices": ["user_owned"], "consent_kinds": ["written"],
		},
		_request,
	)
	conditions.met({}, _request)
}

test_not_met_when_one_condition_fails if {
	not conditions.met({"use_cases": ["live_identification"], "site_types": ["public_space"]}, _request)
}

test_empty_list_accepts_nothing if {
	not conditions.met({"use_cases": []}, _request)
}

test_missing_field_meets_no_list_condition if {
	not conditions.met({"site_types": ["retail"]}, object.remove(_request, {"site"}))
}

test_unknown_condition_never_holds if {
	not conditions.met({"colour": ["blue"]}, _request)
}

test_legal_mandate_condition if {
	conditions.met({"legal_mandate": true}, _request)
	not conditions.met({"legal_mandate": false}, _request)
	conditions.met({"legal_mandate": false}, object.union(_request, {"legal_mandate": " "}))
}

test_exigent_condition if {
	conditions.met({"exigent": true}, _request)
	conditions.met({"exigent": false}, object.remove(_request, {"exigent"}))
}

test_has_mandate_needs_a_non_blank_string if {
	conditions.has_mandate({"legal_mandate": "act 4"})
	not conditions.has_mandate({"legal_mandate": ""})
	not conditions.has_mandate({"legal_mandate": 4})
	not conditions.has_mandate({})
}

test_date_ns_reads_timestamps_and_calendar_dates if {
	conditions.date_ns("2025-09-01") == _ns("2025-09-01T00:00:00Z")
	conditions.date_ns("2025-09-01T12:00:00+02:00") == _ns("2025-09-01T10:00:00Z")
	not conditions.date_ns("September")
}

test_condition_names_cover_the_matched_fields if {
	"devices" in conditions.names
	"legal_mandate" in conditions.names
}

_whens := [
	{}, {"use_cases": ["live_identification"]}, {"use_cases": ["identity_verification"]},
	{"site_types": ["retail"], "devices": ["user_owned"]}, {"consent_kinds": ["written", "explicit"]},
	{"legal_mandate": true}, {"legal_mandate": false}, {"exigent": true}, {"exigent": false},
	{"colour": ["blue"]}, {"use_cases": "live_identification"}, {"legal_mandate": "yes"}, {"use_cases": []},
	[], ["use_cases"], {"exigent"},
]

_requests := [
	_request,
	object.remove(_request, {"site", "legal_mandate", "exigent"}),
	object.union(_request, {"legal_mandate": " ", "exigent": false, "subject": {"consent": {"kind": null}}}),
	{},
]

_met(when, request) if {
	conditions.met(when, request)
} else := false

_holds(when, request) if {
	conditions.holds(when, conditions.fields(request), _mandate(request), object.get(request, "exigent", false))
} else := false

_mandate(request) if {
	conditions.has_mandate(request)
} else := false

test_holds_is_met_read_off_the_fields if {
	every when in _whens {
		every request in _requests {
			_holds(when, request) == _met(when, request)
		}
	}
}

test_simple_when_is_an_object_of_lists if {
	conditions.simple({"use_cases": ["x"], "site_types": []})
	not conditions.simple({"use_cases": "x"})
	not conditions.simple({"legal_mandate": true})
	not conditions.simple(["use_cases"])
}
