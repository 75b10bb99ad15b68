"""Dead letters on the real Kafka broker, for each consumer (gate, recognition).

Each test uses its own topics (``it-ingest-<id>.*``) on ``Settings().kafka.bootstrap_servers``
and runs the consumer's real broker; OPA and Triton are stood in for. It proves what the
in-memory broker cannot: the dead letter keeps the original value, key, headers and
timestamp, the consumer commits past the bad message, and a message after it is processed.
The gate's own use of the broker is here too: what it publishes arrives whole, with keys and
headers, however many publish at once, and a batch that fails is read again, never skipped.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import MessageSizeTooLargeError
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KafkaTopicPartition  # aiokafka's is TopicPartition here
from kafka.errors import KafkaError

from custodes.events import RejectReason, rejection_counts
from custodes.events.examples import example_payload
from custodes.gate import service as gate_service
from custodes.gate.service import PUBLISH_BATCH_BYTES, build_gate, camera_group_id, publish_chunked, registry_end_offsets
from custodes.policy.client import PolicyClient
from custodes.policy.registry import Deployment, RegistryMirror
from custodes.recognition.errors import FaceRejected, Reason
from custodes.recognition.service import build_recognition
from custodes.settings import Settings, Topics
from custodes.stack.topics import ensure_topics

pytestmark = pytest.mark.kafka

TIMEOUT_S = 60.0
HEADERS = [("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("binary", b"\xff\xfe\x00")]
ALLOW = {"allow": True, "decision_id": "d1", "obligations": {"max_fmr": 0.01},
         "reasons": [{"code": "ok", "requirement": "KE-01", "legal_ref": "l", "message": "m"}]}


@pytest.fixture
def isolated(kafka: Settings) -> Iterator[Settings]:
    """The test's settings: its own topics and gate group (removed afterwards), no real OPA reachable."""
    settings = kafka
    prefix = f"it-ingest-{uuid.uuid4().hex[:10]}"
    topics = Topics(sim_registrations=f"{prefix}.sim", camera_faces=f"{prefix}.camera",
                    recognition_requests=f"{prefix}.requests", identification_requests=f"{prefix}.identification",
                    audit_records=f"{prefix}.audit", registry_authorisations=f"{prefix}.registry",
                    registry_deployments=f"{prefix}.deployments", registry_watchlists=f"{prefix}.watchlists")
    isolated = settings.model_copy(update={
        "kafka": settings.kafka.model_copy(update={"topics": topics}),
        "gate": settings.gate.model_copy(update={"group_id": f"{prefix}-gate"}),
        "recognition": settings.recognition.model_copy(update={"group_id": f"{prefix}-recognition"}),
        "opa": settings.opa.model_copy(update={"url": "http://127.0.0.1:9", "retries": 0}),
    })
    ensure_topics(isolated, partitions=1)
    yield isolated
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        admin.delete_topics(topics.all())
        admin.delete_groups([isolated.gate.group_id, camera_group_id(isolated), isolated.recognition.group_id])
    except KafkaError:
        pass
    finally:
        admin.close()


async def _produce(settings: Settings, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all",
                                max_request_size=settings.kafka.max_message_bytes)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value, key=f"key-{i}".encode(), headers=HEADERS,
                                         timestamp_ms=1_772_360_102_000 + i)
    finally:
        await producer.stop()


async def _read(settings: Settings, topic: str, count: int) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest", fetch_max_bytes=settings.kafka.max_message_bytes)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(TIMEOUT_S):
            while len(records) < count:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(batch)
    except TimeoutError:
        pytest.fail(f"{topic}: {len(records)} of {count} messages within {TIMEOUT_S}s")
    finally:
        await consumer.stop()
    return records


async def _committed(settings: Settings, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    committed = offsets.get(TopicPartition(topic, 0))
    return committed.offset if committed else -1


async def _wait_committed(settings: Settings, group: str, topic: str, offset: int) -> None:
    async with asyncio.timeout(TIMEOUT_S):
        while await _committed(settings, group, topic) < offset:
            await asyncio.sleep(0.3)


def _reason(record: ConsumerRecord) -> dict[str, Any]:
    return json.loads(dict(record.headers)["x-custodes-reason"])


def _assert_original(letter: ConsumerRecord, value: bytes, key: bytes, timestamp: int) -> None:
    assert (letter.value, letter.key, letter.timestamp) == (value, key, timestamp)
    assert dict(letter.headers)["traceparent"] == HEADERS[0][1]


def _sim(**changes: Any) -> bytes:
    return json.dumps(example_payload("sim_registration", "1.1") | changes).encode()


def _allowing(settings: Settings) -> PolicyClient:
    """A stand-in OPA that allows every event, singly or in a batch."""
    return PolicyClient(settings.opa, transport=httpx.MockTransport(lambda request: httpx.Response(
        200, json={"result": [ALLOW] * len(json.loads(request.content)["input"].get("requests", [None]))}
        if request.url.path.endswith(("/batch/decisions", "/batch/judged")) else {"result": ALLOW})))


@pytest.fixture
async def running_gate(isolated: Settings) -> AsyncIterator[Settings]:
    policy = _allowing(isolated)
    gate = build_gate(isolated, policy)
    await gate.broker.start()
    try:
        yield isolated
    finally:
        await gate.drain()
        await gate.broker.stop()
        await policy.close()


async def test_gate_dead_letters_on_the_real_broker_commits_past_and_goes_on(running_gate: Settings) -> None:
    settings, topics = running_gate, running_gate.kafka.topics
    bad = [b"{not json", _sim(schema_version="9.0"), _sim(ethnicity="label"), _sim(subject_age="34")]
    codes = [RejectReason.INVALID_JSON, RejectReason.UNKNOWN_SCHEMA_VERSION, RejectReason.PROHIBITED_FIELD,
             RejectReason.WRONG_TYPE]
    good = _sim(event_id="evt-after-the-bad-ones")
    await _produce(settings, topics.sim_registrations, [*bad, good])

    letters = await _read(settings, f"{topics.sim_registrations}.dlq", len(bad))
    for offset, (letter, value, code) in enumerate(zip(letters, bad, codes, strict=True)):
        _assert_original(letter, value, f"key-{offset}".encode(), 1_772_360_102_000 + offset)
        reason = _reason(letter)
        assert (reason["code"], reason["offset"], reason["topic"]) == (code.value, offset, topics.sim_registrations)

    audit = [json.loads(r.value) for r in await _read(settings, topics.audit_records, len(bad) + 1)]
    assert [a["outcome"] for a in audit[:-1]] == [f"error:{c.value}" for c in codes]
    for code in codes:  # counted once its dead letter is in, before its audit record is written
        assert rejection_counts()[(topics.sim_registrations, code.value)] >= 1
    assert (audit[-1]["kind"], audit[-1]["event_id"]) == ("policy_decision", "evt-after-the-bad-ones")
    await _wait_committed(settings, settings.gate.group_id, topics.sim_registrations, len(bad) + 1)


async def test_many_publishers_at_once_to_one_partition_all_get_their_records_in(isolated: Settings) -> None:
    """aiokafka 0.14's ``send_batch`` can time out early when many senders wait for one
    partition's place in its accumulator (``_sending`` in custodes.gate.service): sixteen calls
    at once, each of three produce batches, with a timeout of 3 s, all succeed."""
    topic = isolated.kafka.topics.recognition_requests
    broker = KafkaBroker(isolated.kafka.bootstrap_servers, max_request_size=isolated.kafka.max_message_bytes,
                         max_batch_size=PUBLISH_BATCH_BYTES, request_timeout_ms=3000)
    payloads = [b"x" * 100_000] * 60  # 6 MB: three runs of at most half a produce batch
    await broker.start()
    try:
        await asyncio.gather(*(publish_chunked(broker, payloads, topic, {}) for _ in range(16)))
    finally:
        await broker.stop()
    consumer = KafkaConsumer(bootstrap_servers=isolated.kafka.bootstrap_servers)
    try:
        assert consumer.end_offsets([KafkaTopicPartition(topic, 0)])[KafkaTopicPartition(topic, 0)] == 16 * 60
    finally:
        consumer.close()


async def test_a_batch_that_fails_is_read_again_and_the_batches_after_it_too(isolated: Settings, monkeypatch) -> None:
    """Batches concluded one over another (custodes.gate.overlap) on the real broker: Kafka
    refuses the work of the second batch once; that batch, and any read after it, is read again,
    so every event's work is published and every offset is committed; none is skipped."""
    topics = isolated.kafka.topics
    events = [_sim(event_id=f"evt-{i}") for i in range(12)]
    await _produce(isolated, topics.sim_registrations, events)
    works: list[int] = []
    publish = gate_service.publish_chunked

    async def refuse_the_second_batch_once(broker, payloads, topic, headers, keys=None) -> None:
        if topic == topics.recognition_requests:
            works.append(len(payloads))
            if len(works) == 2:
                raise RuntimeError("injected: Kafka refused the work of the second batch")
        await publish(broker, payloads, topic, headers, keys)

    monkeypatch.setattr(gate_service, "publish_chunked", refuse_the_second_batch_once)
    settings = isolated.model_copy(update={"gate": isolated.gate.model_copy(update={"max_batch": 4})})
    policy = _allowing(settings)
    gate = build_gate(settings, policy)
    await gate.broker.start()
    try:
        await _wait_committed(settings, settings.gate.group_id, topics.sim_registrations, len(events))
    finally:
        await gate.drain()
        await gate.broker.stop()
        await policy.close()
    work = [json.loads(r.value)["event"]["event_id"] for r in await _read(settings, topics.recognition_requests,
                                                                          len(events))]
    assert len(works) >= 3, "the second batch's work was refused, and a later batch published"
    assert sorted(set(work)) == sorted(f"evt-{i}" for i in range(12)), "no event's work is lost"


class _NoFaceClient:
    async def verify(self, probe: bytes, reference: bytes, max_fmr: float) -> None:
        raise FaceRejected(Reason.NO_FACE, "no face found in the probe image")

    async def close(self) -> None:
        pass


async def test_recognition_dead_letters_no_face_on_the_real_broker(isolated: Settings) -> None:
    settings, topics = isolated, isolated.kafka.topics
    broker, _ = build_recognition(settings, _NoFaceClient())
    await broker.start()
    try:
        request = json.dumps(example_payload("recognition_request", "1.0")).encode()
        await _produce(settings, topics.recognition_requests, [b"", request])
        letters = await _read(settings, f"{topics.recognition_requests}.dlq", 2)
        assert [_reason(letter)["code"] for letter in letters] == ["invalid_json", "no_face"]
        _assert_original(letters[1], request, b"key-1", 1_772_360_102_001)
        audit = [json.loads(r.value) for r in await _read(settings, topics.audit_records, 2)]
        assert [(a["kind"], a["outcome"]) for a in audit] == [("event_rejected", "error:invalid_json"),
                                                              ("recognition_result", "error:no_face")]
        await _wait_committed(settings, settings.recognition.group_id, topics.recognition_requests, 2)
    finally:
        await broker.stop()


async def test_registry_end_offsets_are_read_from_the_real_broker(isolated: Settings) -> None:
    """Where the gate's registry reading must get before it judges: each partition's end now."""
    topics = isolated.kafka.topics
    await _produce(isolated, topics.registry_authorisations, [b"{}", b"{}", b""])
    sections = {topics.registry_authorisations: "authorisations", topics.registry_deployments: "deployments",
                f"{topics.registry_watchlists}.absent": "watchlists"}
    ends = await registry_end_offsets(isolated, sections)
    assert ends[(topics.registry_authorisations, 0)] == 3
    assert ends[(topics.registry_deployments, 0)] == 0
    assert not any(topic.endswith(".absent") for topic, _ in ends), "a topic not there has no partitions"


async def test_registry_ends_where_its_last_record_ends_not_at_a_transaction_marker(isolated: Settings) -> None:
    """A transactional producer's commit marker takes the log's last offset, and the mirror, which
    counts the records it folds, never reaches it: the gate would wait for ever after a restart."""
    topics = isolated.kafka.topics
    _in_transactions(isolated, topics.registry_deployments,
                     [([(f"dep-{i}".encode(), b"{}") for i in range(3)], True)])
    partition = KafkaTopicPartition(topics.registry_deployments, 0)
    log_end = await asyncio.to_thread(_log_end, isolated, partition)
    assert log_end == 4, "three records and the commit marker"
    ends = await registry_end_offsets(isolated, {topics.registry_deployments: "deployments"})
    assert ends == {(topics.registry_deployments, 0): 3}


def _log_end(settings: Settings, partition: KafkaTopicPartition) -> int:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        return consumer.end_offsets([partition])[partition]
    finally:
        consumer.close()


def _in_transactions(settings: Settings, topic: str,
                     transactions: list[tuple[list[tuple[bytes, bytes]], bool]]) -> None:
    """Write each transaction's (key, value) records to ``topic`` with a transactional producer,
    then commit it (True) or abort it (False)."""
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers,
                             transactional_id=f"custodes-test-{uuid.uuid4().hex[:8]}")
    try:
        producer.init_transactions()
        for records, commit in transactions:
            producer.begin_transaction()
            for key, value in records:
                producer.send(topic, key=key, value=value)
            producer.flush()
            producer.commit_transaction() if commit else producer.abort_transaction()
    finally:
        producer.close()


async def test_the_registry_mirror_never_folds_an_aborted_transaction(isolated: Settings) -> None:
    """A record of an aborted transaction was never written: a grant aborted must not allow."""
    deployments = isolated.kafka.topics.registry_deployments
    _in_transactions(isolated, deployments, [
        ([(record_id.encode(), Deployment(id=record_id).model_dump_json().encode())], commit)
        for record_id, commit in (("dep-aborted", False), ("dep-committed", True))])
    registry = RegistryMirror("http://127.0.0.1:9", timeout_s=0.5)  # no OPA: what is folded is what counts here
    gate = build_gate(isolated, policy=PolicyClient(isolated.opa), registry=registry)
    ends = await registry_end_offsets(isolated, {deployments: "deployments"})
    assert ends == {(deployments, 0): 3}, "the committed record, after the aborted one and its marker"
    await gate.broker.start()
    try:
        await asyncio.wait_for(registry.catch_up(lambda: registry_end_offsets(isolated, {deployments: "deployments"})),
                               30)
        assert registry.deployment("dep-committed") is not None
        assert registry.deployment("dep-aborted") is None
    finally:
        await gate.broker.stop()
        await registry.close()
        await gate.policy.close()


async def test_the_gate_publishes_every_record_once_with_its_key_and_headers(isolated: Settings) -> None:
    """``publish_chunked`` on the real broker: many produce batches (several MiB), a record too big
    for a batch of its own, keys and headers kept; a record Kafka refuses raises, never vanishes."""
    topic = isolated.kafka.topics.recognition_requests
    sizes = [200_000] * 30 + [PUBLISH_BATCH_BYTES // 2 + 1] + [1_000] * 20
    payloads = [bytes([65 + i % 26]) * size for i, size in enumerate(sizes)]
    keys = [f"event-{i}".encode() for i in range(len(payloads))]
    gate = build_gate(isolated)
    await gate.broker.start()
    try:
        await publish_chunked(gate.broker, payloads, topic, {"content-type": "application/json"}, keys=keys)
        with pytest.raises(MessageSizeTooLargeError):  # above the producer's max_request_size
            await publish_chunked(gate.broker, [b"x" * (isolated.kafka.max_message_bytes + 1)], topic, {})
    finally:
        await gate.broker.stop()
    records = await _read(isolated, topic, len(payloads))
    assert sorted((r.key, r.value) for r in records) == sorted(zip(keys, payloads, strict=True))
    assert {tuple(r.headers) for r in records} == {(("content-type", b"application/json"),)}
