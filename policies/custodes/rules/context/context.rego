# METADATA
# title: Request context
# description: |
#   The facts every rule template works from: the request, the event time (rules are
#   judged at the event's time, never the wall clock) and the jurisdiction layers that
#   cover it. Layers: a code's bloc(s) (pack data, e.g. DE -> EU), then each prefix of
#   the code that has a pack, outermost first (US-OR-portland -> US, US-OR,
#   US-OR-portland). A code with no pack of its own, or a bloc's, is unknown: no layers, denied.
package custodes.rules.context

import data.custodes.lib.conditions
import data.custodes.packs

# METADATA
# title: request
# description: input.request, or an empty object when it is missing or not an object.
# scope: document
default request := {}

request := input.request if is_object(input.request)

# METADATA
# title: event_ns
# description: The event time in ns since the epoch; undefined when time is missing or not RFC 3339.
event_ns := time.parse_rfc3339_ns(request.time)

# METADATA
# title: known
# description: |
#   The packs have a pack for the request's jurisdiction code itself, and it is a place
#   (not a bloc: an event in the EU happens in a member state, whose layer must apply).
known if {
	is_string(request.jurisdiction)
	pack := packs.jurisdictions[request.jurisdiction]
	is_object(pack)
	object.get(pack, "level", null) != "bloc"
}

_parts := split(request.jurisdiction, "-")

_prefixes := [concat("-", array.slice(_parts, 0, n)) | some n in numbers.range(1, count(_parts))]

_blocs := object.get(packs.jurisdictions, [_prefixes[0], "blocs"], [])

# METADATA
# title: layer_codes
# description: The codes of the layers that cover the request, outermost first; empty when unknown.
# scope: document
default layer_codes := []

layer_codes := array.concat(
	[code | some code in _blocs; is_object(packs.jurisdictions[code])],
	[code | some code in _prefixes; is_object(packs.jurisdictions[code])],
) if {
	known
}

# METADATA
# title: layers
# description: The layers with their rank (1 = outermost) and pack data.
layers := [{"code": code, "rank": i + 1, "pack": packs.jurisdictions[code]} | some i, code in layer_codes]

# METADATA
# title: active
# description: |
#   active[key]: the entries under `key` in every layer's pack that are in force at the
#   event time and whose `when` holds for the request, each with its layer.
active[key] contains {"layer": layer, "entry": entry} if {
	some layer in layers
	some key, entries in layer.pack
	is_array(entries)
	some entry in entries
	conditions.in_force(entry, event_ns)
	conditions.met(object.get(entry, "when", {}), request)
}

# METADATA
# title: summary
# description: The request in words (use case, requester type, purpose), for messages.
summary := sprintf("%v by %v for %v", [
	object.get(request, "use_case", null),
	object.get(request, ["requester", "type"], null),
	object.get(request, "purpose", null),
])

# METADATA
# title: mode
# description: The use case's mode (1:1, 1:N, enrolment, inference); undefined for an unknown use case.
mode := packs.vocabulary.use_cases[request.use_case].mode
