# METADATA
# title: Rules
# description: |
#   Gathers the rule templates: permits from `enabled`, denials from every template,
#   the reasons in layer order (platform first, then layers outermost first) and the
#   combined obligations. Strictest wins: allowed only when at least one layer permits
#   and no rule of any layer (or of the platform) denies. Jurisdiction differences live
#   in data.custodes.packs; the templates hold the logic. Where a jurisdiction's logic
#   itself differs, its rules live in a package under custodes.rules.local (created by
#   `custodes policy new-jurisdiction CODE --logic`) whose permit and deny join these.
#
#   The templates are functions of a request's facts (custodes.rules.context.facts_of):
#   `document(request, local)` is the whole decision document of one request, so the
#   batch judges every request in one evaluation and what depends only on the packs is
#   worked out once. The rules below give the same for input.request.
package custodes.rules

import data.custodes.packs
import data.custodes.rules.authorisations
import data.custodes.rules.cases
import data.custodes.rules.consent
import data.custodes.rules.context
import data.custodes.rules.duties
import data.custodes.rules.enabled
import data.custodes.rules.local
import data.custodes.rules.platform
import data.custodes.rules.presentation_attack
import data.custodes.rules.prohibitions
import data.custodes.rules.purposes
import data.custodes.rules.records
import data.custodes.rules.safeguards
import data.custodes.rules.sim
import data.custodes.rules.watchlists

# METADATA
# title: document
# description: |
#   The decision document (data.custodes.decision) of one request, any JSON value, with
#   `local` the permit and deny hits of the jurisdiction-specific packages for it (see
#   local_hits). All but decision_id is judged from the request's key (context.key_of),
#   so requests alike are judged once per evaluation.
document(request, local) := object.union(
	_decided(context.key_of(request), local),
	{"decision_id": decision_id(request)},
)

# METADATA
# title: decision_id
# description: |
#   Deterministic per request (the first 32 hex digits of the SHA-256 of its canonical
#   text, as sprintf's %v writes it: keys sorted, strings quoted), so a redelivered event
#   gets the same decision id. Not json.marshal, which is slower: of a batch's work per
#   request, the id is a large part. The golden decisions (benchmarks/policy_golden.py)
#   would show an OPA release that writes values otherwise.
decision_id(request) := sprintf("dec-%.32s", [crypto.sha256(sprintf("%v", [request]))])

# METADATA
# title: decided
# description: |
#   The decision document, but its decision_id, of the request a key (context.key_of)
#   stands for, with `local` as for document: one per key, however many requests share it.
decided(key, local) := _decided(key, local)

_decided(key, local) := _judged(context.facts_of_key(key), local)

_judged(facts, local) := {
	"allow": outcome.allow,
	"policy_revision": _policy_revision,
	"jurisdictions": facts.layer_codes,
	"use_case": _use_case(facts.request),
	"obligations": outcome.obligations,
	"reasons": outcome.reasons,
} if {
	outcome := _outcome(facts, local)
}

default _policy_revision := "unknown"

_policy_revision := packs.meta.revision

_use_case(request) := request.use_case if {
	is_object(packs.vocabulary.use_cases[request.use_case])
} else := null

_outcome(facts, local) := {
	"allow": allow,
	"reasons": _reasons(deny, permit),
	"obligations": _obligations(facts, allow),
} if {
	permits := enabled.permits(facts)
	permit := permits | local.permit
	deny := union({
		platform.denials(facts, permits),
		duties.denials(facts),
		{hit | some key, _ in facts.active; some hit in _template_denials(key, facts)},
		{hit | facts.request.use_case == "sim_registration_verification"; some hit in sim.denials(facts)},
		local.deny,
	})
	allow := _allowed(deny, permit)
}

# The templates that deny by the entries of a key; each reads only the active entries
# under its key, so only those of the keys a request has active are asked.
_template_denials("bans", facts) := prohibitions.denials(facts)

_template_denials("purposes", facts) := purposes.denials(facts)

_template_denials("consent", facts) := consent.denials(facts)

_template_denials("records", facts) := records.denials(facts)

_template_denials("cases", facts) := cases.denials(facts)

_template_denials("alternatives", facts) := safeguards.alternatives(facts)

_template_denials("liveness", facts) := presentation_attack.denials(facts)

_template_denials("signage", facts) := safeguards.signage(facts)

_template_denials("watchlists", facts) := watchlists.denials(facts)

_template_denials("authorisations", facts) := authorisations.denials(facts)

_allowed(deny, permit) if {
	count(deny) == 0
	count(permit) > 0
} else := false

_reasons(deny, _) := [hit.reason | some hit in sort(deny)] if count(deny) > 0

_reasons(deny, permit) := [hit.reason | some hit in sort(permit)] if count(deny) == 0

default _obligations(_, _) := {}

_obligations(facts, true) := duties.on_allow_of(facts)

_obligations(facts, false) := duties.on_deny_of(facts)

# METADATA
# title: local_hits
# description: |
#   The permit and deny hits of the jurisdiction-specific packages (custodes.rules.local)
#   for input.request. They read custodes.rules.context, that is input.request: the batch
#   judges them with each request as input (custodes.batch), where has_local.
local_hits := {
	"permit": {hit | some rules in local; some hit in rules.permit},
	"deny": {hit | some rules in local; some hit in rules.deny},
}

# METADATA
# title: has_local
# description: Some jurisdiction-specific package exists (custodes.rules.local).
# scope: document
default has_local := false

has_local if {
	some _ in local
}

# METADATA
# title: no_local_hits
# description: local_hits where no jurisdiction-specific package exists.
no_local_hits := {"permit": set(), "deny": set()}

# input.request alone: judged from its facts, without the keys that let a batch share work.
_current := _judged(context.facts, local_hits)

# METADATA
# title: permit
# description: Hits of the rules that permit input.request.
permit := enabled.permit | local_hits.permit

# METADATA
# title: deny
# description: Hits of every rule that denies input.request.
deny := union({
	platform.deny, duties.deny, prohibitions.deny, purposes.deny, consent.deny, sim.deny,
	records.deny, cases.deny, safeguards.deny, presentation_attack.deny, watchlists.deny, authorisations.deny,
	local_hits.deny,
})

# METADATA
# title: allowed
# description: Some layer permits and nothing denies.
allowed if _current.allow

# METADATA
# title: reasons
# description: Every denying rule's reason when denied; the permitting rules' reasons when allowed.
# scope: document
reasons := _current.reasons

# METADATA
# title: obligations
# description: The combined obligations when allowed; on a denial, only the duties that survive it.
# scope: document
obligations := _current.obligations

# METADATA
# title: jurisdictions
# description: The layers applied, outermost first.
jurisdictions := context.layer_codes
