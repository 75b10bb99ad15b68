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
key_of(raw) := [_kind_unread(json.remove(raw, needs.unread), needs), true, needs.last + 1] if {
	# Most requests: no entry they may meet reads the time or a value to canonicalise,
	# and the event is after every effective date.
	needs := _needs(object.get(raw, "jurisdiction", null), object.get(raw, "use_case", null))
	needs.plain
	time.parse_rfc3339_ns(raw.time) > needs.last
	is_object(raw)
} else := _key(
	request, is_object(raw), time.parse_rfc3339_ns(request.time),
	_needs(object.get(request, "jurisdiction", null), object.get(request, "use_case", null)),
) if {
	request := _normalised(raw)
} else := [json.remove(_normalised(raw), _identifiers), is_object(raw), null]

_key(request, is_request, ns, needs) := [
	_canonical(json.remove(request, needs.unread), needs), is_request,
	_in_class(_bounds(needs, request), ns),
] if {
	not _reads_time(needs, request, ns)
} else := [json.remove(request, _identifiers), is_request, ns]

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
# guardian age may apply).
_needs(jurisdiction, uc) := object.union(needs, {"plain": _plain(needs)}) if {
	needs := _needs_of(jurisdiction, uc)
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
	"deployment": {"records"},
	"watchlist_id": {"watchlists", "authorisations"},
	"authorisation_id": {"authorisations"},
	"purpose_end": {"obligations"},
	"subject/age": {"guardian"},
	"subject/consent/by_guardian": {"guardian"},
}

_last(bounds) := bounds[count(bounds) - 1] if {
	count(bounds) > 0
} else := -1e30

_unread(entries, ages) := array.concat(["time"], [path |
	some path, templates in _read_by
	count(templates & (object.keys(entries) | {"guardian" | count(ages) > 0})) == 0
])

# Values whose properties alone the rules read stand for all with those properties: a
# case reference that names one (only `cases` reads it, for that), an age at or above
# every guardian age that may apply (only `consent` reads it, to compare), and a camera
# its authorisation covers (only `authorisations` reads it, for that, unless an entry
# asks for signs, whose message names it).
_canonical(view, needs) := _kind_unread(_camera_covered(_capped(_case_named(view), needs), needs), needs)

# Where no entry the request may meet reads its consent kind (no `consent` entry, no
# `when` naming consent kinds), only the platform does, to check it is in the vocabulary:
# a kind in the vocabulary, or none, reads as none.
_kind_unread(view, needs) := json.remove(view, ["subject/consent/kind"]) if {
	not needs.kinds
	kind := object.get(view, ["subject", "consent", "kind"], null)
	_known_kind(kind)
} else := view

_known_kind(null)

_known_kind(kind) if kind in packs.vocabulary.consent_kinds

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
_bounds(needs, request) := needs.bounds if {
	count(needs.urgent_hours) == 0
	count(needs.max_ages) == 0
} else := sort(union({
	{bound | some bound in needs.bounds},
	{bound |
		authorisation := registry.authorisations[request.authorisation_id]
		some bound in _authorisation_dates(authorisation, needs.urgent_hours)
	},
	{bound |
		some rule in needs.max_ages
		dated := conditions.date_ns(request.deployment[rule.field])
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
# it is one of them, else one strictly between the dates around it.
_in_class(bounds, ns) := bounds[count(bounds) - 1] + 1 if {
	ns > bounds[count(bounds) - 1]
} else := ns if {
	ns in bounds
} else := (max(below) + min(above)) / 2 if {
	below := [bound | some bound in bounds; bound < ns]
	count(below) > 0
	above := [bound | some bound in bounds; bound > ns]
} else := min(bounds) - 1 if {
	count(bounds) > 0
} else := 0

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
