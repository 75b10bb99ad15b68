# METADATA
# title: custodes decision
# description: |
#   Entry point data.custodes.decision; every rule of this package is a field of the
#   decision document (no helpers here, so nothing else leaks into it). Input:
#   {"request": {...}} (see policies/README.md). Fail closed: allowed only when a permit
#   rule matched and no deny rule did; anything this bundle has no rule for is denied.
package custodes.decision

import data.custodes.rules

# METADATA
# title: allow
# description: True only when some allow rule matched and no deny rule did.
default allow := false

allow if {
	count(rules.deny) == 0
	count(rules.permit) > 0
}

# METADATA
# title: decision_id
# description: Deterministic per request, so a redelivered event gets the same decision id.
default decision_id := "dec-without-request"

decision_id := sprintf("dec-%s", [substring(crypto.sha256(json.marshal(input.request)), 0, 32)])

# METADATA
# title: use_case
# description: The use case judged.
use_case := input.request.use_case

# METADATA
# title: jurisdictions
# description: Layers applied, outermost first (bloc, then country).
jurisdictions := [layer | some layer in [object.get(rules.pack, "bloc", null), input.request.jurisdiction]; layer != null] if rules.pack

default jurisdictions := []

# METADATA
# title: reasons
# description: Every denying rule when denied; the allowing rules when allowed.
reasons := [r | some r in rules.deny] if count(rules.deny) > 0

reasons := [r | some r in rules.permit] if count(rules.deny) == 0

# METADATA
# title: obligations
# description: Duties attached to an allow; empty on a denial.
obligations := {
	"max_fmr": rules.pack.sim_registration.max_fmr,
	"liveness_required": rules.pack.sim_registration.liveness_required,
	"purpose_lock": "sim_registration_verification",
	"retain_days": rules.pack.sim_registration.retain_days,
	"delete_non_matches": "immediate",
	"review_quorum": 0,
} if allow

default obligations := {}
