"""Every message on the wire, in every version custodes reads.

``CONTRACTS`` lists the versioned contracts; ``SCHEMAS`` adds the audit record (its model
lives in :mod:`custodes.audit.records` and carries no ``schema_version``: its wire
version is ``AUDIT_RECORD_VERSION``). One JSON Schema document is published per entry of
``SCHEMAS``, at ``schemas/<name>/<version>.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from custodes.audit.records import AuditRecord
from custodes.events.camera import CAMERA_FACE
from custodes.events.decision import POLICY_DECISION
from custodes.events.identification import IDENTIFICATION_REQUEST
from custodes.events.recognition import RECOGNITION_REQUEST, RECOGNITION_RESULT
from custodes.events.review import REVIEW_VERDICT
from custodes.events.sim import SIM_REGISTRATION
from custodes.events.versioning import Contract
from custodes.events.watchlist import WATCHLIST_ENROLMENT

__all__ = ["AUDIT_RECORD_VERSION", "CONTRACTS", "SCHEMAS", "SchemaEntry", "contract_for"]

M = TypeVar("M", bound=BaseModel)

AUDIT_RECORD_VERSION = "1.0"

CONTRACTS: tuple[Contract[BaseModel], ...] = (
    CAMERA_FACE,
    SIM_REGISTRATION,
    WATCHLIST_ENROLMENT,
    REVIEW_VERDICT,
    POLICY_DECISION,
    RECOGNITION_REQUEST,
    IDENTIFICATION_REQUEST,
    RECOGNITION_RESULT,
)


@dataclass(frozen=True)
class SchemaEntry:
    name: str
    version: str
    model: type[BaseModel]


SCHEMAS: tuple[SchemaEntry, ...] = (
    *(SchemaEntry(c.name, str(v), m) for c in CONTRACTS for v, m in c.versions.items()),
    SchemaEntry("audit_record", AUDIT_RECORD_VERSION, AuditRecord),
)


def contract_for(model: type[M]) -> Contract[M]:
    """The contract whose current model is ``model``."""
    for contract in CONTRACTS:
        if contract.current is model:
            return contract  # type: ignore[return-value]
    raise LookupError(f"{model.__name__} is not the current model of a registered contract")
