# METADATA
# title: SIM-registration mandates
# description: |
#   Where a law makes telecom operators verify a SIM buyer's face against the ID document
#   (a `sim_mandate` entry), the mandate is the lawful basis: only an operator, only for
#   SIM registration, only under a named mandate, only where the entry allows (a physical
#   outlet in CN), and only once the mandate is in force.
package custodes.rules.sim

import data.custodes.lib.conditions
import data.custodes.lib.result
import data.custodes.rules.context

_sim_request if context.request.use_case == "sim_registration_verification"

_mandates contains {"layer": layer, "entry": entry} if {
	_sim_request
	some layer in context.layers
	some entry in object.get(layer.pack, "sim_mandate", [])
}

_in_force contains item if {
	some item in _mandates
	conditions.in_force(item.entry, context.event_ns)
}

# METADATA
# title: Only a telecom operator may verify a SIM registration
# description: The SIM-registration mandates bind licensed telecom operators, nobody else.
# custom:
#   code: requester_not_telecom_operator
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text)
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts)
deny contains hit if {
	some item in _in_force
	requester := object.get(context.request, ["requester", "type"], null)
	requester != "telecom_operator"
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: requester type %v is not a telecom operator",
		[item.layer.code, requester],
	)))
}

# METADATA
# title: Legal mandate required
# description: The mandate is the basis for processing biometric data here; without one, nothing permits it.
# custom:
#   code: missing_legal_mandate
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019); PIPL Art 13(3)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text); Data Protection Act 2019 s.30
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts); NDPA 2023 s.25
deny contains hit if {
	not conditions.has_mandate(context.request)
	some item in _in_force
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: no legal_mandate reference on the request",
		[item.layer.code],
	)))
}

# METADATA
# title: Purpose must be SIM registration
# description: The mandate covers SIM registration only (purpose lock).
# custom:
#   code: purpose_not_permitted
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019) (purpose lock)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text); Data Protection Act 2019 s.25(c)
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts); NDPA 2023 s.24(1)(b)
deny contains hit if {
	some item in _in_force
	purpose := object.get(context.request, "purpose", null)
	purpose != "sim_registration"
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: purpose %v is not covered by the SIM-registration mandate",
		[item.layer.code, purpose],
	)))
}

# METADATA
# title: Mandate covers listed sites only
# description: Where the entry lists site types (in CN, physical outlets), the mandate covers only those.
# custom:
#   code: site_not_permitted
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019) (physical outlets)
deny contains hit if {
	some item in _in_force
	sites := item.entry.site_types
	site := object.get(context.request, ["site", "type"], null)
	not site in sites
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: site type %v is not covered by the mandate (%v)",
		[item.layer.code, site, sites],
	)))
}

# METADATA
# title: Mandate not yet in force
# description: A decision is made at the event's time; before the mandate's effective date there is none.
# custom:
#   code: mandate_not_in_force
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (in force 2019-12-01)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text)
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts)
deny contains hit if {
	some item in _mandates
	context.event_ns < time.parse_rfc3339_ns(item.entry.effective_from)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: event at %v precedes the mandate's effective date %v",
		[item.layer.code, context.request.time, item.entry.effective_from],
	)))
}
