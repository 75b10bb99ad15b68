# METADATA
# title: Safeguards at the point of capture
# description: |
#   An `alternatives` entry makes a covered request show that a method without face
#   recognition was offered (unless a legal mandate applies); a `signage` entry makes it
#   show prominent signs at the site.
package custodes.rules.safeguards

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: No alternative offered
# description: Face recognition may not be the only way to meet the purpose.
# custom:
#   code: no_alternative_offered
#   citations:
#     CN-03: CAC/MPS face recognition Measures Art 10 (check)
no_alternative_offered(items, alternative_offered, mandate) := {hit |
	alternative_offered != true
	some item in items
	not _waived(item.entry, mandate)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: no method without face recognition was offered",
		[item.layer.code],
	)))
}

# METADATA
# title: No prominent signs
# description: Face recognition at this kind of site needs prominent signs.
# custom:
#   code: signage_missing
#   citations:
#     CN-04: CAC/MPS face recognition Measures Art 13; PIPL Art 26 (prominent signs)
signage_missing(items, signage, camera) := {hit |
	signage != true
	some item in items
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: site %v has no prominent face-recognition signs",
		[item.layer.code, camera],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of):
#   each rule is given what it reads of the request, so OPA works it out once for requests alike.
denials(facts) := alternatives(facts) | signage(facts)

# METADATA
# title: alternatives
# description: The hits of no_alternative_offered for a request's facts.
alternatives(facts) := no_alternative_offered(
	object.get(facts.active, "alternatives", set()),
	object.get(facts.request, "alternative_offered", null), facts.mandate,
)

# METADATA
# title: signage
# description: The hits of signage_missing for a request's facts.
signage(facts) := signage_missing(
	object.get(facts.active, "signage", set()),
	object.get(facts.request, ["site", "signage"], null),
	object.get(facts.request, ["site", "camera_id"], null),
)

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_waived(entry, true) if entry.unless_mandate == true
