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

_exempted contains item.entry.exempts if {
	some item in context.active.obligations
	is_string(item.entry.exempts)
}

_exempt contains item if {
	some item in context.active.obligations
	item.entry.exemptible == true
	item.entry.requirement in _exempted
}

_applicable := context.active.obligations - _exempt

_contributions contains {"name": name, "value": value} if {
	some item in _applicable
	some name, value in object.get(item.entry, "set", {})
}

_contributions contains {"name": "retain_until", "value": time.format(until)} if {
	some item in _applicable
	until := min(_until_candidates(item.entry.retain_until, context.request, context.event_ns))
}

_contributions contains {"name": "authorisation_deadline", "value": time.format(deadline)} if {
	some deadline in authorisations.deadlines
}

# Templates enrolled or captured for one use case never serve another (REQUIREMENTS.md section 3).
_contributions contains {"name": "purpose_lock", "value": context.request.use_case}

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

_combined[name] := value if {
	some name in {c.name | some c in _contributions}
	values := [c.value | some c in _contributions; c.name == name]
	value := _combine(_combining[name], values)
}

_combine("max", values) := max(values)

_combine("min", values) := min(values)

_combine("any", values) := true in values

_combine("union", values) := sort({x | some value in values; some x in value})

_combine("earliest", values) := time.format(min({time.parse_rfc3339_ns(v) | some v in values}))

_merged := object.union(object.get(packs.platform.defaults, context.mode, {}), _combined)

_retain_until_ns contains time.parse_rfc3339_ns(_combined.retain_until)

_retain_until_ns contains context.event_ns + (_combined.retain_days * _day_ns) if is_string(_combined.retain_until)

_retain_until := time.format(min(_retain_until_ns)) if is_string(_combined.retain_until)

# METADATA
# title: on_allow
# description: The obligations of an allowed request (retain_until replaces retain_days when a layer sets a date).
# scope: document
on_allow := object.union(object.remove(_merged, {"retain_days"}), {"retain_until": _retain_until}) if _retain_until

on_allow := _merged if not _retain_until

# METADATA
# title: on_deny
# description: Duties that survive a denial (a refused authorisation means deleting what was derived under it).
# scope: document
default on_deny := {}

on_deny := {"delete_outputs": true} if authorisations.refused

# METADATA
# title: Obligation the platform cannot combine
# description: |
#   Fail closed: a pack sets an obligation name the vocabulary gives no combining rule,
#   so the platform could not tell the strictest value.
# custom:
#   code: unknown_obligation
#   requirement: CUSTODES-01
#   legal_ref: custodes policies/README.md CUSTODES-01 (fail closed)
deny contains hit if {
	some contribution in _contributions
	not _combining[contribution.name]
	hit := result.hit(0, result.reason(rego.metadata.chain(), sprintf(
		"obligation %v has no combining rule in the vocabulary",
		[contribution.name],
	)))
}
