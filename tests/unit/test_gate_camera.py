"""The gate judging camera faces (1:N) with FastStream's in-memory broker (the same broker the service runs).

The real-stack path is covered by tests/integration/test_camera_end_to_end.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.audit.records import AuditRecord
from custodes.events import CameraFaceEvent, IdentificationRequest, RecognitionRequest
from custodes.events.examples import example_payload, tiny_image
from custodes.events.sim_factory import sim_event
from custodes.gate.service import build_gate
from custodes.policy.client import PolicyClient
from custodes.policy.registry import Deployment, RegistryMirror
from custodes.settings import Settings
from tests.unit.gate_harness import registry_topics_empty

REASON = {"code": "use_enabled", "requirement": "GB-01", "legal_ref": "l", "message": "m"}
DENIAL = {"code": "missing_deployment_record", "requirement": "GB-05", "legal_ref": "l", "message": "m"}
OBLIGATIONS = {"max_fpir": 0.001, "retain_days": 30, "review_quorum": 1}
DEPLOYMENT = Deployment(id="dep-kx-2026-03", dpia_id="dpia-lfr-3", policy_document_id="apd-lfr-2",
                        authorising_officer="supt-118", location_rationale="Kings Cross: wanted persons")
Judge = Callable[[dict], dict | None]


def allow_with_a_deployment(request: dict) -> dict:
    """Like the GB pack: allowed only with a deployment record."""
    if request.get("deployment") is None:
        return {"allow": False, "decision_id": f"d-{request['id']}", "reasons": [DENIAL]}
    return {"allow": True, "decision_id": f"d-{request['id']}", "reasons": [REASON], "obligations": OBLIGATIONS}


class FakeOpa:
    """A stand-in OPA: ``judge`` answers each request (None: unreachable); records what it was asked."""

    def __init__(self, judge: Judge | None) -> None:
        self.judge = judge
        self.batches: list[list[dict]] = []
        self.pushed: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.judge is None:
            raise httpx.ConnectError("refused", request=request)
        if request.method == "PUT":
            self.pushed.append(json.loads(request.content))
            return httpx.Response(204)
        if request.url.path.endswith(("/batch/decisions", "/batch/judged")):
            requests = json.loads(request.content)["input"]["requests"]
            self.batches.append(requests)
            return httpx.Response(200, json={"result": [self.judge(r) for r in requests]})
        body = json.loads(request.content)["input"]["request"]
        self.batches.append([body])
        return httpx.Response(200, json={"result": self.judge(body)})


def camera_event(event_id: str = "evt-cam-1", **changes: object) -> CameraFaceEvent:
    payload = example_payload("camera_face", "1.0") | {"event_id": event_id, "deployment_id": DEPLOYMENT.id}
    return CameraFaceEvent.model_validate(payload | changes)


def by_value() -> dict:
    return {"media_type": "image/jpeg", "data": base64.b64encode(tiny_image()).decode()}


async def run_gate(settings: Settings, opa: FakeOpa, camera: list[bytes], *,
                   registry: list[tuple[str, str, bytes]] = (), sim: list[bytes] = (),
                   batching: bool = True) -> dict[str, list]:
    """Registry records first, then camera events in ONE produce batch, then SIM events; what came out, in order."""
    transport = httpx.MockTransport(opa)
    policy = PolicyClient(settings.opa.model_copy(update={"retries": 0}), transport=transport)
    mirror = RegistryMirror("http://opa.invalid", transport=transport)
    gate = build_gate(settings.model_copy(update={"gate": settings.gate.model_copy(update={"batching": batching})}),
                      policy, mirror, registry_ends=registry_topics_empty)
    topics = settings.kafka.topics
    seen: dict[str, list] = {"order": [], "work": [], "keys": [], "sim_work": [], "audit": [], "dlq": []}

    @gate.broker.subscriber(topics.identification_requests)
    async def _work(body: dict, msg: KafkaMessage) -> None:
        seen["order"].append("work")
        seen["work"].append(body)
        seen["keys"].append(msg.raw_message.key)

    @gate.broker.subscriber(topics.recognition_requests)
    async def _sim_work(body: dict) -> None:
        seen["sim_work"].append(body)

    @gate.broker.subscriber(topics.audit_records)
    async def _audit(body: dict) -> None:
        seen["order"].append("audit")
        seen["audit"].append(body)

    @gate.broker.subscriber(f"{topics.camera_faces}.dlq", f"{topics.registry_deployments}.dlq")
    async def _dlq(msg: KafkaMessage) -> None:
        seen["dlq"].append((msg.raw_message.topic, msg.body, msg.headers))

    async with TestKafkaBroker(gate.broker) as broker:
        for topic, key, value in registry:
            await broker.publish(value, topic, key=key.encode())
        if camera:
            await broker.publish_batch(*camera, topic=topics.camera_faces)
        for payload in sim:
            await broker.publish(payload, topics.sim_registrations)
    return seen


def deployment_record(settings: Settings, deployment: Deployment = DEPLOYMENT) -> tuple[str, str, bytes]:
    return settings.kafka.topics.registry_deployments, deployment.id, deployment.model_dump_json().encode()


@pytest.mark.parametrize("batching", [True, False], ids=["batched", "per-event"])
async def test_allowed_camera_face_is_audited_then_published_as_identification_work(settings, batching) -> None:
    events = [camera_event(f"evt-cam-{i}") for i in range(3)]
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [e.model_dump_json().encode() for e in events],
                          registry=[deployment_record(settings)], batching=batching)
    assert seen["order"] == ["audit"] * 3 + ["work"] * 3, "every decision is audited before any work is published"
    assert [len(b) for b in opa.batches] == ([3] if batching else [1, 1, 1])
    assert [a["allowed"] for a in seen["audit"]] == [True] * 3
    work = [IdentificationRequest.model_validate(body) for body in seen["work"]]
    assert [w.event.event_id for w in work] == [e.event_id for e in events]
    assert seen["keys"] == [e.event_id.encode() for e in events]
    assert all(w.decision.allow and w.decision.obligations == OBLIGATIONS for w in work)
    assert work[0].event == events[0]


async def test_denied_camera_face_is_audited_and_never_published(settings) -> None:
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [camera_event().model_dump_json().encode()])  # no deployment in the registry
    assert seen["work"] == []
    [record] = seen["audit"]
    assert (record["kind"], record["allowed"], record["outcome"]) == ("policy_decision", False, "denied")
    assert record["reasons"] == [DENIAL]


async def test_the_input_carries_the_deployment_from_the_registry_or_null(settings) -> None:
    events = [camera_event("evt-with"), camera_event("evt-unknown", deployment_id="dep-nowhere"),
              camera_event("evt-none", deployment_id=None)]
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [e.model_dump_json().encode() for e in events],
                          registry=[deployment_record(settings)])
    [requests] = opa.batches
    assert requests[0]["deployment"] == DEPLOYMENT.to_opa()
    assert set(requests[0]["deployment"]) == {
        "fria_id", "dpia_id", "eu_db_registration_id", "policy_document_id", "pia_id", "authorising_officer",
        "location_rationale", "accountability_report_id", "accountability_report_date"}
    assert requests[1]["deployment"] is None and requests[2]["deployment"] is None
    assert [a["allowed"] for a in seen["audit"]] == [True, False, False]
    assert [w["event"]["event_id"] for w in seen["work"]] == ["evt-with"]


async def test_the_input_says_what_the_packs_ask_about_a_camera_face(settings) -> None:
    event = camera_event(exigent=True)
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [event.model_dump_json().encode()], registry=[deployment_record(settings)])
    [[request]] = opa.batches
    assert request == {
        "id": event.event_id,
        "time": "2026-03-01T10:15:02Z",
        "jurisdiction": "GB",
        "use_case": "live_identification",
        "purpose": "victim_or_missing_person_search",
        "requester": {"org": "metropolitan-police", "type": "law_enforcement"},
        "site": {"type": "transport", "camera_id": "cam-kx-017", "signage": True},
        "subject": {"age": None, "consent": {"kind": None, "id": None}},
        "authorisation_id": "AUTH-2026-0042",
        "case": {"ref": "MPS-2026-004711",
                 "offence": {"category": "kidnapping_or_hostage_taking", "max_sentence_years": 20}},
        "source": None,
        "legal_mandate": None,
        "alternative_offered": False,
        "exigent": True,
        "deployment": DEPLOYMENT.to_opa(),
        "liveness": None,
        "watchlist_id": "wl-missing-0007",
    }
    [record] = seen["audit"]
    assert record["details"]["policy_input"] == {"request": request}
    assert (record["details"]["camera_id"], record["details"]["deployment_id"]) == ("cam-kx-017", DEPLOYMENT.id)


async def test_audit_records_hash_the_image_by_value_or_take_the_declared_hash(settings) -> None:
    by_reference = camera_event("evt-ref")
    carried = camera_event("evt-value", image=by_value())
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [by_reference.model_dump_json().encode(),
                                          carried.model_dump_json().encode()], registry=[deployment_record(settings)])
    records = {a["event_id"]: AuditRecord.model_validate(a) for a in seen["audit"]}  # the ledger accepts them
    assert records["evt-ref"].input_sha256 == [by_reference.image.sha256]
    assert records["evt-value"].input_sha256 == [hashlib.sha256(tiny_image()).hexdigest()]
    assert base64.b64encode(tiny_image()).decode() not in json.dumps(seen["audit"])
    assert {r.use_case for r in records.values()} == {"live_identification"}
    assert {r.event_type for r in records.values()} == {"camera_face"}


async def test_opa_unavailable_denies_every_camera_face_with_policy_unavailable(settings) -> None:
    events = [camera_event(f"evt-down-{i}") for i in range(3)]
    seen = await run_gate(settings, FakeOpa(None), [e.model_dump_json().encode() for e in events])
    assert seen["work"] == []
    assert [a["allowed"] for a in seen["audit"]] == [False] * 3
    assert {a["reasons"][0]["code"] for a in seen["audit"]} == {"policy_unavailable"}


async def test_undefined_decision_denies_with_policy_unavailable(settings) -> None:
    seen = await run_gate(settings, FakeOpa(lambda request: None), [camera_event().model_dump_json().encode()])
    assert seen["work"] == []
    assert seen["audit"][0]["reasons"][0]["code"] == "policy_unavailable"


@pytest.mark.parametrize(
    ("payload", "code"),
    [(b"not json", "invalid_json"), (b'{"event_type": "camera_face", "event_id": "x"}', "missing_field")],
    ids=["undecodable", "missing-fields"],
)
async def test_invalid_camera_message_is_dead_lettered_and_the_batch_goes_on(settings, payload, code) -> None:
    good = camera_event("evt-good")
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [payload, good.model_dump_json().encode()],
                          registry=[deployment_record(settings)])
    topic = settings.kafka.topics.camera_faces
    assert [(t, body) for t, body, _ in seen["dlq"]] == [(f"{topic}.dlq", payload)]
    reason = json.loads(seen["dlq"][0][2]["x-custodes-reason"])
    assert reason["code"] == code and reason["topic"] == topic
    assert sorted(a["kind"] for a in seen["audit"]) == ["event_rejected", "policy_decision"]
    assert [w["event"]["event_id"] for w in seen["work"]] == ["evt-good"]


async def test_sim_and_camera_work_go_to_their_own_topics(settings, images: Path) -> None:
    sim = sim_event("evt-sim-1", images / "obama.jpg", images / "obama2.jpg").model_dump_json().encode()
    opa = FakeOpa(lambda r: {"allow": True, "decision_id": f"d-{r['id']}", "reasons": [REASON]})
    seen = await run_gate(settings, opa, [camera_event().model_dump_json().encode()], sim=[sim],
                          registry=[deployment_record(settings)])
    assert [RecognitionRequest.model_validate(b).event.event_id for b in seen["sim_work"]] == ["evt-sim-1"]
    assert [IdentificationRequest.model_validate(b).event.event_id for b in seen["work"]] == ["evt-cam-1"]
    assert {a["event_type"] for a in seen["audit"]} == {"sim_registration", "camera_face"}


async def test_registry_records_reach_opa_whole_and_bad_ones_are_dead_lettered(settings) -> None:
    topics = settings.kafka.topics
    watchlist = {"id": "wl-missing-0007", "entries": [{"subject_ref": "subj-1", "category": "missing_person",
                                                      "legal_basis": "Children Act 1989", "image_source":
                                                      "provided_by_family", "approved_by": "insp-4"}]}
    opa = FakeOpa(allow_with_a_deployment)
    seen = await run_gate(settings, opa, [], registry=[
        deployment_record(settings),
        (topics.registry_watchlists, "wl-missing-0007", json.dumps(watchlist).encode()),
        (topics.registry_deployments, "dep-bad", b'{"id": "dep-bad", "fria": "typo"}'),
    ])
    assert opa.pushed[-1]["deployments"] == {DEPLOYMENT.id: DEPLOYMENT.to_opa()}
    assert opa.pushed[-1]["watchlists"] == {"wl-missing-0007": {"entries": watchlist["entries"]}}
    assert opa.pushed[-1]["authorisations"] == {}
    assert [(t, body) for t, body, _ in seen["dlq"]] == [(f"{topics.registry_deployments}.dlq",
                                                          b'{"id": "dep-bad", "fria": "typo"}')]


async def test_no_event_is_judged_before_the_registry_is_read_to_where_it_ended_at_start(settings) -> None:
    """A gate starting while the registry topics hold records judges no event before it has read
    them all: a superseded grant, read before its revocation, must never be all it knows."""
    opa = FakeOpa(allow_with_a_deployment)
    transport = httpx.MockTransport(opa)
    policy = PolicyClient(settings.opa.model_copy(update={"retries": 0}), transport=transport)
    mirror = RegistryMirror("http://opa.invalid", transport=transport)
    topics = settings.kafka.topics

    async def one_deployment_on_its_topic() -> dict:
        return {(topics.registry_deployments, 0): 1}

    gate = build_gate(settings, policy, mirror, registry_ends=one_deployment_on_its_topic)
    audit: list[dict] = []

    @gate.broker.subscriber(topics.audit_records)
    async def _audit(body: dict) -> None:
        audit.append(body)

    async with TestKafkaBroker(gate.broker) as broker:
        judging = asyncio.create_task(broker.publish(camera_event().model_dump_json().encode(), topics.camera_faces))
        for _ in range(50):
            await asyncio.sleep(0)
        assert not judging.done() and opa.batches == [] and audit == [], "judged before the registry was read"
        topic, key, value = deployment_record(settings)
        await broker.publish(value, topic, key=key.encode())
        await asyncio.wait_for(judging, 10)
    assert [a["allowed"] for a in audit] == [True]
    assert opa.batches[0][0]["deployment"] is not None
