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

_request := context.request

_vocabulary := packs.vocabulary

_use_case := object.get(_request, "use_case", null)

_purpose := object.get(_request, "purpose", null)

_requester_type := object.get(_request, ["requester", "type"], null)

# METADATA
# title: Nothing permits it
# description: |
#   Fail closed: no layer covering the request enables this use, so it is denied even
#   when no other rule names a reason.
# custom:
#   code: no_permitting_rule
#   requirement: CUSTODES-01
#   legal_ref: custodes policies/README.md CUSTODES-01 (fail closed; REQUIREMENTS.md section 1)
deny contains hit if {
	count(enabled.permit) == 0
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"no layer of %v enables %s",
		[context.layer_codes, context.summary],
	)))
}

# METADATA
# title: Unknown jurisdiction
# description: A jurisdiction code the packs do not know is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_jurisdiction
#   requirement: CUSTODES-02
#   legal_ref: custodes policies/README.md CUSTODES-02 (REQUIREMENTS.md section 1, jurisdiction codes)
deny contains hit if {
	not context.known
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"no policy pack for jurisdiction %v",
		[object.get(_request, "jurisdiction", null)],
	)))
}

# METADATA
# title: Unknown use case
# description: The use cases are a closed set; anything else is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_use_case
#   requirement: CUSTODES-03
#   legal_ref: custodes policies/README.md CUSTODES-03 (REQUIREMENTS.md section 1, use cases)
deny contains hit if {
	not _known_use_case
	message := sprintf("use case %v is not in the vocabulary", [_use_case])
	hit := result.hit(0, result.reason(rego.metadata.chain(), message))
}

# METADATA
# title: Unknown purpose
# description: A purpose outside the vocabulary is denied (REQUIREMENTS.md section 1).
# custom:
#   code: unknown_purpose
#   requirement: CUSTODES-04
#   legal_ref: custodes policies/README.md CUSTODES-04 (REQUIREMENTS.md section 1, purposes)
deny contains hit if {
	not _purpose in _vocabulary.purposes
	message := sprintf("purpose %v is not in the vocabulary", [_purpose])
	hit := result.hit(0, result.reason(rego.metadata.chain(), message))
}

# METADATA
# title: Malformed request
# description: |
#   A request the rules cannot judge: not an object, a time that is not RFC 3339 (rules
#   are judged at the event's time), or a value outside the vocabulary.
# custom:
#   code: invalid_request
#   requirement: CUSTODES-05
#   legal_ref: custodes policies/README.md CUSTODES-05 (decision contract)
deny contains hit if {
	some problem in _problems
	hit := result.hit(0, result.reason(rego.metadata.chain(), problem))
}

_known_use_case if is_object(_vocabulary.use_cases[_use_case])

_request_is_object if is_object(input.request)

_problems contains "input.request is missing or not an object" if not _request_is_object

_problems contains sprintf("time %v is not an RFC 3339 timestamp", [object.get(_request, "time", null)]) if {
	not context.event_ns
}

_problems contains sprintf("requester type %v is not in the vocabulary", [_requester_type]) if {
	not _requester_type in _vocabulary.requester_types
}

_problems contains sprintf("%s %v is not in the vocabulary", [name, value]) if {
	some name, path in _optional_fields
	value := object.get(_request, path, null)
	value != null
	not value in _vocabulary[_vocabularies[name]]
}

_optional_fields := {
	"site type": ["site", "type"],
	"site device": ["site", "device"],
	"consent kind": ["subject", "consent", "kind"],
	"source": ["source"],
}

_vocabularies := {
	"site type": "site_types",
	"site device": "devices",
	"consent kind": "consent_kinds",
	"source": "sources",
}
