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
package custodes.rules

import data.custodes.rules.authorisations
import data.custodes.rules.cases
import data.custodes.rules.consent
import data.custodes.rules.context
import data.custodes.rules.duties
import data.custodes.rules.enabled
import data.custodes.rules.local
import data.custodes.rules.platform
import data.custodes.rules.prohibitions
import data.custodes.rules.purposes
import data.custodes.rules.records
import data.custodes.rules.safeguards
import data.custodes.rules.sim
import data.custodes.rules.watchlists

# METADATA
# title: permit
# description: Hits of the rules that permit the request.
permit := enabled.permit | {hit | some rules in local; some hit in rules.permit}

# METADATA
# title: deny
# description: Hits of every rule that denies the request.
deny := union({
	platform.deny, duties.deny, prohibitions.deny, purposes.deny, consent.deny, sim.deny,
	records.deny, cases.deny, safeguards.deny, watchlists.deny, authorisations.deny,
	{hit | some rules in local; some hit in rules.deny},
})

# METADATA
# title: allowed
# description: Some layer permits and nothing denies.
allowed if {
	count(deny) == 0
	count(permit) > 0
}

# METADATA
# title: reasons
# description: Every denying rule's reason when denied; the permitting rules' reasons when allowed.
# scope: document
reasons := [hit.reason | some hit in sort(deny)] if count(deny) > 0

reasons := [hit.reason | some hit in sort(permit)] if count(deny) == 0

# METADATA
# title: obligations
# description: The combined obligations when allowed; on a denial, only the duties that survive it.
# scope: document
obligations := duties.on_allow if allowed

obligations := duties.on_deny if not allowed

# METADATA
# title: jurisdictions
# description: The layers applied, outermost first.
jurisdictions := context.layer_codes
