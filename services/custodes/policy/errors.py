"""Exceptions of the policy tools (build, sign, verify, evaluate, replay).

Hierarchy::

    RuntimeError
    └── PolicyToolError            a policy tool cannot do what was asked; the message says what to do
        ├── SigningKeyError        a signing or verification key is missing, unreadable or unsafe
        ├── BundleError            a bundle cannot be built or read
        │   └── BundleVerificationError   OPA refused the bundle's signature
        └── EvaluationError        OPA could not evaluate an input (bad input file, bad bundle)

The policy *client* (``custodes.policy.client``) never raises for OPA: it fails closed.
"""

from __future__ import annotations

__all__ = ["BundleError", "BundleVerificationError", "EvaluationError", "PolicyToolError", "SigningKeyError"]


class PolicyToolError(RuntimeError):
    """A policy tool cannot do what was asked; the message says why and what to do."""


class SigningKeyError(PolicyToolError):
    """A signing or verification key is missing, unreadable, of an unsupported type or unsafe."""


class BundleError(PolicyToolError):
    """A policy bundle cannot be built or read."""


class BundleVerificationError(BundleError):
    """OPA refused the bundle: unsigned, signed with another key, or changed after signing."""


class EvaluationError(PolicyToolError):
    """OPA could not evaluate: the input, the registry document or the bundle is not usable."""
