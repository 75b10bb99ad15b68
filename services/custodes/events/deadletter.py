"""Dead letters: nothing a consumer cannot use is dropped silently.

Contract: ``dead_letter`` republishes the ORIGINAL value, key, headers and timestamp of a
consumed message to ``<topic>.dlq`` and adds the header ``x-custodes-reason``, a JSON
object ``{code, detail, field, event_id, topic, partition, offset, timestamp, service,
rejected_at}``
with ``code`` one of :class:`RejectReason`, so the message can be inspected and replayed.
The reason never contains the payload. Every dead letter is counted per (topic, code)
(:func:`rejection_counts`). Headers travel as the consumer decoded them (UTF-8 text).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from faststream.kafka import KafkaBroker

__all__ = [
    "REASON_HEADER",
    "RejectReason",
    "Rejection",
    "dead_letter",
    "rejection_counts",
]

REASON_HEADER = "x-custodes-reason"
MAX_DETAIL_CHARS = 1000


class RejectReason(StrEnum):
    """Machine-readable reasons of a dead letter."""

    INVALID_JSON = "invalid_json"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    PROHIBITED_FIELD = "prohibited_field"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    UNKNOWN_FIELD = "unknown_field"
    SCHEMA_VIOLATION = "schema_violation"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_UNDECODABLE = "image_undecodable"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class Rejection:
    """Why a message cannot be used: a reason code, words without payload, where (if known) and
    the event id the message claims (if it has one)."""

    code: RejectReason
    detail: str
    field: str | None = None
    event_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", RejectReason(self.code))
        object.__setattr__(self, "detail", _printable(self.detail, MAX_DETAIL_CHARS))
        for name in ("field", "event_id"):
            if (value := getattr(self, name)) is not None:
                object.__setattr__(self, name, _printable(value, 256))


def _printable(text: str, limit: int) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")[:limit]


_counts: Counter[tuple[str, str]] = Counter()


def rejection_counts() -> dict[tuple[str, str], int]:
    """Dead letters written by this process since it started, per (source topic, reason code)."""
    return dict(_counts)


async def dead_letter(broker: KafkaBroker, raw_message: Any, rejection: Rejection, service: str) -> dict[str, Any]:
    """Publish ``raw_message`` (an aiokafka ConsumerRecord) to ``<topic>.dlq``; returns the reason."""
    reason = {
        "code": rejection.code.value,
        "detail": rejection.detail,
        "field": rejection.field,
        "event_id": rejection.event_id,
        "topic": raw_message.topic,
        "partition": raw_message.partition,
        "offset": raw_message.offset,
        "timestamp": raw_message.timestamp,
        "service": service,
        "rejected_at": datetime.now(UTC).isoformat(),
    }
    headers = {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else v or "")
               for k, v in (raw_message.headers or [])}
    headers[REASON_HEADER] = json.dumps(reason, separators=(",", ":"))
    await broker.publish(raw_message.value or b"", f"{raw_message.topic}.dlq", key=raw_message.key,
                         headers=headers, timestamp_ms=raw_message.timestamp)
    _counts[(raw_message.topic, rejection.code.value)] += 1
    return reason
