"""How services send audit records to the ledger: over Kafka, keyed by event id.

The ledger service is the single writer of the store; producers only publish. Record ids
are deterministic (``make_record_id``), so a redelivered event yields the same record and
the ledger keeps exactly one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TypeVar

from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from custodes.audit.records import AuditRecord, Kind
from custodes.events import CameraFaceEvent, PolicyDecision, SimRegistrationEvent
from custodes.events.deadletter import Rejection, dead_letter
from custodes.events.ingest import read
from custodes.events.registry import contract_for

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
JudgedEvent = SimRegistrationEvent | CameraFaceEvent


async def emit(broker: KafkaBroker, topic: str, record: AuditRecord) -> None:
    await broker.publish(
        record.model_dump_json().encode(), topic, key=record.event_id.encode(),
        headers={"content-type": "application/json", "x-custodes-kind": record.kind},
    )


def rejection_record(topic: str, raw_message, reason: dict, service: str) -> AuditRecord:
    """The audit record of a dead-lettered message: where it was and why, never its bytes."""
    event_id = f"rejected:{topic}:{raw_message.partition}:{raw_message.offset}"
    return AuditRecord(
        kind="event_rejected",
        event_id=event_id,
        event_type="unknown",
        event_time=datetime.fromtimestamp(raw_message.timestamp / 1000, UTC),
        service=service,
        outcome=f"error:{reason['code']}",
        reasons=[{"code": reason["code"], "requirement": "CUSTODES-07",
                  "legal_ref": "custodes event contract", "message": reason["detail"][:500]}],
        details={"topic": topic, "partition": raw_message.partition, "offset": raw_message.offset,
                 "field": reason.get("field"), "claimed_event_id": reason.get("event_id")},
    )


def judged_record_fields(kind: Kind, event: JudgedEvent, decision: PolicyDecision, service: str) -> dict:
    """The fields every audit record about a judged event shares: who asked for what, where, the
    decision, and the SHA-256 of each input image (of the bytes when carried by value, the
    declared hash when by reference) — never an image."""
    if isinstance(event, SimRegistrationEvent):
        use_case, purpose, requester = "sim_registration_verification", "sim_registration", event.operator
        images = [event.selfie.sha256, event.id_document.portrait.sha256]
    else:
        use_case, purpose, requester = event.use_case, event.purpose, event.requester
        images = [event.image.sha256]
    return dict(
        kind=kind,
        event_id=event.event_id,
        event_type=event.event_type,
        event_time=event.occurred_at,
        service=service,
        jurisdiction=event.jurisdiction,
        use_case=decision.use_case or use_case,
        purpose=purpose,
        requester_org=requester.org,
        requester_type=requester.type,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        allowed=decision.allow,
        obligations=decision.obligations,
        input_sha256=images,
    )


async def parse_or_reject(broker: KafkaBroker, raw_message, model: type[M], audit_topic: str, service: str) -> M | None:
    """The consumed message as ``model``, the current version of its contract (any version the
    contract reads is upcast); None when it cannot be used: it is then dead-lettered, counted
    and audited (:func:`reject`)."""
    outcome = read(contract_for(model), raw_message.value)
    if isinstance(outcome, Rejection):
        await reject(broker, raw_message, outcome, audit_topic, service)
        return None
    return outcome


async def reject(broker: KafkaBroker, raw_message, rejection: Rejection, audit_topic: str, service: str) -> dict:
    """Dead-letter an unusable message, count it and write its ``event_rejected`` record; returns the reason."""
    reason = await dead_letter(broker, raw_message, rejection, service)
    await emit(broker, audit_topic, rejection_record(raw_message.topic, raw_message, reason, service))
    log.warning("dead-lettered %s[%d]@%d: %s at %s", raw_message.topic, raw_message.partition, raw_message.offset,
                reason["code"], reason["field"])
    return reason
