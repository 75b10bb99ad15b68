# METADATA
# title: Prior authorisation
# description: |
#   An `authorisations` entry makes a covered request name an authorisation held in the
#   registry (data.custodes.registry.authorisations[request.authorisation_id], pushed by
#   the gate) of an accepted kind, granted, and covering the event (time window, cameras,
#   watchlist targets, offence). Parameters: kinds; kind_purposes (a kind limited to some
#   purposes); urgent_hours (a pending authorisation covers an urgent start for that
#   long); exigent_hours (a request marked exigent may go ahead without one, to be
#   justified within that long); scope (which limits must be present, and the row that
#   states them).
package custodes.rules.authorisations

import data.custodes.lib.result
import data.custodes.registry
import data.custodes.rules.context

_hour_ns := 3600000000000

_authorisations := object.get(registry, "authorisations", {})

_watchlists := object.get(registry, "watchlists", {})

# The request's authorisation_id and whether the registry holds it: {id, found, authorisation (when found)}.
_state(request) := {"id": id, "found": true, "authorisation": authorisation} if {
	id := object.get(request, "authorisation_id", null)
	authorisation := _authorisations[id]
	is_object(authorisation)
} else := {"id": object.get(request, "authorisation_id", null), "found": false}

# METADATA
# title: Authorisation missing
# description: No authorisation in the registry under the request's authorisation_id (and no exigent start allowed).
# custom:
#   code: authorisation_missing
#   citations:
#     EU-04: EU AI Act Art 5(3) (prior authorisation)
#     EU-16: EU AI Act Art 26(10) (authorisation before use or within 48 hours)
#     US-WA-03: RCW 43.386.080 (warrant, exigent circumstances or court order)
authorisation_missing(facts, state) := {hit |
	not state.found
	some item in facts.active.authorisations
	not _exigent_route(item.entry, facts.request)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: no authorisation %v in the registry",
		[item.layer.code, state.id],
	)))
}

# METADATA
# title: Authorisation of the wrong kind
# description: The authorisation's kind is not accepted here, or not for this purpose.
# custom:
#   code: authorisation_kind_not_accepted
#   citations:
#     EU-04: EU AI Act Art 5(3) (judicial or independent administrative authority)
#     EU-16: EU AI Act Art 26(10) (judicial or administrative authority)
#     US-WA-03: RCW 43.386.080 (court order only to locate a missing or identify a deceased person)
authorisation_kind_not_accepted(facts, state) := {hit |
	some [item, problem] in _kind_problems(facts, state)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v: %s",
		[item.layer.code, state.id, problem],
	)))
}

# METADATA
# title: Authorisation refused
# description: A refused authorisation stops the use at once; everything derived under it is deleted.
# custom:
#   code: authorisation_refused
#   citations:
#     EU-04: EU AI Act Art 5(3) (refused, stop and delete)
#     EU-16: EU AI Act Art 26(10) (refused, stop and delete)
#     US-WA-03: RCW 43.386.080
authorisation_refused(facts, state) := {hit |
	authorisation := state.authorisation
	authorisation.state == "refused"
	some item in facts.active.authorisations
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v was refused by %v; outputs derived under it must be deleted",
		[item.layer.code, state.id, object.get(authorisation, "authority", null)],
	)))
}

# METADATA
# title: Authorisation not granted
# description: |
#   The authorisation is neither granted nor a pending one covering an urgent start
#   within its deadline (urgent_start_at + urgent_hours).
# custom:
#   code: authorisation_not_granted
#   citations:
#     EU-04: EU AI Act Art 5(3) (urgent use, authorisation requested within 24 hours)
#     EU-16: EU AI Act Art 26(10) (authorisation within 48 hours)
#     US-WA-03: RCW 43.386.080
authorisation_not_granted(facts, state) := {hit |
	authorisation := state.authorisation
	not object.get(authorisation, "state", null) in {"granted", "refused"}
	some item in facts.active.authorisations
	not _urgent_deadline(item.entry, authorisation, facts.event_ns)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v is %v and covers no urgent start at the event time (urgent start %v, %v hours)",
		[
			item.layer.code, state.id, object.get(authorisation, "state", null),
			object.get(authorisation, "urgent_start_at", null), object.get(item.entry, "urgent_hours", null),
		],
	)))
}

# METADATA
# title: Outside the authorised scope
# description: The event falls outside the authorisation's time window, cameras, targets or offence.
# custom:
#   code: outside_authorised_scope
#   citations:
#     EU-02: EU AI Act Art 5(2) (limits of time, place and persons)
#     EU-16: EU AI Act Art 26(10) (each use tied to a specific offence)
#     US-WA-03: RCW 43.386.080 (scope of the warrant or order)
outside_authorised_scope(facts, state) := {hit |
	some [item, problem] in _scope_problems(facts, state)
	requirement := object.get(item.entry, ["scope", "requirement"], item.entry.requirement)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), requirement, sprintf(
		"%s: authorisation %v: %s",
		[item.layer.code, state.id, problem],
	)))
}

# METADATA
# title: denials
# description: The hits of this template's rules for a request's facts.
denials(facts) := union({
	authorisation_missing(facts, state), authorisation_kind_not_accepted(facts, state),
	authorisation_refused(facts, state), authorisation_not_granted(facts, state),
	outside_authorised_scope(facts, state),
}) if {
	state := _state(facts.request)
}

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

# METADATA
# title: deadlines_of
# description: |
#   Deadlines the allowed use must meet: the end of an urgent start under a pending
#   authorisation, or the time by which an exigent start must be justified.
deadlines_of(facts) := _deadlines(facts, _state(facts.request)) if {
	facts.active.authorisations
} else := set()

_deadlines(facts, state) := {deadline |
	authorisation := state.authorisation
	some item in facts.active.authorisations
	deadline := _urgent_deadline(item.entry, authorisation, facts.event_ns)
} | {deadline |
	not state.found
	some item in facts.active.authorisations
	_exigent_route(item.entry, facts.request)
	deadline := facts.event_ns + (item.entry.exigent_hours * _hour_ns)
}

# METADATA
# title: deadlines
# description: The deadlines of `deadlines_of` for input.request.
deadlines := deadlines_of(context.facts)

# METADATA
# title: is_refused
# description: An authorisation the request relies on was refused (its outputs must be deleted).
is_refused(facts) if {
	count(object.get(facts.active, "authorisations", set())) > 0
	_state(facts.request).authorisation.state == "refused"
}

# METADATA
# title: refused
# description: An authorisation input.request relies on was refused (its outputs must be deleted).
refused if is_refused(context.facts)

_exigent_route(entry, request) if {
	is_number(entry.exigent_hours)
	request.exigent == true
}

_urgent_deadline(entry, authorisation, now) := deadline if {
	authorisation.state == "pending"
	start := time.parse_rfc3339_ns(authorisation.urgent_start_at)
	deadline := start + (entry.urgent_hours * _hour_ns)
	start <= now
	now <= deadline
}

_kind_problems(facts, state) := {[item, sprintf("kind %v is not one of %v", [kind, item.entry.kinds])] |
	kind := object.get(state.authorisation, "kind", null)
	some item in facts.active.authorisations
	not kind in item.entry.kinds
} | {[item, problem] |
	authorisation := state.authorisation
	purpose := object.get(facts.request, "purpose", null)
	some item in facts.active.authorisations
	purposes := item.entry.kind_purposes[authorisation.kind]
	not purpose in purposes
	problem := sprintf("a %v covers only %v, not %v", [authorisation.kind, purposes, purpose])
}

_scope_problems(facts, state) := _scope_problems_of(
	facts.request, facts,
	state.authorisation,
	{[item, object.get(item.entry, "scope", {})] | some item in facts.active.authorisations},
) if {
	state.found
} else := set()

_scope_problems_of(request, facts, authorisation, scoped) := union({
	{[item, "it states no time window"] |
		not _has_window(authorisation)
		some [item, scope] in scoped
		scope.window == true
	},
	{[item, sprintf("the event precedes valid_from %v", [authorisation.valid_from])] |
		facts.event_ns < time.parse_rfc3339_ns(authorisation.valid_from)
		some [item, _] in scoped
	},
	{[item, sprintf("the event follows valid_until %v", [authorisation.valid_until])] |
		facts.event_ns > time.parse_rfc3339_ns(authorisation.valid_until)
		some [item, _] in scoped
	},
	{[item, "it names no cameras"] |
		count(object.get(authorisation, "camera_ids", [])) == 0
		some [item, scope] in scoped
		scope.cameras == true
	},
	{[item, sprintf("camera %v is not one of %v", [camera, cameras])] |
		cameras := authorisation.camera_ids
		count(cameras) > 0
		camera := object.get(request, ["site", "camera_id"], null)
		not camera in cameras
		some [item, _] in scoped
	},
	{[item, "it names no targets"] |
		count(object.get(authorisation, "targets", [])) == 0
		some [item, scope] in scoped
		scope.targets == true
	},
	{[item, sprintf("watchlist %v is not in the registry", [watchlist])] |
		watchlist := object.get(request, "watchlist_id", null)
		not _in_registry(_watchlists, watchlist)
		some [item, scope] in scoped
		scope.targets == true
	},
	{[item, sprintf("watchlist %v holds %d entries it does not name", [watchlist, n])] |
		targets := authorisation.targets
		count(targets) > 0
		watchlist := request.watchlist_id
		n := count(_unnamed(object.get(_watchlists[watchlist], "entries", []), targets))
		n > 0
		some [item, _] in scoped
	},
	{[item, sprintf("it covers offence %v, the case is about %v", [authorised, offence])] |
		authorised := authorisation.offence.category
		offence := object.get(request, ["case", "offence", "category"], null)
		authorised != offence
		some [item, _] in scoped
	},
})

_unnamed(entries, targets) := [e | some e in entries; not object.get(e, "subject_ref", null) in targets]

_in_registry(watchlists, id) if is_object(watchlists[id])

_has_window(authorisation) if {
	is_string(authorisation.valid_from)
	is_string(authorisation.valid_until)
}
