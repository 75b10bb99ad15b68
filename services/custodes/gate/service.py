"""The gate: no face is searched unless a policy for that place and purpose allows it.

Contract, per batch of events consumed from an event topic (:class:`Stream`: SIM
registrations, 1:1; camera faces, 1:N):
1. invalid bytes → dead letter (original bytes + reason) and an ``event_rejected`` audit
   record; the offset is committed and the gate goes on;
2. the valid events are judged by OPA in even chunks of at most ``settings.gate.opa_chunk``, ONE
   call per chunk (``settings.gate.batching``; otherwise one call per event, the benchmark's
   baseline), against every registry record the gate has folded before; fail closed: no
   usable answer → every event of the chunk is denied ``policy_unavailable``;
3. every decision is audited (``policy_decision`` record, confirmed by Kafka) BEFORE any
   work for its chunk is published;
4. only on allow is work (the event + the decision with its obligations) published, keyed
   by event id: a ``RecognitionRequest`` for a SIM registration, an ``IdentificationRequest``
   for a camera face.
The chunks of a batch are pipelined: while OPA judges one chunk and Kafka confirms another's
records, the gate reads the next, so OPA, Kafka and the gate work at once. So are the batches
(:class:`custodes.gate.overlap.OverlappedBatches`): the handler returns while its batch's last
chunks are still being concluded, so the gate reads the next batch meanwhile. A batch's offsets
are committed once every chunk of it, and of every batch before it, is audited and its work
published (at-least-once); a failure rewinds the consumer to the failed batch, a crash
re-reads from the last commit, and deterministic ids make the ledger keep one record per event.

The registry (authorisations, deployments, watchlists) is mirrored from its compacted
topics into OPA (:class:`custodes.policy.registry.RegistryMirror`); a camera event's
deployment record is resolved from that mirror into its decision input. No event is judged
before the mirror has read (and pushed) every registry record that was on those topics when
the gate first came to judge (up to their last records then): a superseded grant read before its
revocation must never allow.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import operator
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker, KafkaResponse
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.publisher.state import RealProducer
from kafka import KafkaConsumer, TopicPartition

from custodes import wirejson
from custodes.audit.emit import JudgedEvent, judged_record_fields, parse_or_reject
from custodes.audit.records import AuditRecord
from custodes.events import CameraFaceEvent, PolicyDecision, SimRegistrationEvent
from custodes.events.deadletter import Rejection, dead_letter
from custodes.events.raw import headers_safe_parser, raw_decoder
from custodes.gate.overlap import OverlappedBatches
from custodes.policy.client import PolicyClient
from custodes.policy.inputs import camera_face_input, sim_registration_input
from custodes.policy.registry import Offsets, RegistryMirror, RegistrySection
from custodes.settings import GateSettings, Settings, get_settings
from custodes.stack.readiness import mark_ready

log = logging.getLogger("custodes.gate")
SERVICE = "custodes.gate"
E = TypeVar("E", SimRegistrationEvent, CameraFaceEvent)


@dataclass
class Gate:
    broker: KafkaBroker
    app: FastStream
    policy: PolicyClient
    registry: RegistryMirror
    batches: list[OverlappedBatches]  # one per event stream

    async def drain(self) -> None:
        """Wait until every batch consumed so far is concluded and committed (the app does
        this on shutdown, before the broker stops; a test or benchmark that stops the broker
        itself calls it first)."""
        for batches in self.batches:
            await batches.drain()


@dataclass(frozen=True)
class Stream(Generic[E]):
    """One event topic the gate judges: its contract, how an event becomes a decision input and
    audit details, and where allowed work goes."""

    name: str
    topic: str
    group_id: str
    model: type[E]
    policy_input: Callable[[E], dict]
    details: Callable[[E], dict[str, Any]]
    work_topic: str
    description: str


def decision_record(event: JudgedEvent, decision: PolicyDecision, policy_input: dict,
                    details: dict[str, Any], reasons: list[dict[str, str]]) -> bytes:
    """The audit record (JSON) of one policy decision, with the exact OPA input (for what-if
    replay); hashes of the images, never the images. ``reasons``: the decision's reasons as
    dicts (:meth:`DecisionJson.parts`)."""
    return AuditRecord.trusted_json(
        **judged_record_fields("policy_decision", event, decision, SERVICE),
        reasons=reasons,
        outcome=None if decision.allow else "denied",
        details={"jurisdiction_layers": decision.jurisdictions, **details, "policy_input": policy_input},
    )


def work_payload(event_json: bytes, decision_json: bytes) -> bytes:
    """A ``RecognitionRequest`` or ``IdentificationRequest`` as JSON, from the validated event's
    own bytes (its images are not decoded and re-encoded) and the decision's
    (:meth:`DecisionJson.parts`)."""
    return b"".join((b'{"event":', event_json, b',"decision":', decision_json, b"}"))


class DecisionJson:
    """Decisions as JSON (``model_dump_json``) and their reasons as dicts, each worked out once
    per template.

    The decisions of a compact batch answer are copies of a few templates that differ in their
    ``decision_id`` only and share the template's objects (:meth:`PolicyClient._expand`). A
    decision whose every other field holds the very objects a decision seen before held gets
    that one's JSON with its own ``decision_id`` put in; any other decision is serialised anew."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[list[Any], bytes, bytes, list[dict[str, str]]] | None] = {}

    def parts(self, decision: PolicyDecision) -> tuple[bytes, list[dict[str, str]]]:
        """``decision.model_dump_json()`` as bytes, and ``[r.model_dump() for r in decision.reasons]``
        (one list for every decision of a template: do not change it)."""
        named = dict(decision.__dict__)
        del named["decision_id"]
        fields = list(named.values())  # in the model's order (were it another, nothing would be reused)
        key = id(decision.reasons)  # unique while seen: the entry keeps that list alive
        seen = self._seen.get(key, ...)
        if seen is ...:
            seen = self._seen[key] = self._template(decision, fields)
        if seen is None or not all(map(operator.is_, seen[0], fields)):
            return decision.model_dump_json().encode(), [r.model_dump() for r in decision.reasons]
        return b"".join((seen[1], wirejson.dumps(decision.decision_id), seen[2])), seen[3]

    @staticmethod
    def _template(decision: PolicyDecision, fields: list[Any]) -> tuple[list[Any], bytes, bytes,
                                                                          list[dict[str, str]]] | None:
        whole = decision.model_dump_json().encode()
        marker = b'"decision_id":' + wirejson.dumps(decision.decision_id)
        if whole.count(marker) != 1:  # the id written elsewhere too: no safe place to put another
            return None
        prefix, suffix = whole.split(marker)
        return fields, prefix + b'"decision_id":', suffix, [r.model_dump() for r in decision.reasons]


def _sim_details(event: SimRegistrationEvent) -> dict[str, Any]:
    return {"outlet_id": event.outlet.id, "subscriber_ref": event.subscriber_ref}


def _camera_details(event: CameraFaceEvent) -> dict[str, Any]:
    return {"camera_id": event.camera.id, "deployment_id": event.deployment_id}


def camera_group_id(settings: Settings) -> str:
    """The consumer group of the camera stream. Each stream has its own group, so one stream's
    rebalances never pause the other; the SIM stream keeps ``settings.gate.group_id`` (and its offsets)."""
    return f"{settings.gate.group_id}.camera_face"


_JSON = {"content-type": "application/json"}
_AUDIT_HEADERS = {**_JSON, "x-custodes-kind": "policy_decision"}


def build_gate(settings: Settings, policy: PolicyClient | None = None, registry: RegistryMirror | None = None,
               registry_ends: Callable[[], Awaitable[Offsets]] | None = None,
               assignors: Sequence[type[AbstractPartitionAssignor]] = (RoundRobinPartitionAssignor,)) -> Gate:
    """The gate's broker and app. ``registry_ends`` says where the registry topics end before the
    first judgement (default: asks Kafka, :func:`registry_end_offsets`); ``assignors``, how the
    event streams' consumer groups share their partitions among replicas (every replica must
    name the same)."""
    topics = settings.kafka.topics
    broker = KafkaBroker(settings.kafka.bootstrap_servers, client_id="custodes-gate",
                         max_request_size=settings.kafka.max_message_bytes, max_batch_size=PUBLISH_BATCH_BYTES)
    policy = policy or PolicyClient(settings.opa)
    registry = registry or RegistryMirror(settings.opa.url, timeout_s=settings.opa.timeout_s)
    app = FastStream(broker)
    streams: list[Stream[Any]] = [
        Stream("sim_registration", topics.sim_registrations, settings.gate.group_id, SimRegistrationEvent,
               sim_registration_input, _sim_details, topics.recognition_requests,
               "SIM-registration events to be judged by OPA (1:1)"),
        Stream("camera_face", topics.camera_faces, camera_group_id(settings), CameraFaceEvent,
               lambda event: camera_face_input(event, registry), _camera_details, topics.identification_requests,
               "camera face events to be judged by OPA before any watchlist search (1:N)"),
    ]

    async def read(stream: Stream[Any], records: Sequence[Any]) -> tuple[list[tuple[bytes, Any]], list[dict]]:
        """The usable events of ``records`` (with their bytes) and their decision inputs; the rest dead-lettered."""
        accepted: list[tuple[bytes, Any]] = []
        for record in records:
            event = await parse_or_reject(broker, record, stream.model, topics.audit_records, SERVICE)
            if event is not None:
                accepted.append((record.value, event))
        await registry.settled()
        return accepted, [stream.policy_input(event) for _, event in accepted]

    in_flight = asyncio.Semaphore(settings.gate.opa_in_flight)

    async def decide(inputs: list[dict]) -> list[PolicyDecision]:
        async with in_flight:  # bounded, so a burst cannot push OPA's answers past their timeout
            if settings.gate.batching:
                return await policy.decide_many(inputs)
            return [await policy.decide(policy_input) for policy_input in inputs]

    async def conclude(stream: Stream[Any], accepted: list[tuple[bytes, Any]], inputs: list[dict]) -> int:
        """Judge one chunk, audit every decision (confirmed by Kafka), then publish the allowed
        work; the number allowed."""
        decisions = await decide(inputs)
        as_json = DecisionJson()
        parts = [as_json.parts(decision) for decision in decisions]
        records = [decision_record(event, decision, policy_input, stream.details(event), reasons)
                   for (_, event), decision, policy_input, (_, reasons)
                   in zip(accepted, decisions, inputs, parts, strict=True)]
        if records:  # decisions are durable in Kafka before any work is published
            await publish_chunked(broker, records, topics.audit_records, _AUDIT_HEADERS)
        allowed = [(event.event_id, raw, decision_json)
                   for (raw, event), decision, (decision_json, _) in zip(accepted, decisions, parts, strict=True)
                   if decision.allow]
        if allowed:
            await publish_chunked(broker, [work_payload(raw, decision_json) for _, raw, decision_json in allowed],
                                  stream.work_topic, _JSON, keys=[event_id.encode() for event_id, _, _ in allowed])
        return len(allowed)

    sections: dict[str, RegistrySection] = {topics.registry_authorisations: "authorisations",
                                            topics.registry_deployments: "deployments",
                                            topics.registry_watchlists: "watchlists"}
    ends = registry_ends or (lambda: registry_end_offsets(settings, sections))

    async def judge(stream: Stream[Any], batch: Sequence[Any], all_read: Callable[[], None] = lambda: None) -> None:
        """Read chunk k+1 while earlier chunks are judged and concluded (module docstring);
        ``all_read()`` once every chunk is read."""
        await registry.catch_up(ends)  # before the first batch; at once after that
        size = even_chunk(len(batch), settings.gate.opa_chunk)
        judged = 0
        concluding: list[asyncio.Task[int]] = []
        try:
            for start in range(0, len(batch), size):
                accepted, inputs = await read(stream, batch[start:start + size])
                concluding.append(asyncio.ensure_future(conclude(stream, accepted, inputs)))
                judged += len(accepted)
                await asyncio.sleep(0)  # let the OPA call go out before reading the next chunk
            all_read()
            allowed = sum(await asyncio.gather(*concluding))
        finally:
            for task in concluding:  # after a failure: the batch fails and is read again whole (overlap.py)
                task.cancel()
        log.info("judged %d %s events: %d allowed, %d denied, %d rejected", judged, stream.name,
                 allowed, judged - allowed, len(batch) - judged)

    def subscribe(stream: Stream[Any]) -> OverlappedBatches:
        batches = OverlappedBatches(f"{stream.name} events")

        @broker.subscriber(stream.topic, group_id=stream.group_id, auto_offset_reset="earliest",
                           ack_policy=AckPolicy.MANUAL, batch=True, max_records=settings.gate.max_batch,
                           partition_assignment_strategy=assignors,
                           batch_timeout_ms=settings.gate.batch_timeout_ms,
                           max_partition_fetch_bytes=max(settings.gate.fetch_bytes, settings.kafka.max_message_bytes),
                           parser=headers_safe_parser, decoder=raw_decoder,
                           title=f"{stream.name} events", description=stream.description)
        async def on_events(msg: KafkaMessage) -> None:
            records = msg.raw_message
            if isinstance(msg.consumer, AIOKafkaConsumer):  # committed by ``batches``, in order
                await batches.submit(msg.consumer, records, lambda all_read: judge(stream, records, all_read))
            else:  # FastStream's in-memory test broker: no offsets to commit
                await judge(stream, records)

        return batches

    overlapped = [subscribe(stream) for stream in streams]

    @broker.subscriber(*sections, group_id=None, auto_offset_reset="earliest", batch=True,
                       isolation_level="read_committed",  # an aborted grant was never granted
                       max_partition_fetch_bytes=settings.kafka.max_message_bytes,
                       parser=headers_safe_parser, decoder=raw_decoder,
                       title="registry", description="the registry OPA judges against (compacted topics)")
    async def on_registry(msg: KafkaMessage) -> None:
        positions: Offsets = {}
        for record in msg.raw_message:
            try:
                registry.apply((record.key or b"").decode(), record.value, sections[record.topic])
            except ValueError as exc:
                await dead_letter(broker, record, Rejection("schema_violation", str(exc)[:1000]), SERVICE)
            positions[(record.topic, record.partition)] = record.offset + 1
        await registry.push()
        registry.pushed_through(positions)

    background: list[asyncio.Task] = []

    @app.after_startup
    async def _ready() -> None:
        await registry.push(force=True)
        background.append(asyncio.create_task(registry.keep_in_sync()))
        mark_ready(settings, "gate")

    @app.after_shutdown
    async def _close() -> None:
        for task in background:
            task.cancel()
        await registry.close()
        await policy.close()

    gate = Gate(broker, app, policy, registry, overlapped)
    app.on_shutdown(gate.drain)  # before the broker stops
    return gate


async def registry_end_offsets(settings: Settings, sections: dict[str, RegistrySection]) -> Offsets:
    """Where each partition of the registry topics ends now: the offset after its last record
    (a topic not there yet has no partitions; a partition without records ends at 0)."""
    return await asyncio.to_thread(_end_offsets, settings.kafka.bootstrap_servers, list(sections),
                                   settings.kafka.max_message_bytes)


def _end_offsets(bootstrap_servers: str, topics: list[str], fetch_bytes: int) -> Offsets:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                             client_id="custodes-gate-registry-ends", max_partition_fetch_bytes=fetch_bytes,
                             isolation_level="read_committed")  # the records the mirror reads, no others
    try:  # partitions_for_topic fetches fresh metadata for a topic it does not know yet
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in sorted(consumer.partitions_for_topic(topic))]
        if not partitions:
            return {}
        begins, ends = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): _after_last_record(consumer, tp, begins[tp], ends[tp]) for tp in partitions}
    finally:
        consumer.close()


def _after_last_record(consumer: KafkaConsumer, tp: TopicPartition, begin: int, end: int,
                       stalled_s: float = 5.0) -> int:
    """The offset after the last record of ``tp`` below ``end`` (the log's end), 0 if it holds none.

    The mirror counts the records it folds, so it can only ever reach this offset, not the log's
    end where the tail of a partition holds no record: a transaction's commit marker, or records
    compacted away. Read backwards from the end in growing windows, so that the usual partition,
    whose last offset is a record, costs one fetch; once a read has stalled, the rest is read
    from the log's start in one go."""
    consumer.assign([tp])
    window, high = 1, end
    while high > begin:
        start = max(begin, high - window)
        last, stalled = _last_offset_read(consumer, tp, start, high, stalled_s)
        if last is not None:
            return last + 1
        high, window = start, (end if stalled else window * 16)  # nothing in [start, high)
    return 0


def _last_offset_read(consumer: KafkaConsumer, tp: TopicPartition, start: int, high: int,
                      stalled_s: float) -> tuple[int | None, bool]:
    """The last record offset below ``high`` read from ``start`` (None if none), and whether the
    read stalled: the consumer's position stayed short of ``high`` for ``stalled_s`` (nothing
    from there on: compacted away). A slow broker is waited for, never taken for an empty
    log: ending low would let the gate judge before the mirror has read what lies beyond."""
    consumer.seek(tp, start)
    last, position, since = None, start, time.monotonic()
    while (now := consumer.position(tp)) < high:
        if now != position:
            position, since = now, time.monotonic()
        elif time.monotonic() - since > stalled_s:
            return last, True
        records = consumer.poll(timeout_ms=500).get(tp, [])
        last = max((r.offset for r in records if r.offset < high), default=last)
    return last, False


PUBLISH_BATCH_BYTES = 4 * 1024 * 1024


def even_chunk(events: int, most: int) -> int:
    """The chunk size that splits ``events`` into as few chunks of at most ``most`` as possible,
    evenly (no small last chunk paying a whole OPA call for a few events)."""
    chunks = max(1, -(-events // most))
    return -(-events // chunks)


async def publish_chunked(broker: KafkaBroker, payloads: list[bytes], topic: str, headers: dict[str, str],
                          keys: list[bytes] | None = None) -> None:
    """Publish and await Kafka's acknowledgement of every payload, in as few produce batches as
    fit the buffer (:func:`_runs`), each sent without waiting for the one before; raises if any
    is refused.

    With ``keys`` (one per payload) each record carries its key; a produce batch goes to one
    partition, so consumers must not rely on a key's partition. On a connected broker the
    records go straight into aiokafka's batch builder with ``headers`` encoded once (FastStream's
    ``publish_batch`` encodes every message and builds its headers anew: a few µs a record,
    measured by benchmarks/publish_path.py); on FastStream's in-memory test broker, which has no
    aiokafka producer, through ``publish_batch``."""
    producer = _aiokafka_producer(broker)
    if producer is None:
        await _publish_batches(broker, payloads, topic, headers, keys)
        return
    encoded = [(name, value.encode()) for name, value in headers.items()]
    sent: list[asyncio.Future[Any]] = []
    async with _sending(producer, topic):
        for run in _runs(payloads, keys):
            if _alone(run):  # checked against max_request_size like any single send
                payload, key = run[0]
                sent.append(await producer.send(topic, payload, key=key, headers=encoded))
                continue
            batch = producer.create_batch()
            for payload, key in run:
                if batch.append(key=key, value=payload, timestamp=None, headers=encoded) is None:
                    raise RuntimeError(f"{len(run)} records of {sum(len(p) for p, _ in run)} bytes in all "
                                       f"overflow a produce batch of {PUBLISH_BATCH_BYTES} bytes")
            sent.append(await producer.send_batch(batch, topic, partition=None))
    await asyncio.gather(*sent)


_SENDERS: weakref.WeakKeyDictionary[AIOKafkaProducer, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _sending(producer: AIOKafkaProducer, topic: str) -> asyncio.Lock:
    """Held while a :func:`publish_chunked` hands its batches for ``topic`` to ``producer``: one
    at a time, the rest queued in turn.

    aiokafka's accumulator holds one batch per partition; ``send_batch`` waits for it to drain,
    and every sender waiting wakes at once and races for the free place. In aiokafka 0.14 a
    sender that loses again and again raises ``KafkaTimeoutError`` long before its
    ``request_timeout_ms``: each retry takes the whole time waited so far off what is left.
    Without this, some of sixteen calls at once of 6 MB each to one partition fail with a
    timeout of 3 s (``tests/integration/test_ingest_kafka.py``), and a gate's batch fails with
    them and is judged again. Queued here, a sender waits for one drain at a time."""
    locks = _SENDERS.setdefault(producer, {})
    return locks.setdefault(topic, asyncio.Lock())


def _aiokafka_producer(broker: KafkaBroker) -> AIOKafkaProducer | None:
    """The started aiokafka producer under FastStream's ``broker``; None when there is none (the
    in-memory test broker, or a broker not connected)."""
    state = getattr(broker.config.producer, "_producer", None)
    producer = getattr(state, "producer", None) if isinstance(state, RealProducer) else None
    return producer if isinstance(producer, AIOKafkaProducer) else None


async def _publish_batches(broker: KafkaBroker, payloads: list[bytes], topic: str, headers: dict[str, str],
                           keys: list[bytes] | None) -> None:
    """:func:`publish_chunked` through FastStream's ``publish_batch``, one batch after another."""
    for run in _runs(payloads, keys):
        if _alone(run):
            payload, key = run[0]
            await broker.publish(payload, topic, key=key, headers=headers)
        else:
            await broker.publish_batch(*(payload if key is None else KafkaResponse(payload, key=key)
                                         for payload, key in run), topic=topic, headers=headers)


_RUN_BYTES = PUBLISH_BATCH_BYTES // 2  # half a produce batch; the other half is room for record overhead and headers


def _runs(payloads: list[bytes], keys: list[bytes] | None) -> Iterator[list[tuple[bytes, bytes | None]]]:
    """``payloads`` with their keys (None without ``keys``), in order, in runs of at most
    ``_RUN_BYTES`` payload bytes; a payload larger than that is a run of its own (:func:`_alone`)."""
    run: list[tuple[bytes, bytes | None]] = []
    size = 0
    for i, payload in enumerate(payloads):
        if run and size + len(payload) > _RUN_BYTES:
            yield run
            run, size = [], 0
        run.append((payload, keys[i] if keys is not None else None))
        size += len(payload)
    if run:
        yield run


def _alone(run: list[tuple[bytes, bytes | None]]) -> bool:
    """Whether ``run`` is one payload too large to share a produce batch."""
    return len(run) == 1 and len(run[0][0]) > _RUN_BYTES


def tune_collector(gen0: int) -> None:
    """Python's cyclic collector, tuned for a gate process (``settings.gate.gc_gen0``; 0: as it is).

    The gate allocates and frees several objects per field of every event; nearly all are freed
    by reference counting, yet every 700 allocations Python's collector scans the young ones,
    and with them, in time, the thousands of events of a batch still in flight. What is alive
    when this is called (modules, settings, the broker) is frozen, never scanned again, and
    the young generation is collected every ``gen0`` allocations. Cycles are still collected,
    only later; an object in one is never freed early."""
    if gen0 <= 0:
        return
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0, max(gen1, 50), max(gen2, 50))


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # the most glibc accepts on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX)


def tune_allocator(keep_mib: int) -> bool:
    """glibc's malloc, tuned for a gate process (``settings.gate.heap_keep_mib``; 0: as it is);
    whether it was (False where the C library is not glibc).

    A batch of SIM registrations carries megabytes of images, which the gate reads, copies into
    its records and work and hands to Kafka in buffers of several MiB. By default glibc serves
    each such buffer with a fresh mmap and gives the memory back when it is freed, so the kernel
    maps and zeroes it again for the next batch. Here buffers up to 32 MiB come from the heap,
    and up to ``keep_mib`` MiB freed at its top is kept for reuse, not returned to the kernel:
    the process holds its high-water mark of memory, up to that much more, in exchange."""
    if keep_mib <= 0:
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library this interpreter runs on
    except (OSError, TypeError):  # no such handle on this platform
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, keep_mib * 1024 * 1024))


def tune_process(gate: GateSettings) -> None:
    """Tune this process for judging (the collector, then the allocator), as the gate's ``main()``
    does; the throughput benchmark's gate processes call it too, so they measure what runs."""
    tune_collector(gate.gc_gen0)
    tune_allocator(gate.heap_keep_mib)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve())


async def _serve() -> None:
    settings = get_settings()
    gate = build_gate(settings)
    tune_process(settings.gate)
    await gate.app.run()


if __name__ == "__main__":
    main()
