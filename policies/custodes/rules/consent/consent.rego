# METADATA
# title: Consent as the lawful basis
# description: |
#   A `consent` entry makes a covered request need the subject's consent of an accepted
#   kind (explicit, written, separate), unless the entry lets a legal mandate replace
#   it; optionally, a guardian's consent below an age.
package custodes.rules.consent

import data.custodes.lib.conditions
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
deny contains hit if {
	some item in context.active.consent
	not _consented(item.entry, context.request)
	not _replaced_by_mandate(item.entry, context.request)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: consent of kind %v required%s; got %v",
		[
			item.layer.code, item.entry.consent_kinds, _or_mandate(item.entry),
			object.get(context.request, ["subject", "consent", "kind"], null),
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
deny contains hit if {
	age := context.request.subject.age
	is_number(age)
	object.get(context.request, ["subject", "consent", "by_guardian"], null) != true
	some item in context.active.consent
	age < item.entry.guardian_below_age
	not _replaced_by_mandate(item.entry, context.request)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: a subject aged %v needs a guardian's consent (under %v)",
		[item.layer.code, age, item.entry.guardian_below_age],
	)))
}

_consented(entry, request) if request.subject.consent.kind in entry.consent_kinds

_replaced_by_mandate(entry, request) if {
	entry.mandate_replaces_consent == true
	conditions.has_mandate(request)
}

default _or_mandate(_) := ""

_or_mandate(entry) := " or a legal mandate" if entry.mandate_replaces_consent == true
