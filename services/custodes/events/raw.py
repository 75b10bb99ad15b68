"""Consuming raw Kafka records with FastStream: no decoding we do not need, no header surprises.

Contract: a subscriber built with ``parser=headers_safe_parser, decoder=raw_decoder`` gets the
untouched aiokafka ``ConsumerRecord`` objects in ``message.raw_message`` (a tuple for batch
subscribers) and never fails a batch because a header is not UTF-8 or a body is not JSON —
each consumer validates every record itself and dead-letters what it cannot use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from aiokafka import ConsumerRecord


async def headers_safe_parser(records: ConsumerRecord | Sequence[ConsumerRecord], original: Any) -> Any:
    is_batch = isinstance(records, tuple | list)
    batch = tuple(records) if is_batch else (records,)
    if all(_utf8(v) for r in batch for _, v in r.headers):
        safe = batch  # the usual case: no record to copy
    else:
        safe = tuple(replace(r, headers=[(k, v if _utf8(v) else b"") for k, v in r.headers]) for r in batch)
    message = await original(safe if is_batch else safe[0])
    message.raw_message = batch if is_batch else records
    return message


async def raw_decoder(message: Any) -> list[bytes] | bytes:
    raw = message.raw_message
    if isinstance(raw, tuple | list):
        return [r.value or b"" for r in raw]
    return raw.value or b""


def _utf8(value: bytes | None) -> bool:
    if value is None:
        return False
    try:
        value.decode()
    except UnicodeDecodeError:
        return False
    return True
