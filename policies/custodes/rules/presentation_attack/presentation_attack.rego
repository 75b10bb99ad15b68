# METADATA
# title: Presentation-attack (liveness) checks
# description: |
#   A `liveness` entry makes a covered request show that the face it compares passed a
#   presentation-attack (liveness) check (ISO/IEC 30107-3): the request's
#   `liveness.result` must be a result the vocabulary marks bona fide
#   (`vocabulary.liveness_results`). No evidence (`liveness` missing or null), or any
#   other result (an attack detected, inconclusive, a value outside the vocabulary),
#   denies. Which uses need the check is pack data: the entry's `when`.
package custodes.rules.presentation_attack

import data.custodes.lib.result
import data.custodes.packs
import data.custodes.rules.context

# METADATA
# title: Liveness check required
# description: The face compared must have passed a presentation-attack (liveness) check with a bona-fide result.
# custom:
#   code: liveness_required
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019) (presentation-attack check at registration)
liveness_required(items, outcome) := {hit |
	not _bona_fide(outcome)
	some item in items
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: the face was not shown to be live by a presentation-attack check (liveness result %v, bona fide required)",
		[item.layer.code, outcome],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of):
#   the rule is given the active `liveness` entries and the result of the request's check
#   (null without one), so OPA works it out once for requests alike.
denials(facts) := liveness_required(
	object.get(facts.active, "liveness", set()),
	_result(object.get(facts.request, "liveness", null)),
)

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

# The result of a liveness check, null without one.
_result(evidence) := outcome if {
	outcome := evidence.result
} else := null

_bona_fide(outcome) if packs.vocabulary.liveness_results[outcome].bona_fide == true
