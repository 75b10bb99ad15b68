# METADATA
# title: Watchlist composition
# description: |
#   A `watchlists` entry makes a covered request search a watchlist held in the registry
#   (data.custodes.registry.watchlists[request.watchlist_id], pushed by the gate) whose
#   every entry has a category from the closed list and the fields the entry names.
package custodes.rules.watchlists

import data.custodes.lib.result
import data.custodes.registry
import data.custodes.rules.context

# METADATA
# title: Watchlist not approved
# description: The watchlist is missing, or some of its entries fall outside the approved criteria.
# custom:
#   code: watchlist_not_approved
#   citations:
#     GB-01: Bridges v South Wales Police [2020] EWCA Civ 1058; College of Policing APP on LFR (watchlist criteria)
watchlist_not_approved(items, id) := {hit |
	some item in items
	some problem in _problems(item.entry, id, object.get(registry, "watchlists", {}))
	hit := result.hit(item.layer.rank, result.cite(rego.metadata.chain(), item.entry.requirement, sprintf(
		"%s: %s",
		[item.layer.code, problem],
	)))
}

# METADATA
# title: denials
# description: |
#   The hits of this template's rule for a request's facts (custodes.rules.context.facts_of):
#   the rule is given the request's watchlist_id, so OPA works it out once for requests alike.
denials(facts) := watchlist_not_approved(
	object.get(facts.active, "watchlists", set()),
	object.get(facts.request, "watchlist_id", null),
)

# METADATA
# title: deny
# description: The hits of `denials` for input.request.
deny := denials(context.facts)

_problems(_, id, _) := {"the request names no watchlist_id"} if {
	not is_string(id)
}

_problems(_, id, watchlists) := {sprintf("watchlist %s is not in the registry", [id])} if {
	is_string(id)
	not _in_registry(watchlists, id)
}

_problems(entry, id, watchlists) := problems if {
	entries := object.get(watchlists[id], "entries", [])
	uncategorised := count([1 | some e in entries; not object.get(e, "category", null) in entry.categories])
	unapproved := count([1 | some e in entries; some field in entry.entry_fields; not _present(e, field)])
	counts := {
		sprintf("watchlist %s: %d entries have no category from %v", [id, uncategorised, entry.categories]): uncategorised,
		sprintf("watchlist %s: %d missing %v on its entries", [id, unapproved, entry.entry_fields]): unapproved,
	}
	problems := {problem | some problem, n in counts; n > 0}
}

_in_registry(watchlists, id) if is_object(watchlists[id])

_present(item, field) if {
	is_string(item[field])
	trim_space(item[field]) != ""
}
