# METADATA
# title: custodes batch decisions
# description: |
#   Entry point data.custodes.batch.decisions for batched calls: for input.requests (a
#   list of request objects), the decision documents in the same order, each exactly
#   data.custodes.decision with input {"request": r}. Undefined when input.requests is
#   not a list (the gate then fails closed). Every request is judged by the same
#   functions as data.custodes.decision (custodes.rules.document) in one evaluation, so
#   what depends only on the packs is worked out once per batch.
#
#   data.custodes.batch.judged (what the gate asks for) says the same more compactly:
#   each distinct document once, without its decision_id, and per request the index of
#   its document and its decision_id; requests alike (one key, context.key_of) share a
#   document, so OPA neither builds nor encodes one per request.
# entrypoint: true
package custodes.batch

import data.custodes.rules
import data.custodes.rules.context

# METADATA
# title: decisions
# description: One decision document per request, in order.
# scope: document
decisions := [rules.document(request, rules.no_local_hits) | some request in input.requests] if {
	is_array(input.requests)
	not rules.has_local
}

# A jurisdiction-specific package reads input.request (custodes.rules.context): judge its
# rules with each request as input, and with the facts already worked out for it.
decisions := [rules.document(request, local) |
	some request in input.requests
	facts := context.facts_of(request)

	# regal ignore:with-outside-test-context
	local := rules.local_hits with input as {"request": request} with context.facts as facts
] if {
	is_array(input.requests)
	rules.has_local
}

# METADATA
# title: judged
# description: |
#   decisions, compactly: {"documents": [document without decision_id, ...], "decisions":
#   [[index into documents, decision_id], ...]} with one entry per request, in order;
#   documents[i] with "decision_id" added is decisions[j] for every [i, id] at j.
#   Undefined when input.requests is not a list.
# scope: document
judged := {
	"documents": [rules.decided(key, rules.no_local_hits) | some key in _distinct_keys],
	"decisions": [[_position[_keys[i]], rules.decision_id(request)] | some i, request in input.requests],
} if {
	is_array(input.requests)
	not rules.has_local
}

# With jurisdiction-specific packages, every request has its own document.
judged := {
	"documents": [object.remove(document, ["decision_id"]) | some document in decisions],
	"decisions": [[i, document.decision_id] | some i, document in decisions],
} if {
	is_array(input.requests)
	rules.has_local
}

# Each request's key, the distinct keys (sorted) and where each is among them.
_keys := [context.key_of(request) | some request in input.requests]

_distinct_keys := [key | some key in {key | some key in _keys}]

_position[key] := i if some i, key in _distinct_keys
