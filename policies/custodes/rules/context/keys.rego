# Request context, keys (package METADATA in context.rego):
# The keys of requests (key_of) that let a batch judge requests alike once: what the
# rules read of a request, with identifiers, unread paths and the event time (where
# only compared with dates) replaced by values that judge alike.
package custodes.rules.context

import data.custodes.lib.conditions
import data.custodes.packs
import data.custodes.registry

# METADATA
# title: key_of
# description: |
#   What the rules read of a request (any JSON value), as a key requests alike share:
#   [request, request_is_object, ns], so OPA, which memoises functions by their
#   arguments, judges requests alike once (facts_of_key). The request loses the
#   identifiers no rule reads (id, requester.org, site.outlet_id, subject.consent.id).
#   Where the rules only compare the event time with dates (effective dates, an
#   authorisation's window and urgent start, a deployment record's date and maximum age),
#   time goes too and ns is a time that compares with each of those dates as the event
#   time does (_in_class); values whose properties alone are read stand for all alike
#   (_canonical). Where a rule reads the time itself (a retention date, an exigent
#   deadline, the message of a SIM mandate not yet in force), ns is the event time; null
#   when time is not RFC 3339.
key_of(raw) := [json.remove(raw, _unread_of(needs, raw)), true, needs.after_last] if {
	# Most requests: no entry they may meet reads the time or a value to canonicalise, and
	# the event is after every effective date (decided here, not in _key, which would add a
	# function call to every request of a batch).
	is_object(raw)
	needs := _needs(object.get(raw, "jurisdiction", null), object.get(raw, "use_case", null))
	needs.plain
	time.parse_rfc3339_ns(raw.time) > needs.last
} else := _key(raw, json.remove(raw, _unread_of(needs, raw)), time.parse_rfc3339_ns(raw.time), needs) if {
	is_object(raw)
	needs := _needs(object.get(raw, "jurisdiction", null), object.get(raw, "use_case", null))
} else := [json.remove(_normalised(raw), _identifiers), is_object(raw), null]

# The paths a request's key drops (one json.remove): the unread paths, and the consent kind
# too where no entry the request may meet reads it (no `consent` entry, no `when` naming
# consent kinds), so only the platform does, to check it is in the vocabulary, and it is
# in the vocabulary or none (needs.unread_by_kind): it then reads as none.
_unread_of(needs, raw) := object.get(
	needs.unread_by_kind,
	[object.get(raw, ["subject", "consent", "kind"], null)],
	needs.unread_paths,
)

# The key of a request key_of's first case does not take; view: the request without the
# paths its key drops.
_key(request, view, ns, needs) := [
	_canonical(view, needs), true,
	_in_class(_bounds(needs, object.get(request, "authorisation_id", null), object.get(request, "deployment", null)), ns),
] if {
	not _reads_time(needs, request, ns)
} else := [json.remove(request, _identifiers), true, ns]

# METADATA
# title: facts_of_key
# description: The facts (facts_of) of the request a key (key_of) stands for; exactly those of the request itself.
# scope: document
facts_of_key([request, is_request, null]) := _untimed(request, is_request)

facts_of_key([request, is_request, ns]) := _facts(request, is_request, ns, false) if ns != null

_identifiers := ["id", "requester/org", "site/outlet_id", "subject/consent/id"]

# What a request of a jurisdiction code and use case needs, worked out once for them from
# the entries it may meet (_by_use_case): the effective dates (bounds); whether one reads
# the event time itself (timed: an obligation with a retention date); the latest date a
# SIM mandate comes into force; the urgent hours of its authorisations, whether one allows
# an exigent start, and the maximum ages of its records (the dates they compare the event
# time with); the guardian ages that may apply; and the paths its key drops (unread: the
# identifiers and time, signage unless an entry asks for signs, subject.age unless a
# guardian age may apply; unread_paths as arrays, and by consent kind where the kind goes too).
_needs(jurisdiction, uc) := object.union(needs, {
	"plain": _plain(needs),
	"after_last": needs.last + 1,
	"unread_paths": paths,
	"unread_by_kind": {kind: array.concat(paths, [["subject", "consent", "kind"]]) |
		not needs.kinds
		some kind in array.concat([null], packs.vocabulary.consent_kinds)
	},
}) if {
	needs := _needs_of(jurisdiction, uc)
	paths := [split(path, "/") | some path in needs.unread]
}

# Neither reads the time, nor compares it with other dates, nor has values to canonicalise.
_plain(needs) if {
	not needs.timed
	not needs.exigent
	count(needs.urgent_hours) == 0
	count(needs.max_ages) == 0
	not needs.age_cap
	"case" in needs.unread
	"site/camera_id" in needs.unread
} else := false

_needs_of(jurisdiction, uc) := object.union_n([
	{
		"code": plan.code,
		"last": _last(plan.bounds),
		"bounds": plan.bounds,
		"timed": _timed(entries),
		"urgent_hours": {item.entry.urgent_hours | some item in _of(entries, "authorisations")},
		"exigent": count([1 | some item in _of(entries, "authorisations"); is_number(item.entry.exigent_hours)]) > 0,
		"max_ages": {item.entry.max_age | some item in _of(entries, "records")},
		"signage": count(_of(entries, "signage")) > 0,
		"kinds": _reads_kinds(entries),
		"unread": array.concat(_identifiers, _unread(entries, ages)),
	},
	{"latest_mandate": max({mandate.from | some mandate in plan.mandates}) | count(plan.mandates) > 0},
	{"age_cap": max(ages) | count(ages) > 0; every age in ages { is_number(age) }},
]) if {
	plan := _plan_for(jurisdiction)
	entries := _by_use_case(plan.code, uc)
	ages := [item.entry.guardian_below_age | some item in _of(entries, "consent")]
}

# The paths of a request only some templates read, and which: a request's key keeps them
# only where an entry it may meet is of such a template (guardian consent: an entry with
# a guardian age). The template dispatchers (denials) read no other path beyond the
# condition fields (conditions.fields), jurisdiction, purpose, legal_mandate, exigent and time.
_read_by := {
	"case": {"purposes", "cases", "authorisations"},
	"site/camera_id": {"signage", "authorisations"},
	"site/signage": {"signage"},
	"alternative_offered": {"alternatives"},
	"liveness": {"liveness"},
	"deployment": {"records"},
	"watchlist_id": {"watchlists", "authorisations"},
	"authorisation_id": {"authorisations"},
	"purpose_end": {"obligations"},
	"subject/age": {"guardian"},
	"subject/consent/by_guardian": {"guardian"},
}

# The last effective date, or with none the least 64-bit integer (no RFC 3339 time parses
# below it): OPA compares and adds integers of 64 bits directly, other numbers (-1e30) as
# big floats, at a cost every plain request of a batch pays.
_last(bounds) := bounds[count(bounds) - 1] if {
	count(bounds) > 0
} else := -9223372036854775808

_unread(entries, ages) := array.concat(["time"], [path |
	some path, templates in _read_by
	count(templates & (object.keys(entries) | {"guardian" | count(ages) > 0})) == 0
])

# Values whose properties alone the rules read stand for all with those properties: a
# case reference that names one (only `cases` reads it, for that), an age at or above
# every guardian age that may apply (only `consent` reads it, to compare), and a camera
# its authorisation covers (only `authorisations` reads it, for that, unless an entry
# asks for signs, whose message names it). (A consent kind only the platform reads is
# dropped with the unread paths: _unread_of.)
_canonical(view, needs) := _camera_covered(_capped(_case_named(view), needs), needs)

_case_named(view) := object.union(view, {"case": {"ref": "named"}}) if {
	is_string(view.case.ref)
	trim_space(view.case.ref) != ""
} else := view

_capped(view, needs) := object.union(view, {"subject": {"age": needs.age_cap}}) if {
	is_number(view.subject.age)
	view.subject.age >= needs.age_cap
} else := view

_camera_covered(view, needs) := object.union(view, {"site": {"camera_id": cameras[0]}}) if {
	not needs.signage
	cameras := registry.authorisations[view.authorisation_id].camera_ids
	count(cameras) > 0
	view.site.camera_id in cameras
} else := view

_timed(entries) if {
	some item in _of(entries, "obligations")
	_retention(item.entry)
} else := false

_retention(entry) if "retain_until" in object.keys(entry)

_retention(entry) if {
	is_object(entry.set)
	"retain_until" in object.keys(entry.set)
}

# The request's event time matters beyond how it compares with dates.
_reads_time(needs, _, _) if needs.timed

_reads_time(needs, request, _) if {
	needs.exigent
	request.exigent == true
}

_reads_time(needs, request, ns) if {
	request.use_case == "sim_registration_verification"
	ns < needs.latest_mandate
}

# The dates a request's event time is compared with: the effective dates, and those of
# its authorisation (valid_from, valid_until, urgent_start_at and each urgent deadline)
# and deployment record (each dated field with a maximum age, and when it expires).
_bounds(needs, authorisation_id, deployment) := needs.bounds if {
	count(needs.urgent_hours) == 0
	count(needs.max_ages) == 0
} else := sort(union({
	{bound | some bound in needs.bounds},
	{bound |
		authorisation := registry.authorisations[authorisation_id]
		some bound in _authorisation_dates(authorisation, needs.urgent_hours)
	},
	{bound |
		some rule in needs.max_ages
		dated := conditions.date_ns(deployment[rule.field])
		some bound in [dated, time.add_date(dated, rule.years, 0, 0)]
	},
}))

_authorisation_dates(authorisation, urgent_hours) := union({
	{date |
		some field in ["valid_from", "valid_until", "urgent_start_at"]
		date := time.parse_rfc3339_ns(authorisation[field])
	},
	{deadline |
		start := time.parse_rfc3339_ns(authorisation.urgent_start_at)
		some hours in urgent_hours
		deadline := start + (hours * 3600000000000)
	},
})

# A time that compares with every date in `bounds` (sorted) as ns does: ns itself when
# it is one of them, else one strictly between the dates around it. Where no date lies
# within an hour of the start of ns's hour, that of the start, worked out once per hour
# (_hour_class: OPA memoises it, and a batch's events seldom span many hours).
_in_class(bounds, ns) := bounds[count(bounds) - 1] + 1 if {
	ns > bounds[count(bounds) - 1]
} else := class if {
	class := _hour_class(bounds, ns - (ns % _hour_ns))
} else := _class_of(bounds, ns)

_hour_ns := 3600000000000

# No date lies within an hour of start, so every time within an hour of it compares with
# each date as start does (% truncates: ns - ns % _hour_ns is within the hour either way).
_hour_class(bounds, start) := _class_of(bounds, start) if {
	count([1 | some bound in bounds; start - _hour_ns < bound; bound < start + _hour_ns]) == 0
}

_class_of(bounds, ns) := _at(bounds, ns, count([1 | some bound in bounds; bound < ns])) if {
	count(bounds) > 0
} else := 0

# ns, not after the last of bounds, with i of them before it: ns itself where the next is
# ns, else halfway between the two around it, or just before the first.
_at(bounds, ns, i) := ns if {
	bounds[i] == ns
} else := bounds[0] - 1 if {
	i == 0
} else := (bounds[i - 1] + bounds[i]) / 2

# Some entry the request may meet reads its consent kind: a `consent` entry, or a `when`
# naming consent kinds.
_reads_kinds(entries) if {
	count(_of(entries, "consent")) > 0
} else if {
	some key, _ in entries
	some item in _of(entries, key)
	_names_kinds(item.when)
} else := false

_names_kinds(when) if {
	is_object(when)
	"consent_kinds" in object.keys(when)
}
