package custodes.rules.context_test

import data.custodes.rules.context

test_member_state_layers_put_the_bloc_first if {
	context.layer_codes == ["EU", "DE"] with input as {"request": {"jurisdiction": "DE"}}
	context.layer_codes == ["EU", "FR"] with input as {"request": {"jurisdiction": "FR"}}
}

test_locality_layers_run_country_state_locality if {
	context.layer_codes == ["US", "US-OR", "US-OR-portland"] with input as {"request": {"jurisdiction": "US-OR-portland"}}
	[l.rank | some l in context.layers] == [1, 2, 3] with input as {"request": {"jurisdiction": "US-OR-portland"}}
}

test_a_code_without_its_own_pack_is_unknown if {
	not context.known with input as {"request": {"jurisdiction": "US-OR-salem"}}
	context.layer_codes == [] with input as {"request": {"jurisdiction": "US-OR-salem"}}
	not context.known with input as {"request": {"jurisdiction": 7}}
}

test_request_defaults_to_an_empty_object if {
	context.request == {} with input as {"request": ["KE"]}
	context.request == {} with input as {}
}

test_event_time_is_undefined_unless_rfc3339 if {
	context.event_ns == 0 with input as {"request": {"time": "1970-01-01T00:00:00Z"}}
	not context.event_ns with input as {"request": {"time": "2026-11-27"}}
}

test_active_entries_are_in_force_and_met if {
	pack := {"ZZ": {"bans": [
		{"requirement": "ZZ-01", "effective_from": "2020-01-01T00:00:00Z", "when": {"use_cases": ["emotion_recognition"]}},
		{"requirement": "ZZ-02", "effective_from": "2030-01-01T00:00:00Z", "when": {}},
		{"requirement": "ZZ-03", "effective_from": "2020-01-01T00:00:00Z", "when": {"use_cases": ["live_identification"]}},
	]}}
	request := {"jurisdiction": "ZZ", "time": "2026-01-01T00:00:00Z", "use_case": "emotion_recognition"}
	active := context.active with input as {"request": request} with data.custodes.packs.jurisdictions as pack
	{item.entry.requirement | some item in active.bans} == {"ZZ-01"}
}

test_summary_and_mode_describe_the_request if {
	request := {
		"use_case": "post_identification", "requester": {"type": "law_enforcement"},
		"purpose": "serious_crime_suspect",
	}
	summary := "post_identification by law_enforcement for serious_crime_suspect"
	context.summary == summary with input as {"request": request}
	context.mode == "1:N" with input as {"request": request}
}
