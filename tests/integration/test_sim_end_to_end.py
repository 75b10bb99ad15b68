"""A governed SIM registration through the whole real stack.

Kafka → gate → OPA → (allowed) recognition on Triton → audit ledger in ClickHouse (chDB),
all real processes started by `custodes stack up`.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from custodes.audit.records import AuditRecord
from custodes.audit.tail import fetch_recent
from custodes.events.sim_factory import sim_event
from custodes.recognition.client import RecognitionClient
from custodes.settings import Settings
from tests.conftest import require

pytestmark = [pytest.mark.stack, pytest.mark.kafka, pytest.mark.opa, pytest.mark.triton, pytest.mark.clickhouse]

ALL = ("kafka", "opa", "triton", "ledger", "gate", "recognition")


@pytest.fixture(scope="module")
def stack(settings: Settings) -> Settings:
    require(settings, *ALL)
    return settings


def _produce(settings: Settings, *events, partition: int | None = None) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all",
                             max_request_size=settings.kafka.max_message_bytes)
    try:
        for event in events:
            producer.send(settings.kafka.topics.sim_registrations, key=event.event_id.encode(),
                          value=event.model_dump_json().encode(), partition=partition)
        producer.flush(30)
    finally:
        producer.close()


def _wait(settings: Settings, event_id: str, kind: str, timeout_s: float = 60.0) -> list[AuditRecord]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        records = fetch_recent(settings, limit=10, event_id=event_id)
        if any(r.kind == kind for r in records):
            return records
        time.sleep(0.3)
    pytest.fail(f"no {kind} record for {event_id} within {timeout_s}s")


def _one(records: list[AuditRecord], kind: str) -> AuditRecord:
    matching = [r for r in records if r.kind == kind]
    assert len(matching) == 1, f"expected exactly one {kind} record, got {len(matching)}"
    return matching[0]


def _uid(label: str) -> str:
    return f"it-{label}-{uuid.uuid4().hex[:10]}"


async def _inference_count(settings: Settings) -> int:
    async with RecognitionClient(settings) as client:
        return await client.settled_inference_count()


def test_genuine_pair_verifies(stack: Settings, images: Path) -> None:
    event = sim_event(_uid("genuine"), images / "obama.jpg", images / "obama2.jpg")
    _produce(stack, event)
    records = _wait(stack, event.event_id, "recognition_result")
    decision, result = _one(records, "policy_decision"), _one(records, "recognition_result")
    assert decision.allowed is True
    assert decision.reasons[0]["requirement"] == "KE-01"
    assert result.outcome == "match"
    assert result.score >= result.threshold
    assert result.decision_id == decision.decision_id
    assert result.model_id and len(result.model_sha256) == 64
    assert result.input_sha256 == [event.selfie.sha256, event.id_document.portrait.sha256]


def test_impostor_pair_does_not_verify(stack: Settings, images: Path) -> None:
    event = sim_event(_uid("impostor"), images / "obama.jpg", images / "biden.jpg")
    _produce(stack, event)
    result = _one(_wait(stack, event.event_id, "recognition_result"), "recognition_result")
    assert result.outcome == "no_match"
    assert result.score < result.threshold


async def test_denied_event_never_reaches_triton(stack: Settings, images: Path) -> None:
    """Denied D then allowed sentinel S on one partition (processed in order): Triton's
    inference count grows by exactly what S alone costs, and no work for D was published."""
    per_verification = None
    for attempt in range(2):  # the first allowed verification measures what one costs
        probe = sim_event(_uid("cost"), images / "obama.jpg", images / "obama2.jpg")
        before = await _inference_count(stack)
        _produce(stack, probe, partition=0)
        _wait(stack, probe.event_id, "recognition_result")
        per_verification = await _inference_count(stack) - before
    assert per_verification and per_verification > 0

    denied = sim_event(_uid("denied"), images / "obama.jpg", images / "obama2.jpg", legal_mandate=None)
    sentinel = sim_event(_uid("sentinel"), images / "obama.jpg", images / "obama2.jpg")
    before = await _inference_count(stack)
    _produce(stack, denied, sentinel, partition=0)
    decision = _one(_wait(stack, denied.event_id, "policy_decision"), "policy_decision")
    _wait(stack, sentinel.event_id, "recognition_result")
    after = await _inference_count(stack)

    assert decision.allowed is False
    assert "missing_legal_mandate" in {r["code"] for r in decision.reasons}
    assert after - before == per_verification, "Triton ran more inferences than the sentinel alone needs"
    assert not [r for r in fetch_recent(stack, limit=10, event_id=denied.event_id) if r.kind == "recognition_result"]
    assert denied.event_id.encode() not in _keys_on(stack, stack.kafka.topics.recognition_requests)


def _keys_on(settings: Settings, topic: str) -> set[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False,
                             consumer_timeout_ms=3000, fetch_max_bytes=settings.kafka.max_message_bytes * 2,
                             max_partition_fetch_bytes=settings.kafka.max_message_bytes)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        return {message.key for message in consumer}
    finally:
        consumer.close()


def test_redelivered_event_gives_exactly_one_record_of_each_kind(stack: Settings, images: Path) -> None:
    event = sim_event(_uid("dup"), images / "obama.jpg", images / "obama2.jpg")
    _produce(stack, event)
    _produce(stack, event)  # at-least-once upstream: the same event twice
    _wait(stack, event.event_id, "recognition_result")
    time.sleep(3)  # give the duplicate time to travel the whole way
    records = fetch_recent(stack, limit=20, event_id=event.event_id)
    assert sorted(r.kind for r in records) == ["policy_decision", "recognition_result"]


def test_malformed_event_is_dead_lettered_and_the_gate_goes_on(stack: Settings, images: Path) -> None:
    producer = KafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers, acks="all")
    marker = uuid.uuid4().hex.encode()
    producer.send(stack.kafka.topics.sim_registrations, key=b"bad-" + marker, value=b"{not json " + marker)
    producer.flush(30)
    producer.close()
    good = sim_event(_uid("after-bad"), images / "obama.jpg", images / "obama2.jpg")
    _produce(stack, good)
    _wait(stack, good.event_id, "recognition_result")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if b"bad-" + marker in _keys_on(stack, f"{stack.kafka.topics.sim_registrations}.dlq"):
            return
        time.sleep(0.5)
    pytest.fail("the malformed event did not reach the dead-letter topic")
