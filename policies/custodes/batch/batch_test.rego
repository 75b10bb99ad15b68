package custodes.batch_test

import data.custodes.batch
import data.custodes.decision

_sim := {
	"id": "evt-1",
	"time": "2026-11-27T10:00:00Z",
	"jurisdiction": "KE",
	"use_case": "sim_registration_verification",
	"purpose": "sim_registration",
	"requester": {"org": "safaricom", "type": "telecom_operator"},
	"site": {"type": "telecom_outlet"},
	"legal_mandate": "KE-SIM-REGISTRATION-REGULATIONS",
}

_requests := [
	_sim,
	object.union(_sim, {"id": "evt-2", "legal_mandate": null}),
	object.union(_sim, {"id": "evt-3", "jurisdiction": "XX"}),
]

test_batch_returns_one_decision_per_request_in_order if {
	decisions := batch.decisions with input as {"requests": _requests}
	[d.allow | some d in decisions] == [true, false, false]
	decisions[1].reasons[0].code == "missing_legal_mandate"
	decisions[2].jurisdictions == []
}

test_batch_decisions_equal_single_decisions if {
	decisions := batch.decisions with input as {"requests": _requests}
	every i, request in _requests {
		decisions[i] == decision with input as {"request": request}
	}
}

test_batch_of_no_requests_is_empty if {
	batch.decisions with input as {"requests": []}
	count(batch.decisions) == 0 with input as {"requests": []}
}

test_batch_is_undefined_without_a_list if {
	not batch.decisions with input as {"requests": {"a": _sim}}
	not batch.decisions with input as {"request": _sim}
}

test_batch_judges_jurisdiction_specific_rules_with_each_request_as_input if {
	hit := {"rank": 1, "reason": {"code": "local_rule", "requirement": "KE-01", "legal_ref": "x", "message": "m"}}
	local := {"ke": {"deny": {hit}}}
	decisions := batch.decisions with input as {"requests": _requests} with data.custodes.rules.local as local
	[d.allow | some d in decisions] == [false, false, false]
	every i, request in _requests {
		decisions[i] == decision with input as {"request": request} with data.custodes.rules.local as local
	}
}

# judged, expanded: each request's document with its decision_id, in order.
_expanded(judged) := [object.union(judged.documents[i], {"decision_id": id}) | some [i, id] in judged.decisions]

# Requests alike but for id and time (one key), others that differ, and some that are not requests.
_mixed := array.flatten([
	[object.union(_sim, {"id": sprintf("evt-alike-%d", [i]), "time": sprintf("2026-11-27T10:00:0%dZ", [i])}) |
		some i in numbers.range(0, 5)
	],
	_requests,
	[
		object.union(_sim, {"id": "evt-4", "requester": {"org": "x", "type": "private"}}),
		object.union(_sim, {"id": "evt-5", "time": "yesterday"}),
		"not-a-request", 42, null, {},
	],
])

test_judged_expands_to_exactly_the_decisions if {
	judged := batch.judged with input as {"requests": _mixed}
	count(judged.decisions) == count(_mixed)
	decisions := batch.decisions with input as {"requests": _mixed}
	_expanded(judged) == decisions
}

# (Without jurisdiction-specific packages: with them, every request has its own document.)
test_judged_documents_have_no_decision_id_and_requests_alike_share_one if {
	judged := batch.judged with input as {"requests": _mixed} with data.custodes.rules.local as {}
	count({i | some [i, _] in array.slice(judged.decisions, 0, 6)}) == 1
	count(judged.documents) < count(_mixed)
	count({id | some [_, id] in judged.decisions}) == count(_mixed)
	every document in judged.documents {
		not "decision_id" in object.keys(document)
	}
}

test_judged_of_no_requests_is_empty if {
	batch.judged == {"documents": [], "decisions": []} with input as {"requests": []}
}

test_judged_is_undefined_without_a_list if {
	not batch.judged with input as {"requests": {"a": _sim}}
	not batch.judged with input as {"request": _sim}
}

test_judged_expands_to_the_decisions_with_jurisdiction_specific_rules if {
	hit := {"rank": 1, "reason": {"code": "local_rule", "requirement": "KE-01", "legal_ref": "x", "message": "m"}}
	local := {"ke": {"deny": {hit}}}
	judged := batch.judged with input as {"requests": _mixed} with data.custodes.rules.local as local
	decisions := batch.decisions with input as {"requests": _mixed} with data.custodes.rules.local as local
	_expanded(judged) == decisions
	count(judged.documents) == count(_mixed)
}
