# METADATA
# title: Rules of the first pack
# description: |
#   Permit and deny rules; each carries its requirement ID and legal reference in METADATA,
#   from which custodes.lib.result builds the reasons. Jurisdiction differences live in
#   data.custodes.packs, not in Rego.
package custodes.rules

import data.custodes.lib.result
import data.custodes.packs

_request := input.request

# METADATA
# title: pack
# description: The jurisdiction pack covering the request, undefined for an unknown code.
pack := packs.jurisdictions[_request.jurisdiction]

_sim := pack.sim_registration

_event_ns := time.parse_rfc3339_ns(_request.time)

# METADATA
# title: SIM-registration verification under a legal mandate
# description: |
#   A telecom operator compares the buyer's selfie with the ID-document portrait because
#   the law of the jurisdiction requires it; the mandate replaces consent (EU-17, CN-02).
# custom:
#   code: sim_verification_under_mandate
#   requirement: CN-01
#   legal_ref: see jurisdiction pack
permit contains reason if {
	_request.use_case == "sim_registration_verification"
	_request.purpose == "sim_registration"
	_request.requester.type == "telecom_operator"
	_has_mandate(_request)
	_event_ns >= time.parse_rfc3339_ns(_sim.effective_from)
	reason := object.union(
		result.reason(rego.metadata.chain(), sprintf("%s: SIM verification by %s under mandate %s", [
			_request.jurisdiction, _request.requester.org, _request.legal_mandate,
		])),
		{"requirement": _sim.requirement, "legal_ref": _sim.legal_ref},
	)
}

# METADATA
# title: Unknown jurisdiction
# description: A jurisdiction code the packs do not know is denied (REQUIREMENTS section 1).
# custom:
#   code: unknown_jurisdiction
#   requirement: VOCAB-JURISDICTION
#   legal_ref: custodes REQUIREMENTS.md section 1 (codes the packs do not know are denied)
deny contains reason if {
	not pack
	reason := result.reason(rego.metadata.chain(), sprintf("no policy pack for jurisdiction %q", [_request.jurisdiction]))
}

# METADATA
# title: Use case not permitted by any pack
# description: Only SIM-registration verification is enabled so far; every other use case is denied.
# custom:
#   code: use_case_not_permitted
#   requirement: VOCAB-USE-CASE
#   legal_ref: custodes REQUIREMENTS.md section 1 (closed set of use cases; default deny)
deny contains reason if {
	_request.use_case != "sim_registration_verification"
	reason := result.reason(rego.metadata.chain(), sprintf("use case %q is not permitted here", [_request.use_case]))
}

# METADATA
# title: Purpose must be SIM registration
# description: The SIM-registration mandate covers only the purpose sim_registration (purpose lock).
# custom:
#   code: purpose_not_permitted
#   requirement: CN-01
#   legal_ref: MIIT notice on real-name registration; GDPR Art 5(1)(b)
deny contains reason if {
	_request.use_case == "sim_registration_verification"
	_request.purpose != "sim_registration"
	reason := result.reason(rego.metadata.chain(), sprintf("purpose %q is not covered by a SIM mandate", [_request.purpose]))
}

# METADATA
# title: Only a telecom operator may verify a SIM registration
# description: The SIM-registration mandates bind licensed telecom operators, nobody else.
# custom:
#   code: requester_not_telecom_operator
#   requirement: KE-01
#   legal_ref: SIM-registration regulations (CN-01, KE-01, NG-01)
deny contains reason if {
	_request.use_case == "sim_registration_verification"
	_request.requester.type != "telecom_operator"
	reason := result.reason(rego.metadata.chain(), sprintf("requester type %q is not a telecom operator", [
		_request.requester.type,
	]))
}

# METADATA
# title: Legal mandate required
# description: Biometric processing for unique identification needs an Art 9(2) basis; here, the mandate.
# custom:
#   code: missing_legal_mandate
#   requirement: EU-17
#   legal_ref: GDPR Art 9(2)(g); PIPL Art 28
deny contains reason if {
	_request.use_case == "sim_registration_verification"
	not _has_mandate(_request)
	reason := result.reason(rego.metadata.chain(), "no legal_mandate reference on the request")
}

# METADATA
# title: Mandate not yet in force
# description: A decision is made at the event's time; before the mandate's effective date there is none.
# custom:
#   code: mandate_not_in_force
#   requirement: CN-01
#   legal_ref: see jurisdiction pack (effective_from)
deny contains reason if {
	_request.use_case == "sim_registration_verification"
	_event_ns < time.parse_rfc3339_ns(_sim.effective_from)
	reason := result.reason(rego.metadata.chain(), sprintf("event at %s precedes the mandate's effective date %s", [
		_request.time, _sim.effective_from,
	]))
}

# METADATA
# title: Nothing permits it
# description: Fail closed — no allow rule matched, so the event is denied even if no deny rule named why.
# custom:
#   code: no_permitting_rule
#   requirement: VOCAB-USE-CASE
#   legal_ref: custodes REQUIREMENTS.md section 1 (default deny)
deny contains reason if {
	count(permit) == 0
	reason := result.reason(rego.metadata.chain(), "no rule permits this request")
}

_has_mandate(request) if {
	is_string(request.legal_mandate)
	trim_space(request.legal_mandate) != ""
}
