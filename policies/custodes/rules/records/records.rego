# METADATA
# title: Deployment records
# description: |
#   A `records` entry makes a covered request need fields of its deployment record
#   (impact assessments, registrations, the authorising officer, reports), optionally
#   waived by a legal mandate, and optionally no older than a number of years.
package custodes.rules.records

import data.custodes.lib.conditions
import data.custodes.lib.result
import data.custodes.rules.context

# METADATA
# title: Deployment record missing
# description: The deployment record lacks fields the entry requires (or there is no deployment record).
# custom:
#   code: missing_deployment_record
#   citations:
#     EU-03: EU AI Act Art 5(2), 27, 49 (FRIA and EU database registration before use)
#     EU-18: GDPR Art 35(3); Law Enforcement Directive Art 27 (DPIA)
#     GB-01: R (Bridges) v CC South Wales Police [2020] EWCA Civ 1058 (authorising officer, locations)
#     GB-05: ICO Opinion on the use of live facial recognition by law enforcement (2019); DPA 2018 s.35, s.42, s.64
#     US-WA-01: RCW 43.386.020 (accountability report)
#     CN-02: CAC/MPS face recognition Measures (2025); PIPL Art 55-56 (impact assessment)
missing_deployment_record(items, mandate, deployment) := {hit |
	some item in items
	not _waived(item.entry, mandate)
	missing := [field | some field in item.entry.fields; not _present(deployment, field)]
	count(missing) > 0
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: the deployment record lacks %s",
		[item.layer.code, concat(", ", missing)],
	)))
}

# METADATA
# title: Deployment record out of date
# description: A dated record (e.g. an accountability report) is older than the entry allows, or undated.
# custom:
#   code: stale_deployment_record
#   citations:
#     US-WA-01: RCW 43.386.020 (report updated every two years)
stale_deployment_record(items, deployment, now) := {hit |
	some item in items
	rule := item.entry.max_age
	not _fresh(rule, deployment, now)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: %s %v is missing or older than %v years at the event time",
		[item.layer.code, rule.field, _property(deployment, rule.field), rule.years],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rules for a request's facts (custodes.rules.context.facts_of):
#   each rule is given what it reads (mandate, deployment record, event time), so OPA works
#   it out once for requests alike.
denials(facts) := missing_deployment_record(items, facts.mandate, deployment) | stale_deployment_record(
	items, deployment,
	facts.event_ns,
) if {
	items := object.get(facts.active, "records", set())
	deployment := object.get(facts.request, "deployment", null)
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_waived(entry, true) if entry.unless_mandate == true

_present(deployment, field) if {
	value := deployment[field]
	is_string(value)
	trim_space(value) != ""
}

_fresh(rule, deployment, now) if {
	dated := conditions.date_ns(deployment[rule.field])
	dated <= now
	time.add_date(dated, rule.years, 0, 0) >= now
}

_property(deployment, name) := object.get(deployment, name, null) if {
	is_object(deployment)
} else := null
