# METADATA
# title: custodes decision
# description: |
#   Entry point data.custodes.decision: every rule of this package is a field of the
#   decision document (no helpers here, so nothing else leaks into it). Input:
#   {"request": {...}} (policies/README.md). Fail closed: allowed only when a layer
#   permits and no rule denies; anything the packs have no rule for is denied, and a
#   denial always carries at least one reason.
# entrypoint: true
package custodes.decision

import data.custodes.packs
import data.custodes.rules

# METADATA
# title: allow
# description: True only when some layer permits the request and no rule denies it.
# scope: document
default allow := false

allow if rules.allowed

# METADATA
# title: decision_id
# description: Deterministic per request, so a redelivered event gets the same decision id.
# scope: document
default decision_id := "dec-without-request" # regal ignore:rule-name-repeats-package

# regal ignore:rule-name-repeats-package
decision_id := rules.decision_id(input.request)

# METADATA
# title: policy_revision
# description: |
#   The packs' semantic version (data.custodes.packs.meta.revision). The gate records the
#   bundle revision from OPA's provenance beside it (policies/README.md).
# scope: document
default policy_revision := "unknown"

policy_revision := packs.meta.revision

# METADATA
# title: jurisdictions
# description: The layers applied, outermost first (bloc, country, state, locality); empty when unknown.
# scope: document
default jurisdictions := []

jurisdictions := rules.jurisdictions

# METADATA
# title: use_case
# description: The use case judged; null when the request names none from the vocabulary.
# scope: document
default use_case := null

use_case := input.request.use_case if is_object(packs.vocabulary.use_cases[input.request.use_case])

# METADATA
# title: obligations
# description: Duties attached to an allow (combined, strictest first); on a denial, only those that survive it.
# scope: document
default obligations := {}

obligations := rules.obligations

# METADATA
# title: reasons
# description: Every denying rule when denied; the permitting rules when allowed. Never empty.
# scope: document
default reasons := [{
	"code": "policy_error",
	"requirement": "CUSTODES-01",
	"legal_ref": "custodes policies/README.md CUSTODES-01 (fail closed)",
	"message": "the rules produced no reason; denied",
}]

reasons := rules.reasons
