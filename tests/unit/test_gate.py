"""The gate's handler with FastStream's in-memory broker (the same broker the service runs).

The real-broker path is covered by tests/integration/test_sim_end_to_end.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.events.sim_factory import sim_event
from custodes.gate.service import build_gate
from custodes.policy.client import PolicyClient
from custodes.settings import Settings

REASON = {"code": "c", "requirement": "KE-01", "legal_ref": "l", "message": "m"}


def _opa(answer: dict | None):
    """A stand-in OPA answering ``answer`` for every request, singly or in a batch."""

    def handler(request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path.endswith("/batch/decisions"):
            requests = json.loads(request.content)["input"]["requests"]
            return httpx.Response(200, json={"result": [answer for _ in requests]})
        return httpx.Response(200, json={"result": answer})

    return handler


async def _run(settings: Settings, answer: dict | None, payloads: list[bytes], batching: bool = True) -> dict[str, list]:
    policy = PolicyClient(settings.opa.model_copy(update={"retries": 0}), transport=httpx.MockTransport(_opa(answer)))
    gate = build_gate(settings.model_copy(update={"gate": settings.gate.model_copy(update={"batching": batching})}),
                      policy)
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
        seen["dlq"].append((msg.body, msg.headers))

    async with TestKafkaBroker(gate.broker) as broker:
        for payload in payloads:
            await broker.publish(payload, topics.sim_registrations)
    return seen


@pytest.fixture
def event_bytes(images: Path) -> bytes:
    return sim_event("evt-unit-1", images / "obama.jpg", images / "obama2.jpg").model_dump_json().encode()


@pytest.mark.parametrize("batching", [True, False], ids=["batched", "per-event"])
async def test_allowed_event_is_audited_then_published_with_obligations(settings, event_bytes, batching) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON], "obligations": {"max_fmr": 0.01}}
    seen = await _run(settings, answer, [event_bytes], batching)
    assert [a["kind"] for a in seen["audit"]] == ["policy_decision"]
    assert seen["audit"][0]["allowed"] is True
    assert len(seen["work"]) == 1
    assert seen["work"][0]["decision"]["obligations"] == {"max_fmr": 0.01}


async def test_denied_event_is_audited_and_never_published(settings, event_bytes) -> None:
    answer = {"allow": False, "decision_id": "d1", "reasons": [REASON]}
    seen = await _run(settings, answer, [event_bytes])
    assert seen["work"] == []
    assert seen["audit"][0]["allowed"] is False
    assert seen["audit"][0]["outcome"] == "denied"


async def test_opa_unreachable_denies_with_policy_unavailable(settings, event_bytes) -> None:
    seen = await _run(settings, None, [event_bytes])
    assert seen["work"] == []
    assert seen["audit"][0]["reasons"][0]["code"] == "policy_unavailable"


async def test_audit_record_carries_hashes_never_images(settings, event_bytes) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON]}
    seen = await _run(settings, answer, [event_bytes])
    record = seen["audit"][0]
    event = json.loads(event_bytes)
    assert event["selfie"]["data"] not in json.dumps(record)
    assert len(record["input_sha256"]) == 2


@pytest.mark.parametrize(
    ("payload", "code"),
    [(b"not json", "invalid_json"), (b'{"event_id": "x"}', "missing_field")],
    ids=["undecodable", "missing-fields"],
)
async def test_invalid_message_is_dead_lettered_with_original_bytes(settings, payload, code) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON]}
    seen = await _run(settings, answer, [payload])
    assert [body for body, _ in seen["dlq"]] == [payload]
    reason = json.loads(seen["dlq"][0][1]["x-custodes-reason"])
    assert reason["code"] == code and reason["topic"] == settings.kafka.topics.sim_registrations
    assert "offset" in reason and "detail" in reason
    assert seen["work"] == []
    assert [a["kind"] for a in seen["audit"]] == ["event_rejected"]
    assert seen["audit"][0]["outcome"] == f"error:{code}"
