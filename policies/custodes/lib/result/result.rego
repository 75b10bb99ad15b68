# METADATA
# title: Decision results
# description: |
#   Builds reasons from rule METADATA, so every allow or deny carries its citation
#   (requirement ID from REQUIREMENTS.md and legal reference) without repeating text in
#   the rule. Rules that serve one row carry custom.requirement and custom.legal_ref;
#   rule templates that several jurisdictions reuse carry custom.citations, a map from
#   requirement ID to legal reference, and the pack entry names the row that applies.
package custodes.lib.result

# METADATA
# title: reason
# description: A reason from the calling rule's METADATA (custom.code, requirement, legal_ref) and a message.
reason(chain, message) := {
	"code": custom.code,
	"requirement": custom.requirement,
	"legal_ref": custom.legal_ref,
	"message": message,
} if {
	custom := chain[0].annotations.custom
}

# METADATA
# title: cite
# description: |
#   A reason of a rule template. The pack entry names the requirement; the rule's
#   custom.citations give its legal reference. A requirement missing from the citations
#   still denies, and says so in legal_ref (the metadata test keeps that from happening).
cite(chain, requirement, message) := {
	"code": custom.code,
	"requirement": requirement,
	"legal_ref": _legal_ref(custom, requirement),
	"message": message,
} if {
	custom := chain[0].annotations.custom
}

_legal_ref(custom, requirement) := custom.citations[requirement] if {
	is_object(custom.citations)
} else := sprintf("%s is not declared in the METADATA citations of rule %q", [requirement, custom.code])

# METADATA
# title: hit
# description: |
#   What rules emit: a reason with the rank of the layer that produced it (0 = platform,
#   then layers outermost first), so the decision lists reasons in layer order.
hit(rank, reason) := {"rank": rank, "reason": reason}
