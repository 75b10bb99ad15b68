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
missing_case(items, named) := {hit |
	some item in items
	missing := [need | some need in item.entry.need; not need in named]
	count(missing) > 0
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: the request names no case %s",
		[item.layer.code, concat(" or ", missing)],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rule for a request's facts (custodes.rules.context.facts_of):
#   the rule is given what the request's case names (a reference, an offence), so OPA
#   works it out once for requests alike.
denials(facts) := missing_case(object.get(facts.active, "cases", set()), {need |
	some need in ["ref", "offence"]
	_has(facts.request, need)
})

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_has(request, "ref") if {
	is_string(request.case.ref)
	trim_space(request.case.ref) != ""
}

_has(request, "offence") if {
	is_string(request.case.offence.category)
	trim_space(request.case.offence.category) != ""
}
