"""The gate: no face is searched unless a policy for that place and purpose allows it.

Contract, per batch of SIM-registration events consumed:
1. invalid bytes → dead letter (original bytes + reason) and an ``event_rejected`` audit
   record; the offset is committed and the gate goes on;
2. the valid events are judged by OPA in ONE call (``settings.gate.batching``; otherwise one
   call per event, the benchmark's baseline); fail closed: no usable answer → every event
   of the batch is denied ``policy_unavailable``;
3. every decision is audited (``policy_decision`` record, confirmed by Kafka) BEFORE any
   work is published;
4. only on allow is a ``RecognitionRequest`` (event + decision + obligations) published.
Offsets are committed after the handler finishes (at-least-once); a crash in between
re-runs the batch, and deterministic ids make the ledger keep one record per event.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.audit.emit import parse_or_reject, sim_record_fields
from custodes.audit.records import AuditRecord
from custodes.events import PolicyDecision, SimRegistrationEvent
from custodes.events.deadletter import Rejection, dead_letter
from custodes.events.raw import headers_safe_parser, raw_decoder
from custodes.policy.client import PolicyClient
from custodes.policy.inputs import sim_registration_input
from custodes.policy.registry import RegistryMirror
from custodes.settings import Settings, get_settings
from custodes.stack.readiness import mark_ready

log = logging.getLogger("custodes.gate")
SERVICE = "custodes.gate"


@dataclass
class Gate:
    broker: KafkaBroker
    app: FastStream
    policy: PolicyClient


def decision_record(event: SimRegistrationEvent, decision: PolicyDecision, policy_input: dict) -> AuditRecord:
    """The audit record of one policy decision, with the exact OPA input (for what-if replay);
    hashes of the images, never the images."""
    return AuditRecord.trusted(
        **sim_record_fields("policy_decision", event, decision, SERVICE),
        reasons=[r.model_dump() for r in decision.reasons],
        outcome=None if decision.allow else "denied",
        details={"jurisdiction_layers": decision.jurisdictions, "outlet_id": event.outlet.id,
                 "subscriber_ref": event.subscriber_ref, "policy_input": policy_input},
    )


def recognition_request(event_json: bytes, decision: PolicyDecision) -> bytes:
    """A ``RecognitionRequest`` as JSON, reusing the validated event's own bytes (its images are
    not decoded and re-encoded)."""
    return b'{"event":' + event_json + b',"decision":' + decision.model_dump_json().encode() + b"}"


_JSON = {"content-type": "application/json"}
_AUDIT_HEADERS = {**_JSON, "x-custodes-kind": "policy_decision"}


def build_gate(settings: Settings, policy: PolicyClient | None = None) -> Gate:
    topics = settings.kafka.topics
    broker = KafkaBroker(settings.kafka.bootstrap_servers, client_id="custodes-gate",
                         max_request_size=settings.kafka.max_message_bytes, max_batch_size=PUBLISH_BATCH_BYTES)
    policy = policy or PolicyClient(settings.opa)
    app = FastStream(broker)

    @broker.subscriber(topics.sim_registrations, group_id=settings.gate.group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, batch=True, max_records=settings.gate.max_batch,
                       batch_timeout_ms=settings.gate.batch_timeout_ms,
                       max_partition_fetch_bytes=settings.kafka.max_message_bytes,
                       parser=headers_safe_parser, decoder=raw_decoder,
                       title="sim_registration events", description="SIM-registration events to be judged by OPA")
    async def on_sim_registrations(msg: KafkaMessage) -> None:
        batch = msg.raw_message
        accepted: list[tuple[bytes, SimRegistrationEvent]] = []
        for record in batch:
            event = await parse_or_reject(broker, record, SimRegistrationEvent, topics.audit_records, SERVICE)
            if event is not None:
                accepted.append((record.value, event))
        inputs = [sim_registration_input(event) for _, event in accepted]
        if settings.gate.batching:
            decisions = await policy.decide_many(inputs)
        else:
            decisions = [await policy.decide(policy_input) for policy_input in inputs]
        records = [decision_record(event, decision, policy_input).model_dump_json().encode()
                   for (_, event), decision, policy_input in zip(accepted, decisions, inputs)]
        if records:  # decisions are durable in Kafka before any work is published
            await publish_chunked(broker, records, topics.audit_records, _AUDIT_HEADERS)
        work = [recognition_request(raw, decision) for (raw, _), decision in zip(accepted, decisions) if decision.allow]
        if work:
            await publish_chunked(broker, work, topics.recognition_requests, _JSON)
        log.info("judged %d events: %d allowed, %d denied, %d rejected", len(accepted), len(work),
                 len(accepted) - len(work), len(batch) - len(accepted))

    registry = RegistryMirror(settings.opa.url, timeout_s=settings.opa.timeout_s)

    @broker.subscriber(topics.registry_authorisations, group_id=None, auto_offset_reset="earliest", batch=True,
                       parser=headers_safe_parser, decoder=raw_decoder,
                       title="authorisations", description="the registry OPA judges against (compacted topic)")
    async def on_registry(msg: KafkaMessage) -> None:
        for record in msg.raw_message:
            try:
                registry.apply((record.key or b"").decode(), record.value)
            except ValueError as exc:
                await dead_letter(broker, record, Rejection("schema_violation", str(exc)[:1000]), SERVICE)
        await registry.push()

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

    return Gate(broker, app, policy)


PUBLISH_BATCH_BYTES = 1024 * 1024


async def publish_chunked(broker: KafkaBroker, payloads: list[bytes], topic: str, headers: dict[str, str]) -> None:
    """Publish and await Kafka's acknowledgement, in as few produce batches as fit the buffer."""
    budget = PUBLISH_BATCH_BYTES // 2  # room for record overhead and headers
    chunk: list[bytes] = []
    size = 0
    for payload in payloads:
        if chunk and size + len(payload) > budget:
            await broker.publish_batch(*chunk, topic=topic, headers=headers)
            chunk, size = [], 0
        if len(payload) > budget:
            await broker.publish(payload, topic, headers=headers)
            continue
        chunk.append(payload)
        size += len(payload)
    if chunk:
        await broker.publish_batch(*chunk, topic=topic, headers=headers)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve())


async def _serve() -> None:
    await build_gate(get_settings()).app.run()


if __name__ == "__main__":
    main()
