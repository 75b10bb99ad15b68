"""The ledger service: the single writer of the audit store.

One process consumes ``Settings().kafka.topics.audit_records`` in batches and serves the
read API over HTTP (``GET /healthz``, ``GET /v1/records``) on ``Settings().ledger``.

Contract:
- at-least-once in, exactly one row per ``record_id`` out: offsets are committed only
  after the batch is stored (``AckPolicy.NACK_ON_ERROR``: a failed batch is rewound and
  redelivered), and the store's insert is idempotent;
- nothing is dropped silently: a message that is not a valid :class:`AuditRecord` is
  republished byte for byte (value, key, headers, timestamp) to ``<topic>.dlq`` with
  ``custodes-dlq-*`` headers saying why and where it came from, before the batch is
  acknowledged; the service never stops for a bad message.

Run it with ``python -m custodes.audit.service``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

import uvicorn
from aiokafka import AIOKafkaProducer, ConsumerRecord
from fastapi import FastAPI, HTTPException, Query, Request
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import ValidationError

from custodes.audit.records import AuditRecord, Kind
from custodes.audit.store import AuditStore, AuditStoreError, open_store
from custodes.events.raw import headers_safe_parser, raw_decoder
from custodes.settings import Settings, get_settings

__all__ = ["DEFAULT_GROUP_ID", "DLQ_HEADER_PREFIX", "Ledger", "build_ledger_app", "main"]

DEFAULT_GROUP_ID = "custodes.ledger"
DLQ_HEADER_PREFIX = "custodes-dlq-"
RETRY_BACKOFF_S = 1.0
MAX_BATCH = 1000

log = logging.getLogger("custodes.audit.ledger")


def _reason(ex: ValidationError | ValueError) -> str:
    if isinstance(ex, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in ex.errors(include_input=False)]
        text = "; ".join(parts)
    else:
        text = str(ex)
    return f"not a valid AuditRecord: {text}"[:2000]


def _parse(value: bytes | None) -> AuditRecord:
    if not value:
        raise ValueError("empty message")
    return AuditRecord.model_validate_json(value)


class Ledger:
    """The consumer half of the service: broker, dead-letter producer and store."""

    def __init__(self, settings: Settings, *, group_id: str = DEFAULT_GROUP_ID, store: AuditStore | None = None) -> None:
        self.settings = settings
        self.topic = settings.kafka.topics.audit_records
        self.dlq_topic = f"{self.topic}.dlq"
        self.store = store
        self._owns_store = store is None
        self._dlq: AIOKafkaProducer | None = None
        self.broker = KafkaBroker(settings.kafka.bootstrap_servers, logger=log)
        self.broker.subscriber(
            self.topic,
            batch=True,
            max_records=MAX_BATCH,
            group_id=group_id,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            parser=headers_safe_parser,
            decoder=raw_decoder,
            title="audit records",
            description="AuditRecord JSON; invalid messages go to <topic>.dlq",
        )(self.on_batch)

    async def on_batch(self, body: list[bytes], message: KafkaMessage) -> None:
        """Store the valid records of one batch; dead-letter the rest; raise to have it redelivered."""
        records: list[AuditRecord] = []
        for raw in message.raw_message:
            try:
                records.append(_parse(raw.value))
            except (ValidationError, ValueError) as ex:
                await self.dead_letter(raw, _reason(ex))
        if not records or self.store is None:
            return
        try:
            new = await asyncio.to_thread(self.store.insert, records)
        except AuditStoreError as ex:
            log.error("batch of %d not stored, will be redelivered: %s", len(records), ex)
            await asyncio.sleep(RETRY_BACKOFF_S)
            raise
        log.debug("stored %d new of %d audit records", new, len(records))

    async def dead_letter(self, raw: ConsumerRecord, reason: str) -> None:
        """Republish ``raw`` unchanged to the dead-letter topic, with why and where it came from."""
        if self._dlq is None:
            raise RuntimeError("the ledger is not started")
        headers = [
            *[(k, v if v is not None else b"") for k, v in raw.headers],
            (f"{DLQ_HEADER_PREFIX}reason", reason.encode()),
            (f"{DLQ_HEADER_PREFIX}topic", raw.topic.encode()),
            (f"{DLQ_HEADER_PREFIX}partition", str(raw.partition).encode()),
            (f"{DLQ_HEADER_PREFIX}offset", str(raw.offset).encode()),
        ]
        await self._dlq.send_and_wait(
            self.dlq_topic, value=raw.value, key=raw.key, headers=headers, timestamp_ms=raw.timestamp
        )
        log.warning("dead-lettered %s[%d]@%d: %s", raw.topic, raw.partition, raw.offset, reason)

    async def start(self) -> None:
        if self.store is None:
            self.store = open_store(self.settings)
        self.store.migrate()
        self._dlq = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka.bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            max_request_size=self.settings.kafka.max_message_bytes,
        )
        await self._dlq.start()
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()
        if self._dlq is not None:
            await self._dlq.stop()
            self._dlq = None
        if self._owns_store and self.store is not None:
            self.store.close()
            self.store = None


def _store(request: Request) -> AuditStore:
    store = request.app.state.ledger.store
    if store is None:
        raise HTTPException(503, "the audit store is not open")
    return store


def build_ledger_app(
    settings: Settings, *, group_id: str = DEFAULT_GROUP_ID, store: AuditStore | None = None
) -> FastAPI:
    """The ledger as one ASGI app: Kafka consumer in its lifespan, read API on its routes.

    A ``store`` passed in is used (and migrated) but not closed; otherwise the app opens
    and closes its own.
    """
    ledger = Ledger(settings, group_id=group_id, store=store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ledger.start()
        try:
            yield
        finally:
            await ledger.stop()

    app = FastAPI(title="custodes audit ledger", lifespan=lifespan)
    app.state.ledger = ledger

    @app.get("/healthz")
    def healthz(request: Request) -> dict[str, str]:
        store = _store(request)
        if not store.ping():
            raise HTTPException(503, f"the audit store at {store.location} does not answer")
        return {"status": "ok", "topic": ledger.topic, "store": store.location}

    @app.get("/v1/records", response_model=list[AuditRecord])
    def records(
        request: Request,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
        event_id: Annotated[str | None, Query(max_length=256)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: Annotated[Kind | None, Query()] = None,
        jurisdiction: Annotated[list[str] | None, Query(max_length=64)] = None,
    ) -> Sequence[AuditRecord]:
        try:
            return _store(request).recent(limit, since=since, event_id=event_id, until=until, kind=kind,
                                          jurisdictions=jurisdiction or ())
        except AuditStoreError as ex:
            raise HTTPException(503, str(ex)) from ex

    return app


def main() -> int:
    """Run the ledger with uvicorn on ``settings.ledger.host:port``; exit 0 on SIGTERM/SIGINT, 2 when the store cannot be opened."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        store = open_store(settings)
    except AuditStoreError as ex:
        print(f"custodes ledger: {ex}", file=sys.stderr)
        return 2
    # uvicorn re-raises the stop signal after its graceful shutdown; that is a normal stop here.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    try:
        app = build_ledger_app(settings, store=store)
        uvicorn.run(app, host=settings.ledger.host, port=settings.ledger.port, log_level="info")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
