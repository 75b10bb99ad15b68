# METADATA
# title: custodes batch decisions
# description: |
#   Entry point data.custodes.batch.decisions for the gate's batched calls: for
#   input.requests (a list of request objects), the decision documents in the same
#   order, each exactly data.custodes.decision with input {"request": r}. Undefined when
#   input.requests is not a list (the gate then fails closed). Every request is judged
#   by the same functions as data.custodes.decision (custodes.rules.document) in one
#   evaluation, so what depends only on the packs is worked out once per batch.
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
