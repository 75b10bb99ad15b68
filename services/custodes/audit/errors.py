"""Exceptions of the audit ledger.

Hierarchy::

    RuntimeError
    └── AuditStoreError   the store cannot do what was asked (in use, unreachable, driver error)

Record validation failures are pydantic ``ValidationError`` (a ``ValueError``).
"""

from __future__ import annotations

__all__ = ["AuditStoreError"]


class AuditStoreError(RuntimeError):
    """The audit store cannot do what was asked; the message says why and what to do."""
