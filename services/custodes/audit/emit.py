"""How services send audit records to the ledger: over Kafka, keyed by event id.

The ledger service is the single writer of the store; producers only publish. Record ids
are deterministic (``make_record_id``), so a redelivered event yields the same record and
the ledger keeps exactly one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from faststream.kafka import KafkaBroker

from custodes.audit.records import AuditRecord


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
        reasons=[{"code": reason["code"], "requirement": "INGEST-VALIDATION",
                  "legal_ref": "custodes event contract", "message": reason["detail"][:500]}],
        details={"topic": topic, "partition": raw_message.partition, "offset": raw_message.offset},
    )
