# METADATA
# title: Prohibited uses
# description: |
#   Bans: a `bans` entry (when: who, what, where, from which source) denies every
#   request it covers unless one of its `except` conditions holds. Used for outright
#   prohibitions (EU AI Act Art 5), member-state choices (EU-08), city bans (Portland,
#   San Francisco), private-space bans (CN-04) and private 1:N bans (KE, NG).
package custodes.rules.prohibitions

import data.custodes.lib.conditions
import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: A layer prohibits this use
# description: |
#   A `bans` entry in force covers the request and none of its exceptions holds: the hits
#   for the request's active `bans` entries, condition fields, mandate and exigent value
#   (the exceptions' conditions, conditions.holds) and summary.
# custom:
#   code: prohibited_use
#   citations:
#     EU-01: EU AI Act Art 5(1)(h) (law enforcement only)
#     EU-08: EU AI Act Art 5(5) (national enabling law)
#     EU-10: EU AI Act Art 5(1)(e)
#     EU-11: EU AI Act Art 5(1)(f)
#     EU-12: EU AI Act Art 5(1)(g)
#     GB-01: Bridges v South Wales Police [2020] EWCA Civ 1058; College of Policing APP on LFR
#     US-TX-01: Tex. Bus. & Com. Code §503.001
#     US-OR-portland-01: Portland City Code ch. 34.10
#     US-CA-san_francisco-01: San Francisco Administrative Code ch. 19B
#     CN-04: CAC/MPS face recognition Measures Art 13; PIPL Art 26
#     CN-06: PIPL Art 26
#     KE-01: Kenya SIM-card registration regulations 2015 (check current text); Data Protection Act 2019
#     NG-01: NCC SIM-registration regulations and NIN-SIM policy (check current texts); NDPA 2023
prohibited_use(items, fields, mandate, exigent, summary) := {hit |
	some item in items
	not _excepted(item.entry, fields, mandate, exigent)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: %s (%s)",
		[item.layer.code, item.entry.why, summary],
	)))
}

# METADATA
# title: denials
# description: The hits of this template's rules for a request's facts (custodes.rules.context.facts_of).
denials(facts) := prohibited_use(
	object.get(facts.active, "bans", set()), facts.fields, facts.mandate, facts.exigent,
	facts.summary,
)

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_excepted(entry, fields, mandate, exigent) if {
	some exception in object.get(entry, "except", [])
	conditions.holds(exception, fields, mandate, exigent)
}
