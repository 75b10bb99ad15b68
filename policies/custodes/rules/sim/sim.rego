# METADATA
# title: SIM-registration mandates
# description: |
#   Where a law makes telecom operators verify a SIM buyer's face against the ID document
#   (a `sim_mandate` entry), the mandate is the lawful basis: only an operator, only for
#   SIM registration, only under a named mandate, only where the entry allows (a physical
#   outlet in CN), and only once the mandate is in force.
package custodes.rules.sim

import data.custodes.lib.result
import data.custodes.rules.context

# The mandates (the layers' sim_mandate entries, dates parsed) in force at ns.
_in_force(mandates, ns) := {item |
	some item in mandates
	ns >= item.from
	not _ended(item, ns)
}

_ended(item, ns) if ns >= item.until

# METADATA
# title: Only a telecom operator may verify a SIM registration
# description: The SIM-registration mandates bind licensed telecom operators, nobody else.
# custom:
#   code: requester_not_telecom_operator
#   citations:
#     CN-01: MIIT notice on real-name registration of telephone users (2019)
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text)
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts)
requester_not_telecom_operator(in_force, requester) := {hit |
	some item in in_force
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
missing_legal_mandate(in_force, mandate) := {hit |
	not mandate
	some item in in_force
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
purpose_not_permitted(in_force, purpose) := {hit |
	some item in in_force
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
site_not_permitted(in_force, site) := {hit |
	some item in in_force
	sites := item.entry.site_types
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
mandate_not_in_force(mandates, ns, event_time) := {hit |
	some item in mandates
	ns < item.from
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: event at %v precedes the mandate's effective date %v",
		[item.layer.code, event_time, item.entry.effective_from],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of),
#   none unless it is a SIM registration judged at an RFC 3339 time: each rule is given what
#   it reads (the mandates in force, requester type, mandate, purpose, site type, time), so
#   OPA works it out once for requests alike.
denials(facts) := _denials(
	facts.mandates, facts.event_ns, object.get(facts.request, "time", null), facts.mandate,
	[
		object.get(facts.request, ["requester", "type"], null), object.get(facts.request, "purpose", null),
		object.get(facts.request, ["site", "type"], null),
	],
) if {
	facts.request.use_case == "sim_registration_verification"
} else := set()

_denials(mandates, ns, event_time, mandate, [requester, purpose, site]) := union({
	requester_not_telecom_operator(in_force, requester),
	missing_legal_mandate(in_force, mandate),
	purpose_not_permitted(in_force, purpose),
	site_not_permitted(in_force, site),
	mandate_not_in_force(mandates, ns, event_time),
}) if {
	in_force := _in_force(mandates, ns)
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)
