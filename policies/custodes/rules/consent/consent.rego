# METADATA
# title: Consent as the lawful basis
# description: |
#   A `consent` entry makes a covered request need the subject's consent of an accepted
#   kind (explicit, written, separate), unless the entry lets a legal mandate replace
#   it; optionally, a guardian's consent below an age.
package custodes.rules.consent

import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: Consent missing
# description: No consent of an accepted kind, and no legal mandate that replaces it.
# custom:
#   code: missing_consent
#   citations:
#     EU-17: GDPR Art 9(1)-(2)(a),(g) (UK GDPR Art 9 in GB)
#     US-IL-02: 740 ILCS 14/15(b) (BIPA written release)
#     US-TX-01: Tex. Bus. & Com. Code §503.001(b)
#     CN-02: CAC/MPS face recognition Measures (2025); PIPL Art 29 (separate consent)
missing_consent(items, kind, mandate) := {hit |
	some item in items
	not kind in item.entry.consent_kinds
	not _replaced_by_mandate(item.entry, mandate)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: consent of kind %v required%s; got %v",
		[
			item.layer.code, item.entry.consent_kinds, _or_mandate(item.entry),
			_or_null(kind),
		],
	)))
}

# METADATA
# title: Guardian consent missing
# description: The subject is below the entry's age and the consent was not given by a guardian.
# custom:
#   code: guardian_consent_missing
#   citations:
#     CN-02: CAC/MPS face recognition Measures (2025); PIPL Art 31 (guardian consent under 14)
guardian_consent_missing(items, age, by_guardian, mandate) := {hit |
	is_number(age)
	by_guardian != true
	some item in items
	age < item.entry.guardian_below_age
	not _replaced_by_mandate(item.entry, mandate)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: a subject aged %v needs a guardian's consent (under %v)",
		[item.layer.code, age, item.entry.guardian_below_age],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of):
#   each rule is given what it reads of the request (consent kind as the condition field,
#   mandate, age, by_guardian), so OPA works it out once for requests alike.
denials(facts) := missing_consent(items, facts.fields.consent_kinds, facts.mandate) | guardian_consent_missing(
	items,
	object.get(facts.request, ["subject", "age"], null),
	object.get(facts.request, ["subject", "consent", "by_guardian"], null),
	facts.mandate,
) if {
	items := object.get(facts.active, "consent", set())
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_replaced_by_mandate(entry, true) if entry.mandate_replaces_consent == true

default _or_mandate(_) := ""

_or_mandate(entry) := " or a legal mandate" if entry.mandate_replaces_consent == true

# The consent kind as the request states it (the condition field is an empty set where it states none).
_or_null(kind) := null if {
	kind == set()
} else := kind
