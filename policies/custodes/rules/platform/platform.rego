# METADATA
# title: Platform rules
# description: |
#   What the platform denies before any law is asked: a malformed request, a
#   jurisdiction, use case or purpose outside the vocabulary, and anything no layer
#   permits (fail closed). These carry the platform IDs CUSTODES-01..05 defined in
#   policies/README.md, not REQUIREMENTS rows.
# related_resources:
#   - description: Platform IDs
#     ref: https://github.com/custodes/custodes/blob/main/policies/README.md#platform-ids
package custodes.rules.platform

import data.custodes.lib.result
import data.custodes.packs
import data.custodes.rules.context
import data.custodes.rules.enabled

# METADATA
# title: Nothing permits it
# description: |
#   Fail closed: no layer covering the request enables this use, so it is denied even
#   when no other rule names a reason.
# custom:
#   code: no_permitting_rule
#   requirement: CUSTODES-01
#   legal_ref: custodes policies/README.md CUSTODES-01 (fail closed; REQUIREMENTS.md section 1)
no_permitting_rule(permitted, layer_codes, summary) := {hit |
	not permitted
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"no layer of %v enables %s",
		[layer_codes, summary],
	)))
}

# METADATA
# title: Unknown jurisdiction
# description: A jurisdiction code the packs do not know is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_jurisdiction
#   requirement: CUSTODES-02
#   legal_ref: custodes policies/README.md CUSTODES-02 (REQUIREMENTS.md section 1, jurisdiction codes)
unknown_jurisdiction(known, jurisdiction) := {hit |
	not known
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"no policy pack for jurisdiction %v",
		[jurisdiction],
	)))
}

# METADATA
# title: Unknown use case
# description: The use cases are a closed set; anything else is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_use_case
#   requirement: CUSTODES-03
#   legal_ref: custodes policies/README.md CUSTODES-03 (REQUIREMENTS.md section 1, use cases)
unknown_use_case(use_case) := {hit |
	not _known_use_case(use_case)
	message := sprintf("use case %v is not in the vocabulary", [use_case])
	hit := result.hit(0, result.reason(rego.metadata.chain(), message))
}

# METADATA
# title: Unknown purpose
# description: A purpose outside the vocabulary is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_purpose
#   requirement: CUSTODES-04
#   legal_ref: custodes policies/README.md CUSTODES-04 (REQUIREMENTS.md section 1, purposes)
unknown_purpose(purpose) := {hit |
	not purpose in packs.vocabulary.purposes
	message := sprintf("purpose %v is not in the vocabulary", [purpose])
	hit := result.hit(0, result.reason(rego.metadata.chain(), message))
}

# METADATA
# title: Malformed request
# description: |
#   A request the rules cannot judge: not an object, a time that is not RFC 3339 (rules
#   are judged at the event's time), or a value outside the vocabulary. Given what it
#   reads: whether the request is an object, its time where that is not RFC 3339, and
#   its requester type, site type, site device, consent kind and source.
# custom:
#   code: invalid_request
#   requirement: CUSTODES-05
#   legal_ref: custodes policies/README.md CUSTODES-05 (decision contract)
invalid_request(is_request, bad_times, values) := {hit |
	some problem in _problems(is_request, bad_times, values)
	hit := result.hit(0, result.reason(rego.metadata.chain(), problem))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of)
#   and the `enabled` template's permits: each rule is given what it reads, so OPA works
#   it out once for requests alike.
denials(facts, permits) := _denials(
	[count(permits) > 0, facts.layer_codes, facts.summary],
	[
		facts.known, object.get(facts.request, "jurisdiction", null),
		object.get(facts.request, "use_case", null), object.get(facts.request, "purpose", null),
	],
	facts.request_is_object,
	[at | not facts.event_ns; at := object.get(facts.request, "time", null)],
	[
		object.get(facts.request, ["requester", "type"], null),
		object.get(facts.request, ["site", "type"], null),
		object.get(facts.request, ["site", "device"], null),
		object.get(facts.request, ["subject", "consent", "kind"], null),
		object.get(facts.request, "source", null),
	],
)

# outcome: [permitted, layer codes, summary]; names: [known, jurisdiction, use case, purpose].
_denials(outcome, names, is_request, bad_times, values) := union({
	no_permitting_rule(outcome[0], outcome[1], outcome[2]),
	unknown_jurisdiction(names[0], names[1]),
	unknown_use_case(names[2]),
	unknown_purpose(names[3]),
	invalid_request(is_request, bad_times, values),
})

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts, enabled.permits(context.facts))

_known_use_case(use_case) if is_object(packs.vocabulary.use_cases[use_case])

# values: requester type, site type, site device, consent kind, source (null where none).
_problems(is_request, bad_times, [requester_type, site_type, device, consent_kind, source]) := union({
	{"input.request is missing or not an object" | not is_request},
	{sprintf("time %v is not an RFC 3339 timestamp", [at]) | some at in bad_times},
	{sprintf("requester type %v is not in the vocabulary", [requester_type]) |
		not requester_type in packs.vocabulary.requester_types
	},
	{sprintf("%s %v is not in the vocabulary", [name, value]) |
		some [name, value, vocabulary] in [
			["site type", site_type, "site_types"],
			["site device", device, "devices"],
			["consent kind", consent_kind, "consent_kinds"],
			["source", source, "sources"],
		]
		value != null
		not value in packs.vocabulary[vocabulary]
	},
})
