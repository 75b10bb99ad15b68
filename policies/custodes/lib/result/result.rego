# METADATA
# title: Decision results
# description: |
#   Builds reasons from rule METADATA so every allow or deny carries its citation
#   (requirement ID from REQUIREMENTS.md and legal reference) without repeating text.
package custodes.lib.result

# METADATA
# title: reason
# description: A reason object built from the calling rule's METADATA chain and a message.
reason(chain, message) := {
	"code": _custom(chain).code,
	"requirement": _custom(chain).requirement,
	"legal_ref": _custom(chain).legal_ref,
	"message": message,
}

_custom(chain) := chain[0].annotations.custom
