# Request context, plans (package METADATA in context.rego):
# What depends only on the packs, worked out once per jurisdiction code and use case
# in an evaluation (plans, _by_use_case) and once per combination of condition fields
# (_met) and period (_active_at), so the requests of a batch share it.
package custodes.rules.context

import data.custodes.lib.conditions

# Which entries are active depends on the event time only through the effective dates
# (plans[code].bounds): `period`, the number of them at or before ns, decides. So active is
# worked out once per code, condition fields, mandate, exigent and period (OPA memoises
# functions by their arguments), and requests alike share it.
_period(bounds, ns) := count(bounds) if {
	ns >= bounds[count(bounds) - 1]
} else := count([bound | some bound in bounds; bound <= ns])

_active_at(_, _, _, _, 0) := {}

_active_at(code, fields, mandate, exigent, period) := {key: items |
	some key, list in _met(code, fields, mandate, exigent)
	items := {item | some item in list; at >= item.from; at < item.until}
	count(items) > 0
} if {
	period > 0
	at := plans[code].bounds[period - 1]
}

# The entries whose `when` holds, by key: those of the request's use case (_by_use_case),
# checked by conditions.holds (for an object of list conditions, inline).
_met(code, fields, mandate, exigent) := {key: list |
	some key, bucket in _by_use_case(code, fields.use_cases)
	list := array.concat(
		[item |
			some item in bucket.simple
			every condition, accepted in item.when {
				fields[condition] in accepted
			}
		],
		[item | some item in bucket.other; conditions.holds(item.when, fields, mandate, exigent)],
	)
	count(list) > 0
}

# The entries of plans[code] a request with use case uc may meet (no use case named, or
# uc among them), by key, split into those whose `when` is an object of list conditions
# (simple, conditions.simple) and the others.
_by_use_case(code, uc) := {key: {"simple": simple, "other": other} |
	some key, entries in plans[code].by_key
	items := array.concat(entries.open, [item | some item in entries.named; uc in item.when.use_cases])
	count(items) > 0
	simple := [item | some item in items; conditions.simple(item.when)]
	other := [item | some item in items; not conditions.simple(item.when)]
}

# METADATA
# title: plans
# description: |
#   plans[code], for each code with a pack of its own that is not a bloc's: its layers,
#   every entry of theirs that can be in force (effective_from parses) with its key,
#   layer, parsed dates and `when`, by key and by whether the `when` names use cases
#   (open, named), its sim_mandate entries, and the effective dates of them all, sorted
#   (bounds). Only the pack data goes in, so OPA works each out once per evaluation,
#   however many requests.
plans[code] := {
	"by_key": by_key,
	"bounds": sort({date |
		some item in array.concat([item | some lists in by_key; some list in lists; some item in list], base.mandates)
		some date in [item.from, item.until]
		date < 1e19
	}),
} if {
	some code, base in bases
	by_key := {key: {"open": [item | some item in items; not _names_use_cases(item.when)], "named": [item |
		some item in items
		_names_use_cases(item.when)
	]} |
		some key in {key | some layer in base.layers; some key, entries in layer.pack; is_array(entries)}
		items := _items(base.layers, key)
	}
}

# The entries under `key` of the layers' packs that can be in force (effective_from
# parses), each with its key, layer, dates and `when`.
_items(layers, key) := [{
	"key": key,
	"layer": {"code": layer.code, "rank": layer.rank},
	"entry": entry,
	"from": time.parse_rfc3339_ns(entry.effective_from),
	"until": _until(entry),
	"when": object.get(entry, "when", {}),
} |
	some layer in layers
	entries := layer.pack[key]
	is_array(entries)
	some entry in entries
]

# The base (bases) and plan (plans) of a jurisdiction code, or those of an unknown one.
_plan_for(jurisdiction) := object.union(base, plans[base.code]) if {
	base := _base_of({"jurisdiction": jurisdiction})
	base.known
} else := object.union(_unknown, {"bounds": []})

# The items of a key of a _by_use_case bucket.
_of(entries, key) := array.concat(entries[key].simple, entries[key].other) if {
	entries[key]
} else := []

_names_use_cases(when) if {
	is_object(when)
	"use_cases" in object.keys(when)
}
