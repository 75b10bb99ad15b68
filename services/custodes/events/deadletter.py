"""Dead letters: nothing a consumer cannot use is dropped silently.

Contract: ``dead_letter`` republishes the ORIGINAL bytes, key and headers of a message to
``<topic>.dlq`` and adds headers ``x-custodes-reason`` (machine-readable JSON:
{code, detail, topic, partition, offset, service}), so the message can be inspected and
replayed. The reason never contains the payload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from pydantic import ValidationError


@dataclass(frozen=True)
class Rejection:
    code: str
    detail: str


def rejection_from_validation(exc: ValidationError) -> Rejection:
    """A short, payload-free reason from a pydantic error (locations and messages only)."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "<message>"
        parts.append(f"{loc}: {err['msg']}")
    kinds = {err["type"] for err in exc.errors(include_input=False, include_url=False)}
    code = "invalid_json" if "json_invalid" in kinds else "schema_violation"
    return Rejection(code, "; ".join(parts)[:1000])


async def dead_letter(broker: KafkaBroker, raw_message, rejection: Rejection, service: str) -> dict:
    """Publish ``raw_message`` (an aiokafka ConsumerRecord) to ``<topic>.dlq``; returns the reason."""
    reason = {
        "code": rejection.code,
        "detail": rejection.detail,
        "topic": raw_message.topic,
        "partition": raw_message.partition,
        "offset": raw_message.offset,
        "service": service,
    }
    headers = {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in (raw_message.headers or [])}
    headers["x-custodes-reason"] = json.dumps(reason, separators=(",", ":"))
    await broker.publish(
        raw_message.value or b"", f"{raw_message.topic}.dlq", key=raw_message.key, headers=headers,
    )
    return reason
