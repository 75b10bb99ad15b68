# METADATA
# title: custodes batch decisions
# description: |
#   Entry point data.custodes.batch.decisions for the gate's batched calls: for
#   input.requests (a list of request objects), the decision documents in the same
#   order, each exactly data.custodes.decision with input {"request": r}. Undefined when
#   input.requests is not a list (the gate then fails closed).
# entrypoint: true
package custodes.batch

import data.custodes.decision

# METADATA
# title: decisions
# description: One decision document per request, in order.
decisions := [d |
	some request in input.requests

	# regal ignore:with-outside-test-context,comprehension-term-assignment
	d := decision with input as {"request": request}
] if {
	is_array(input.requests)
}
