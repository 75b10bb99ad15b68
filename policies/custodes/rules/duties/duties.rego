# METADATA
# title: Obligations
# description: |
#   What an allowed use must respect. Each layer's `obligations` entries in force
#   contribute values (`set`) and retention deadlines (`retain_until`); the
#   authorisation template contributes deadlines. Contributions combine strictest-first
#   by the rule the vocabulary gives each name (highest review quorum, lowest error rate,
#   shortest retention, earliest deadline, union of notifications, any true flag).
#   The platform's defaults (data.custodes.packs.platform) fill only names no layer set.
#   An entry marked `exemptible` is dropped when another layer's entry `exempts` its
#   requirement (a member state's national exemption, EU-06).
package custodes.rules.duties

import data.custodes.lib.result
import data.custodes.packs
import data.custodes.rules.authorisations
import data.custodes.rules.context

_day_ns := 86400000000000

_combining := packs.vocabulary.obligations

# The obligations entries active for a request (a term the requests alike share, so the
# functions of it below are worked out once for them).
_obligations(facts) := object.get(facts.active, "obligations", set())

_exempted(obligations) := {item.entry.exempts |
	some item in obligations
	is_string(item.entry.exempts)
}

_exempt(obligations) := {item |
	some item in obligations
	item.entry.exemptible == true
	item.entry.requirement in _exempted(obligations)
}

_applicable(obligations) := obligations - _exempt(obligations)

_set_contributions(obligations) := {{"name": name, "value": value} |
	some item in _applicable(obligations)
	some name, value in object.get(item.entry, "set", {})
}

_contributions(facts) := union({
	_set_contributions(obligations),
	{{"name": "retain_until", "value": time.format(until)} |
		some item in _retaining(obligations)
		until := min(_until_candidates(item.entry.retain_until, facts.request, facts.event_ns))
	},
	{{"name": "authorisation_deadline", "value": time.format(deadline)} |
		some deadline in authorisations.deadlines_of(facts)
	},
	# Templates enrolled or captured for one use case never serve another (REQUIREMENTS.md section 3).
	{{"name": "purpose_lock", "value": use_case} | use_case := facts.request.use_case},
}) if {
	obligations := _obligations(facts)
}

# The applicable entries that set a retention date.
_retaining(obligations) := {item | some item in _applicable(obligations); item.entry.retain_until}

_until_candidates(rule, request, now) := {until |
	some kind in {"after_event_years", "purpose_end", "after_purpose_end_days"}
	until := _until(kind, rule, request, now)
}

_until("after_event_years", rule, _, now) := time.add_date(now, rule.after_event_years, 0, 0)

_until("purpose_end", rule, request, _) := time.parse_rfc3339_ns(request.purpose_end) if rule.purpose_end == true

_until("after_purpose_end_days", rule, request, now) := end + (rule.after_purpose_end_days * _day_ns) if {
	end := _purpose_end(request, now)
}

_purpose_end(request, _) := time.parse_rfc3339_ns(request.purpose_end)

_purpose_end(request, now) := now if object.get(request, "purpose_end", null) == null

_combined(contributions) := {name: value |
	some name in {c.name | some c in contributions}
	values := [c.value | some c in contributions; c.name == name]
	value := _combine(_combining[name], values)
}

_combine("max", values) := max(values)

_combine("min", values) := min(values)

_combine("any", values) := true in values

_combine("union", values) := sort({x | some value in values; some x in value})

_combine("earliest", values) := time.format(min({time.parse_rfc3339_ns(v) | some v in values}))

_merged(mode, combined) := object.union(object.get(packs.platform.defaults, mode, {}), combined)

_retain_until_ns(combined, now) := {ns | ns := time.parse_rfc3339_ns(combined.retain_until)} | {ns |
	is_string(combined.retain_until)
	ns := now + (combined.retain_days * _day_ns)
}

# METADATA
# title: on_allow_of
# description: |
#   The obligations of an allowed request, from its facts (retain_until replaces
#   retain_days when a layer sets a date).
on_allow_of(facts) := _static_on_allow(obligations, facts.fields.use_cases, context.mode_of(facts.request)) if {
	# Most requests: no authorisation, no retention date: nothing that depends on the
	# request beyond its entries and use case.
	not facts.active.authorisations
	obligations := _obligations(facts)
	count(_retaining(obligations)) == 0
	not _sets_retention(obligations)
} else := _on_allow(
	context.mode_of(facts.request),
	_combined(_contributions(facts)),
	object.get(facts, "event_ns", null),
)

_static_on_allow(obligations, use_case, mode) := _merged(mode, _combined(_set_contributions(obligations) | {
# Templates enrolled or captured for one use case never serve another (REQUIREMENTS.md section 3).
{"name": "purpose_lock", "value": use_case} |
	use_case != set()
}))

_sets_retention(obligations) if {
	some item in _applicable(obligations)
	is_object(item.entry.set)
	"retain_until" in object.keys(item.entry.set)
}

_retain_until(combined, now) := time.format(min(_retain_until_ns(combined, now))) if is_string(combined.retain_until)

_on_allow(mode, combined, now) := object.union(
	object.remove(_merged(mode, combined), {"retain_days"}),
	{"retain_until": until},
) if {
	until := _retain_until(combined, now)
}

_on_allow(mode, combined, now) := _merged(mode, combined) if not _retain_until(combined, now)

# METADATA
# title: on_allow
# description: The obligations of input.request if allowed (see on_allow_of).
# scope: document
on_allow := on_allow_of(context.facts)

# METADATA
# title: on_deny_of
# description: Duties that survive a denial (a refused authorisation means deleting what was derived under it).
# scope: document
default on_deny_of(_) := {}

on_deny_of(facts) := {"delete_outputs": true} if authorisations.is_refused(facts)

# METADATA
# title: on_deny
# description: The duties that survive a denial of input.request (see on_deny_of).
# scope: document
on_deny := on_deny_of(context.facts)

# METADATA
# title: Obligation the platform cannot combine
# description: |
#   Fail closed: a pack sets an obligation name the vocabulary gives no combining rule,
#   so the platform could not tell the strictest value.
# custom:
#   code: unknown_obligation
#   requirement: CUSTODES-01
#   legal_ref: custodes policies/README.md CUSTODES-01 (fail closed)
denials(facts) := {hit |
	some name in (_unknown_set_names(_obligations(facts)) | _unknown_other_names(facts))
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"obligation %v has no combining rule in the vocabulary",
		[name],
	)))
}

# The names the entries set without a combining rule in the vocabulary.
_unknown_set_names(obligations) := {contribution.name |
	some contribution in _set_contributions(obligations)
	not _combining[contribution.name]
}

# The other names contributed without one: looked up in the vocabulary first, so the
# contributions are worked out only when one of them is unknown.
_unknown_other_names(facts) := {name |
	some name in _unknown_fixed
	some contribution in _contributions(facts)
	contribution.name == name
}

_unknown_fixed contains name if {
	some name in ["retain_until", "authorisation_deadline", "purpose_lock"]
	not _combining[name]
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)
