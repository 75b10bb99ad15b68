# METADATA
# title: Request context
# description: |
#   The facts every rule template works from: the request, the event time (rules are
#   judged at the event's time, never the wall clock) and the jurisdiction layers that
#   cover it. Layers: a code's bloc(s) (pack data, e.g. DE -> EU), then each prefix of
#   the code that has a pack, outermost first (US-OR-portland -> US, US-OR,
#   US-OR-portland). A code with no pack of its own, or a bloc's, is unknown: no layers, denied.
#
#   The templates are functions of `facts_of(request)`, so a batch judges every request
#   in one evaluation. What depends only on the packs is worked out once per jurisdiction
#   code and evaluation (`plans`): the layers, every entry with its effective dates
#   parsed, and the entries indexed by the use case their `when` names. The rules of this
#   package (request, event_ns, layers, active, ...) give the same facts for input.request.
package custodes.rules.context

import data.custodes.lib.conditions
import data.custodes.packs

# METADATA
# title: facts_of
# description: |
#   The facts of one request (any JSON value; one that is not an object is judged as {}):
#   request, request_is_object, known, code, layer_codes, fields (conditions.fields),
#   mandate (has_mandate), exigent, summary, mandates (every sim_mandate entry of the
#   layers, dates parsed), active (key -> the entries in force and met, each with its
#   layer code and rank) and, when the time is RFC 3339, event_ns.
facts_of(raw) := _facts(request, is_object(raw), time.parse_rfc3339_ns(request.time), true) if {
	request := _normalised(raw)
} else := _untimed(_normalised(raw), is_object(raw))

# direct: the active entries read off the packs for this request alone (one decision);
# else from the plan of its code, shared by the requests of a batch (facts_of_key).
_facts(request, is_request, ns, direct) := {
	"request": request,
	"request_is_object": is_request,
	"known": base.known,
	"code": base.code,
	"layer_codes": base.codes,
	"fields": fields,
	"mandate": mandate,
	"exigent": exigent,
	"summary": summary_of(request),
	"mandates": base.mandates,
	"event_ns": ns,
	"active": _active(direct, base, fields, mandate, exigent, ns),
} if {
	base := _base_of(request)
	fields := conditions.fields(request)
	mandate := _has_mandate(request)
	exigent := object.get(request, "exigent", false)
}

_untimed(request, is_request) := {
	"request": request,
	"request_is_object": is_request,
	"known": base.known,
	"code": base.code,
	"layer_codes": base.codes,
	"fields": conditions.fields(request),
	"mandate": _has_mandate(request),
	"exigent": object.get(request, "exigent", false),
	"summary": summary_of(request),
	"mandates": base.mandates,
	"active": {},
} if {
	base := _base_of(request)
}

_active(true, base, fields, mandate, exigent, ns) := {key: {item | some [of, item] in matched; of == key} |
	some [key, _] in matched
} if {
	matched := [[key, item] |
		some layer in base.layers
		some key, entries in layer.pack
		is_array(entries)
		some entry in entries
		when := object.get(entry, "when", {})
		conditions.holds(when, fields, mandate, exigent)
		from := time.parse_rfc3339_ns(entry.effective_from)
		ns >= from
		until := _until(entry)
		ns < until
		item := {
			"key": key, "layer": {"code": layer.code, "rank": layer.rank}, "entry": entry,
			"from": from, "until": until, "when": when,
		}
	]
}

_active(false, base, fields, mandate, exigent, ns) := _active_at(
	base.code, fields, mandate, exigent,
	_period(plans[base.code].bounds, ns),
) if {
	base.known
} else := {}

_normalised(raw) := raw if {
	is_object(raw)
} else := {}

_base_of(request) := bases[request.jurisdiction] if {
	is_string(request.jurisdiction)
} else := _unknown

_unknown := {"known": false, "code": null, "codes": [], "layers": [], "mandates": []}

_has_mandate(request) if {
	conditions.has_mandate(request)
} else := false

# METADATA
# title: bases
# description: |
#   bases[code], for each code with a pack of its own that is not a bloc's: the layers
#   covering it (codes, and each with its rank and pack) and their sim_mandate entries
#   (dates parsed).
bases[code] := {
	"known": true,
	"code": code,
	"codes": codes,
	"layers": layers,
	"mandates": [{
		"layer": {"code": layer.code, "rank": layer.rank},
		"entry": entry,
		"from": time.parse_rfc3339_ns(entry.effective_from),
		"until": _until(entry),
	} |
		some layer in layers
		some entry in object.get(layer.pack, "sim_mandate", [])
	],
} if {
	some code, pack in packs.jurisdictions
	is_string(code)
	is_object(pack)
	object.get(pack, "level", null) != "bloc"
	codes := _layer_codes(code)
	layers := [{"code": c, "rank": i + 1, "pack": packs.jurisdictions[c]} | some i, c in codes]
}

# effective_until, or (none, or not RFC 3339: the entry never ends) later than any event.
_until(entry) := time.parse_rfc3339_ns(entry.effective_until) if {
	is_string(entry.effective_until)
} else := 1e19

_layer_codes(code) := array.concat(
	[c | some c in blocs; is_object(packs.jurisdictions[c])],
	[c | some c in prefixes; is_object(packs.jurisdictions[c])],
) if {
	parts := split(code, "-")
	prefixes := [concat("-", array.slice(parts, 0, n)) | some n in numbers.range(1, count(parts))]
	blocs := object.get(packs.jurisdictions, [prefixes[0], "blocs"], [])
}

# METADATA
# title: facts
# description: facts_of(input.request); input.request missing is judged as null (not an object).
facts := facts_of(_raw)

default _raw := null

_raw := input.request

# METADATA
# title: request
# description: input.request, or an empty object when it is missing or not an object.
# scope: document
default request := {}

request := input.request if is_object(input.request)

# METADATA
# title: event_ns
# description: The event time in ns since the epoch; undefined when time is missing or not RFC 3339.
event_ns := facts.event_ns

# METADATA
# title: known
# description: |
#   The packs have a pack for the request's jurisdiction code itself, and it is a place
#   (not a bloc: an event in the EU happens in a member state, whose layer must apply).
known if facts.known

# METADATA
# title: layer_codes
# description: The codes of the layers that cover the request, outermost first; empty when unknown.
layer_codes := facts.layer_codes

# METADATA
# title: layers
# description: The layers with their rank (1 = outermost) and pack data.
layers := _base_of(request).layers

# METADATA
# title: active
# description: |
#   active[key]: the entries under `key` in every layer's pack that are in force at the
#   event time and whose `when` holds for the request, each with its layer.
active[key] contains {"layer": layers[item.layer.rank - 1], "entry": item.entry} if {
	some key, items in facts.active
	some item in items
}

# METADATA
# title: summary_of
# description: A request in words (use case, requester type, purpose), for messages.
summary_of(request) := sprintf("%v by %v for %v", [
	object.get(request, "use_case", null),
	object.get(request, ["requester", "type"], null),
	object.get(request, "purpose", null),
])

# METADATA
# title: summary
# description: The request in words (use case, requester type, purpose), for messages.
summary := summary_of(request)

# METADATA
# title: mode_of
# description: A request's mode (1:1, 1:N, enrolment, inference); undefined for an unknown use case.
mode_of(request) := packs.vocabulary.use_cases[request.use_case].mode

# METADATA
# title: mode
# description: The use case's mode (1:1, 1:N, enrolment, inference); undefined for an unknown use case.
mode := mode_of(request)
