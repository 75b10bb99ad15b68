# METADATA
# title: Purposes and offences
# description: |
#   A `purposes` entry limits the purposes a covered request may pursue and, for the
#   purposes it names, the offences (category and minimum maximum sentence). A
#   member-state layer narrows the bloc's list with an entry of its own (EU-08): every
#   layer's entry must hold, so the narrowest wins.
package custodes.rules.purposes

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: Purpose not permitted
# description: The request's purpose is not one the entry allows.
# custom:
#   code: purpose_not_permitted
#   citations:
#     EU-01: EU AI Act Art 5(1)(h)(i)-(iii)
#     EU-08: EU AI Act Art 5(5)
#     CN-04: CAC/MPS face recognition Measures Art 13; PIPL Art 26 (public security only)
deny contains hit if {
	some item in context.active.purposes
	allowed := item.entry.purposes
	not object.get(context.request, "purpose", null) in allowed
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: purpose %v is not one of %v",
		[item.layer.code, object.get(context.request, "purpose", null), allowed],
	)))
}

# METADATA
# title: Offence not serious enough
# description: |
#   For the purposes it names (e.g. serious_crime_suspect), the case's offence must be in
#   the entry's categories with a maximum sentence of at least the entry's minimum.
# custom:
#   code: offence_not_permitted
#   citations:
#     EU-01: EU AI Act Art 5(1)(h)(iii), Annex II (custodial sentence of at least 4 years)
#     EU-08: EU AI Act Art 5(5)
deny contains hit if {
	some item in context.active.purposes
	rule := item.entry.offences
	context.request.purpose in rule.for_purposes
	not _qualifies(rule, context.request)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: offence %v (max sentence %v years) is not a listed offence punishable by at least %v years",
		[
			item.layer.code,
			object.get(context.request, ["case", "offence", "category"], null),
			object.get(context.request, ["case", "offence", "max_sentence_years"], null),
			rule.min_max_sentence_years,
		],
	)))
}

_qualifies(rule, request) if {
	request.case.offence.category in rule.categories
	years := request.case.offence.max_sentence_years
	is_number(years)
	years >= rule.min_max_sentence_years
}
