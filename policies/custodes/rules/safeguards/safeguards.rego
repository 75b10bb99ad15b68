# METADATA
# title: Safeguards at the point of capture
# description: |
#   An `alternatives` entry makes a covered request show that a method without face
#   recognition was offered (unless a legal mandate applies); a `signage` entry makes it
#   show prominent signs at the site.
package custodes.rules.safeguards

import data.custodes.lib.conditions
import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: No alternative offered
# description: Face recognition may not be the only way to meet the purpose.
# custom:
#   code: no_alternative_offered
#   citations:
#     CN-03: CAC/MPS face recognition Measures Art 10 (check)
deny contains hit if {
	object.get(context.request, "alternative_offered", null) != true
	some item in context.active.alternatives
	not _waived(item.entry, context.request)
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
deny contains hit if {
	object.get(context.request, ["site", "signage"], null) != true
	some item in context.active.signage
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: site %v has no prominent face-recognition signs",
		[item.layer.code, object.get(context.request, ["site", "camera_id"], null)],
	)))
}

_waived(entry, request) if {
	entry.unless_mandate == true
	conditions.has_mandate(request)
}
