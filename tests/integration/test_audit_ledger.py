"""The ledger service end to end against the real Kafka broker and embedded ClickHouse."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from custodes.audit.records import AuditRecord
from custodes.audit.service import DLQ_HEADER_PREFIX
from custodes.audit.store import open_store
from custodes.audit.tail import fetch_recent, ledger_url
from custodes.settings import Settings
from custodes.stack.processes import free_port

pytestmark = [pytest.mark.kafka, pytest.mark.clickhouse]


def _record(i: int) -> AuditRecord:
    return AuditRecord(
        kind="recognition_result",
        event_id=f"evt-{i}",
        event_type="sim_registration",
        event_time=datetime(2026, 4, 1, 9, 0, tzinfo=UTC) + timedelta(seconds=i),
        service="custodes.recognition",
        jurisdiction="KE",
        use_case="sim_registration",
        allowed=True,
        outcome="match",
        score=0.8,
        threshold=0.6,
        input_sha256=["c" * 64],
    )


@pytest.fixture
def ledger_settings(kafka: Settings, tmp_path: Path) -> Settings:
    """Settings of a ledger of its own: its state, topic and port; the stack's broker (``kafka``)."""
    topic = f"custodes.test.audit.{uuid.uuid4().hex[:12]}"
    return Settings(
        state_dir=tmp_path / "state",
        clickhouse_url=None,
        kafka={"bootstrap_servers": kafka.kafka.bootstrap_servers, "topics": {"audit_records": topic}},
        ledger={"port": free_port()},
    )


@pytest.fixture
def ledger(ledger_settings: Settings, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    settings = ledger_settings
    env = {
        **os.environ,
        "CUSTODES_STATE_DIR": str(settings.state_dir),
        "CUSTODES_KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "CUSTODES_KAFKA__TOPICS__AUDIT_RECORDS": settings.kafka.topics.audit_records,
        "CUSTODES_LEDGER__PORT": str(settings.ledger.port),
    }
    env.pop("CUSTODES_CLICKHOUSE_URL", None)
    log = (tmp_path / "ledger.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "custodes.audit.service"], env=env, stdout=log, stderr=log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


async def _create_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        topic = settings.kafka.topics.audit_records
        await admin.create_topics([NewTopic(topic, 2, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    finally:
        await admin.close()


async def _wait_for(predicate, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


async def test_ledger_stores_each_record_once_and_dead_letters_the_malformed(
    ledger_settings: Settings, ledger: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    settings = ledger_settings
    await _create_topics(settings)
    topic = settings.kafka.topics.audit_records
    base = ledger_url(settings)

    async with httpx.AsyncClient(base_url=base, timeout=5) as http:

        async def healthy() -> bool:
            assert ledger.poll() is None, (tmp_path / "ledger.log").read_text()
            try:
                return (await http.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        async def stored(n: int) -> bool:
            return len((await http.get("/v1/records", params={"limit": 100})).json()) >= n

        await _wait_for(healthy, "the ledger to answer /healthz")

        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
        await producer.start()
        try:
            records = [_record(i) for i in range(5)]
            for record in records + records:
                await producer.send(topic, record.model_dump_json().encode(), key=record.event_id.encode())
            malformed = b'{"kind": "policy_decision", "event_id": \xff broken'
            await producer.send(
                topic, malformed, key=b"bad-key", headers=[("trace", b"t-1"), ("bin", b"\xff\xfe")]
            )
            biometric = _record(99).model_dump(mode="json") | {"details": {"embedding": [0.1] * 128}}
            await producer.send(topic, json.dumps(biometric).encode(), key=b"bio")
            await producer.flush()
            await _wait_for(lambda: stored(5), "five records in the ledger")

            for record in [*records, _record(5)]:
                await producer.send(topic, record.model_dump_json().encode(), key=record.event_id.encode())
            await producer.flush()
            await _wait_for(lambda: stored(6), "the sixth record in the ledger")
        finally:
            await producer.stop()

        await asyncio.sleep(2)
        body = (await http.get("/v1/records", params={"limit": 100})).json()
        assert sorted(r["event_id"] for r in body) == [f"evt-{i}" for i in range(6)]
        one = (await http.get("/v1/records", params={"event_id": "evt-3"})).json()
        assert [AuditRecord.model_validate(r) for r in one] == [records[3]]

    assert [r.event_id for r in fetch_recent(settings, limit=2)] == ["evt-5", "evt-4"]

    consumer = AIOKafkaConsumer(f"{topic}.dlq", bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="earliest")
    await consumer.start()
    try:
        dead = []
        async with asyncio.timeout(30):
            while len(dead) < 2:
                batch = await consumer.getmany(timeout_ms=1000)
                dead.extend(m for msgs in batch.values() for m in msgs)
    finally:
        await consumer.stop()
    by_key = {m.key: m for m in dead}
    assert set(by_key) == {b"bad-key", b"bio"}
    bad = by_key[b"bad-key"]
    assert bad.value == malformed
    headers = dict(bad.headers)
    assert headers["trace"] == b"t-1" and headers["bin"] == b"\xff\xfe"
    assert headers[f"{DLQ_HEADER_PREFIX}topic"] == topic.encode()
    assert b"not a valid AuditRecord" in headers[f"{DLQ_HEADER_PREFIX}reason"]
    assert b"biometric payload refused" in dict(by_key[b"bio"].headers)[f"{DLQ_HEADER_PREFIX}reason"]

    ledger.send_signal(signal.SIGTERM)
    assert ledger.wait(timeout=30) == 0, (tmp_path / "ledger.log").read_text()
    with open_store(settings) as store:
        assert store.count() == 6
    assert len(fetch_recent(settings, limit=100)) == 6
