"""The gate: no face is searched unless a policy for that place and purpose allows it.

Contract, per SIM-registration event consumed:
1. invalid bytes → dead letter (original bytes + reason) and an ``event_rejected`` audit
   record; the offset is committed and the gate goes on;
2. otherwise OPA is asked (fail closed: no usable answer → deny ``policy_unavailable``);
3. the decision is audited (``policy_decision`` record) BEFORE any work is published;
4. only on allow is a ``RecognitionRequest`` (event + decision + obligations) published.
Offsets are committed after the handler finishes (at-least-once); a crash in between
re-runs the event, and deterministic ids make the ledger keep one record.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.audit.emit import emit, parse_or_reject, sim_record_fields
from custodes.audit.records import AuditRecord
from custodes.events import PolicyDecision, RecognitionRequest, SimRegistrationEvent
from custodes.policy.client import PolicyClient
from custodes.policy.inputs import sim_registration_input
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
    return AuditRecord(
        **sim_record_fields("policy_decision", event, decision, SERVICE),
        reasons=[r.model_dump() for r in decision.reasons],
        outcome=None if decision.allow else "denied",
        details={"jurisdiction_layers": decision.jurisdictions, "outlet_id": event.outlet.id,
                 "subscriber_ref": event.subscriber_ref, "policy_input": policy_input},
    )


def build_gate(settings: Settings, policy: PolicyClient | None = None) -> Gate:
    topics = settings.kafka.topics
    broker = KafkaBroker(settings.kafka.bootstrap_servers, client_id="custodes-gate",
                         max_request_size=settings.kafka.max_message_bytes)
    policy = policy or PolicyClient(settings.opa)
    app = FastStream(broker)

    @broker.subscriber(topics.sim_registrations, group_id="custodes-gate", ack_policy=AckPolicy.NACK_ON_ERROR,
                       max_partition_fetch_bytes=settings.kafka.max_message_bytes,
                       title="sim_registration events", description="SIM-registration events to be judged by OPA")
    async def on_sim_registration(msg: KafkaMessage) -> None:
        event = await parse_or_reject(broker, msg.raw_message, SimRegistrationEvent, topics.audit_records, SERVICE)
        if event is None:
            return
        policy_input = sim_registration_input(event)
        decision = await policy.decide(policy_input)
        await emit(broker, topics.audit_records, decision_record(event, decision, policy_input))
        log.info("event %s %s (%s)", event.event_id, "allowed" if decision.allow else "denied",
                 ",".join(r.code for r in decision.reasons))
        if decision.allow:
            work = RecognitionRequest(event=event, decision=decision)
            await broker.publish(work.model_dump_json().encode(), topics.recognition_requests,
                                 key=event.event_id.encode(), headers={"content-type": "application/json"})

    @app.after_startup
    async def _ready() -> None:
        mark_ready(settings, "gate")

    @app.after_shutdown
    async def _close() -> None:
        await policy.close()

    return Gate(broker, app, policy)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve())


async def _serve() -> None:
    await build_gate(get_settings()).app.run()


if __name__ == "__main__":
    main()
