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
purpose_not_permitted(items, purpose) := {hit |
	some item in items
	allowed := item.entry.purposes
	not purpose in allowed
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: purpose %v is not one of %v",
		[item.layer.code, purpose, allowed],
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
offence_not_permitted(items, purpose, offence) := {hit |
	some item in items
	rule := item.entry.offences
	purpose in rule.for_purposes
	not _qualifies(rule, offence)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: offence %v (max sentence %v years) is not a listed offence punishable by at least %v years",
		[
			item.layer.code,
			_property(offence, "category"),
			_property(offence, "max_sentence_years"),
			rule.min_max_sentence_years,
		],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of):
#   each rule is given what it reads of the request (its purpose as object.get and as
#   the condition field, case.offence), so OPA works it out once for requests alike.
denials(facts) := purpose_not_permitted(items, object.get(facts.request, "purpose", null)) | offence_not_permitted(
	items, facts.fields.purposes,
	object.get(facts.request, ["case", "offence"], null),
) if {
	items := object.get(facts.active, "purposes", set())
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_qualifies(rule, offence) if {
	offence.category in rule.categories
	years := offence.max_sentence_years
	is_number(years)
	years >= rule.min_max_sentence_years
}

_property(offence, name) := object.get(offence, name, null) if {
	is_object(offence)
} else := null
