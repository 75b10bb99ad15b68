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

# METADATA
# title: Authorisation missing
# description: No authorisation in the registry under the request's authorisation_id (and no exigent start allowed).
# custom:
#   code: authorisation_missing
#   citations:
#     EU-04: EU AI Act Art 5(3) (prior authorisation)
#     EU-16: EU AI Act Art 26(10) (authorisation before use or within 48 hours)
#     US-WA-03: RCW 43.386.080 (warrant, exigent circumstances or court order)
deny contains hit if {
	not _found
	some item in context.active.authorisations
	not _exigent_route(item.entry, context.request)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: no authorisation %v in the registry",
		[item.layer.code, _id],
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
deny contains hit if {
	some [item, problem] in _kind_problems
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v: %s",
		[item.layer.code, _id, problem],
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
deny contains hit if {
	_authorisation.state == "refused"
	some item in context.active.authorisations
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v was refused by %v; outputs derived under it must be deleted",
		[item.layer.code, _id, object.get(_authorisation, "authority", null)],
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
deny contains hit if {
	_found
	not object.get(_authorisation, "state", null) in {"granted", "refused"}
	some item in context.active.authorisations
	not _urgent_deadline(item.entry, _authorisation, context.event_ns)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: authorisation %v is %v and covers no urgent start at the event time (urgent start %v, %v hours)",
		[
			item.layer.code, _id, object.get(_authorisation, "state", null),
			object.get(_authorisation, "urgent_start_at", null), object.get(item.entry, "urgent_hours", null),
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
deny contains hit if {
	some [item, problem] in _scope_problems
	requirement := object.get(item.entry, ["scope", "requirement"], item.entry.requirement)
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), requirement, sprintf(
		"%s: authorisation %v: %s",
		[item.layer.code, _id, problem],
	)))
}

# METADATA
# title: deadlines
# description: |
#   Deadlines the allowed use must meet: the end of an urgent start under a pending
#   authorisation, or the time by which an exigent start must be justified.
# scope: document
deadlines contains deadline if {
	some item in context.active.authorisations
	deadline := _urgent_deadline(item.entry, _authorisation, context.event_ns)
}

deadlines contains deadline if {
	not _found
	some item in context.active.authorisations
	_exigent_route(item.entry, context.request)
	deadline := context.event_ns + (item.entry.exigent_hours * _hour_ns)
}

# METADATA
# title: refused
# description: An authorisation the request relies on was refused (its outputs must be deleted).
refused if {
	_authorisation.state == "refused"
	count(object.get(context.active, "authorisations", set())) > 0
}

_hour_ns := 3600000000000

_authorisations := object.get(registry, "authorisations", {})

_watchlists := object.get(registry, "watchlists", {})

_id := object.get(context.request, "authorisation_id", null)

_found if is_object(_authorisations[_id])

_authorisation := _authorisations[_id] if _found

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

_kind_problems contains [item, sprintf("kind %v is not one of %v", [kind, item.entry.kinds])] if {
	kind := object.get(_authorisation, "kind", null)
	some item in context.active.authorisations
	not kind in item.entry.kinds
}

_kind_problems contains [item, problem] if {
	purpose := object.get(context.request, "purpose", null)
	some item in context.active.authorisations
	purposes := item.entry.kind_purposes[_authorisation.kind]
	not purpose in purposes
	problem := sprintf("a %v covers only %v, not %v", [_authorisation.kind, purposes, purpose])
}

_scoped contains [item, object.get(item.entry, "scope", {})] if {
	_found
	some item in context.active.authorisations
}

_scope_problems contains [item, "it states no time window"] if {
	not _has_window(_authorisation)
	some [item, scope] in _scoped
	scope.window == true
}

_scope_problems contains [item, sprintf("the event precedes valid_from %v", [_authorisation.valid_from])] if {
	context.event_ns < time.parse_rfc3339_ns(_authorisation.valid_from)
	some [item, _] in _scoped
}

_scope_problems contains [item, sprintf("the event follows valid_until %v", [_authorisation.valid_until])] if {
	context.event_ns > time.parse_rfc3339_ns(_authorisation.valid_until)
	some [item, _] in _scoped
}

_scope_problems contains [item, "it names no cameras"] if {
	count(object.get(_authorisation, "camera_ids", [])) == 0
	some [item, scope] in _scoped
	scope.cameras == true
}

_scope_problems contains [item, sprintf("camera %v is not one of %v", [camera, cameras])] if {
	cameras := _authorisation.camera_ids
	count(cameras) > 0
	camera := object.get(context.request, ["site", "camera_id"], null)
	not camera in cameras
	some [item, _] in _scoped
}

_scope_problems contains [item, "it names no targets"] if {
	count(object.get(_authorisation, "targets", [])) == 0
	some [item, scope] in _scoped
	scope.targets == true
}

_scope_problems contains [item, sprintf("watchlist %v is not in the registry", [watchlist])] if {
	watchlist := object.get(context.request, "watchlist_id", null)
	not _in_registry(_watchlists, watchlist)
	some [item, scope] in _scoped
	scope.targets == true
}

_scope_problems contains [item, sprintf("watchlist %v holds %d entries it does not name", [watchlist, n])] if {
	targets := _authorisation.targets
	count(targets) > 0
	watchlist := context.request.watchlist_id
	n := count(_unnamed(object.get(_watchlists[watchlist], "entries", []), targets))
	n > 0
	some [item, _] in _scoped
}

_scope_problems contains [item, sprintf("it covers offence %v, the case is about %v", [authorised, offence])] if {
	authorised := _authorisation.offence.category
	offence := object.get(context.request, ["case", "offence", "category"], null)
	authorised != offence
	some [item, _] in _scoped
}

_unnamed(entries, targets) := [e | some e in entries; not object.get(e, "subject_ref", null) in targets]

_in_registry(watchlists, id) if is_object(watchlists[id])

_has_window(authorisation) if {
	is_string(authorisation.valid_from)
	is_string(authorisation.valid_until)
}
