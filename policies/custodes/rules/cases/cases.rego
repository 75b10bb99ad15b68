# METADATA
# title: Case files
# description: |
#   A `cases` entry makes a covered request name its case: a reference (the file where
#   necessity is documented) and, if the entry needs it, the offence. Untargeted 1:N
#   search is never allowed where such an entry applies.
package custodes.rules.cases

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: Case missing
# description: The request lacks the case reference or offence the entry needs.
# custom:
#   code: missing_case
#   citations:
#     EU-16: EU AI Act Art 26(10) (targeted search tied to a specific offence)
#     EU-19: Law Enforcement Directive (EU) 2016/680 Art 10; CJEU C-205/21 (strict necessity, case by case)
deny contains hit if {
	some item in context.active.cases
	missing := [need | some need in item.entry.need; not _has(context.request, need)]
	count(missing) > 0
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: the request names no case %s",
		[item.layer.code, concat(" or ", missing)],
	)))
}

_has(request, "ref") if {
	is_string(request.case.ref)
	trim_space(request.case.ref) != ""
}

_has(request, "offence") if {
	is_string(request.case.offence.category)
	trim_space(request.case.offence.category) != ""
}
