"""The gate's handlers on FastStream's in-memory broker, with a stand-in OPA (unit tests only;
the real OPA and Kafka are exercised by tests/integration)."""

from __future__ import annotations

import json

import httpx
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.gate.service import build_gate
from custodes.policy.client import PolicyClient
from custodes.settings import Settings


async def registry_topics_empty() -> dict:
    """Where the registry topics end at the gate's start, for the in-memory broker: nowhere."""
    return {}


def stand_in_opa(answer: dict | None):
    """An OPA answering ``answer`` for every request, singly or in a batch; None refuses connections."""

    def handler(request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path.endswith(("/batch/decisions", "/batch/judged")):
            requests = json.loads(request.content)["input"]["requests"]
            return httpx.Response(200, json={"result": [answer for _ in requests]})
        return httpx.Response(200, json={"result": answer})

    return handler


async def through_gate(settings: Settings, answer: dict | None, payloads: list[bytes], *, batching: bool = True,
                       key: bytes | None = None, headers: dict[str, str] | None = None) -> dict[str, list]:
    """Publish ``payloads`` to the SIM topic; return what the gate sent: work and audit bodies, and
    the raw dead-letter records."""
    policy = PolicyClient(settings.opa.model_copy(update={"retries": 0}),
                          transport=httpx.MockTransport(stand_in_opa(answer)))
    gate = build_gate(settings.model_copy(update={"gate": settings.gate.model_copy(update={"batching": batching})}),
                      policy, registry_ends=registry_topics_empty)
    topics = settings.kafka.topics
    seen: dict[str, list] = {"work": [], "audit": [], "dlq": []}

    @gate.broker.subscriber(topics.recognition_requests)
    async def _work(body: dict) -> None:
        seen["work"].append(body)

    @gate.broker.subscriber(topics.audit_records)
    async def _audit(body: dict) -> None:
        seen["audit"].append(body)

    @gate.broker.subscriber(f"{topics.sim_registrations}.dlq")
    async def _dlq(msg: KafkaMessage) -> None:
        seen["dlq"].append(msg.raw_message)

    async with TestKafkaBroker(gate.broker) as broker:
        for payload in payloads:
            await broker.publish(payload, topics.sim_registrations, key=key, headers=headers)
    await policy.close()
    return seen
