"""Camera faces (1:N) through the real stack: registry topics → gate → OPA → audit ledger → identification work.

Kafka, OPA (the real packs), the gate and the ledger are the processes `custodes stack up`
starts. The case is US-WA live identification under a warrant (RCW 43.386.080, US-WA-03)
with a current accountability report (US-WA-01), as in
policies/scenarios/US-WA/live_identification_under_warrant_allowed.json.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from custodes.audit.records import AuditRecord
from custodes.audit.tail import fetch_recent
from custodes.events import CAMERA_FACE, CameraFaceEvent, IdentificationRequest
from custodes.events.ingest import read
from custodes.policy.evaluate import evaluate_many
from custodes.policy.inputs import camera_face_input
from custodes.policy.opa_cli import opa_binary
from custodes.policy.registry import Authorisation, Deployment, RegistryMirror
from custodes.settings import PROJECT_ROOT, Settings
from custodes.simulator import Options, Simulation
from tests.conftest import require


@pytest.fixture(scope="module")
def stack(settings: Settings) -> Settings:
    require(settings, "kafka", "opa", "ledger", "gate")
    return settings


def _uid(label: str) -> str:
    return f"it-cam-{label}-{uuid.uuid4().hex[:10]}"


def _produce(settings: Settings, *records: tuple[str, str, bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all",
                             max_request_size=settings.kafka.max_message_bytes)
    try:
        for topic, key, value in records:
            producer.send(topic, key=key.encode(), value=value)
        producer.flush(30)
    finally:
        producer.close()


def _in_opa(settings: Settings, section: str, record_id: str, timeout_s: float = 30.0) -> None:
    """Wait until the gate has mirrored the record into OPA (so it has folded it too)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = httpx.get(f"{settings.opa.url}/v1/data/custodes/registry/{section}/{record_id}", timeout=5)
        if response.status_code == 200 and response.json().get("result") is not None:
            return
        time.sleep(0.3)
    pytest.fail(f"the gate did not mirror {section}/{record_id} into OPA within {timeout_s}s")


def _decision(settings: Settings, event_id: str, timeout_s: float = 60.0) -> AuditRecord:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [r for r in fetch_recent(settings, limit=10, event_id=event_id) if r.kind == "policy_decision"]
        if found:
            assert len(found) == 1
            return found[0]
        time.sleep(0.3)
    pytest.fail(f"no policy_decision for {event_id} within {timeout_s}s")


def _end_offsets(settings: Settings, topic: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return consumer.end_offsets(partitions)
    finally:
        consumer.close()


def _work_since(settings: Settings, offsets: dict[TopicPartition, int], keys: set[bytes],
                timeout_s: float = 20.0) -> dict[bytes, bytes]:
    """Values of ``keys`` appended to the identification topic after ``offsets`` (those seen by ``timeout_s``)."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False,
                             fetch_max_bytes=2 * settings.kafka.max_message_bytes,
                             max_partition_fetch_bytes=settings.kafka.max_message_bytes)
    found: dict[bytes, bytes] = {}
    try:
        consumer.assign(list(offsets))
        for partition, offset in offsets.items():
            consumer.seek(partition, offset)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and set(found) != keys:
            for records in consumer.poll(timeout_ms=500).values():
                found.update({r.key: r.value for r in records if r.key in keys})
        return found
    finally:
        consumer.close()


def _registry_records(settings: Settings, run: str) -> tuple[Authorisation, Deployment]:
    now = datetime.now(UTC).replace(microsecond=0)
    warrant = Authorisation(id=f"W-{run}", kind="warrant", authority="King County Superior Court", state="granted",
                            requested_at=now - timedelta(days=2), granted_at=now - timedelta(days=1),
                            valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))
    deployment = Deployment(id=f"dep-{run}", accountability_report_id=f"kcso-ar-{run}",
                            accountability_report_date=date.today() - timedelta(days=100))
    topics = settings.kafka.topics
    _produce(settings, (topics.registry_deployments, deployment.id, deployment.model_dump_json().encode()),
             (topics.registry_authorisations, warrant.id, warrant.model_dump_json().encode()))
    _in_opa(settings, "deployments", deployment.id)
    _in_opa(settings, "authorisations", warrant.id)
    return warrant, deployment


def _camera_event(event_id: str, photo: Path, warrant: Authorisation, deployment_id: str | None) -> CameraFaceEvent:
    return CameraFaceEvent.model_validate({
        "event_id": event_id,
        "occurred_at": datetime.now(UTC),
        "jurisdiction": "US-WA",
        "camera": {"id": "cam-5", "site_type": "public_space", "signage": None,
                   "location": {"latitude": 47.6097, "longitude": -122.3331, "area": "westlake-center"}},
        "requester": {"org": "king-county-sheriff", "type": "law_enforcement"},
        "use_case": "live_identification",
        "purpose": "serious_crime_suspect",
        "image_kind": "face_crop",
        "image": {"media_type": "image/jpeg", "data": photo.read_bytes()},
        "authorisation_ref": warrant.id,
        "deployment_id": deployment_id,
        "watchlist_id": None,
    })


@pytest.mark.stack
@pytest.mark.kafka
@pytest.mark.opa
@pytest.mark.clickhouse
def test_authorised_camera_face_is_allowed_and_its_identification_work_appears(stack: Settings,
                                                                               images: Path) -> None:
    run = uuid.uuid4().hex[:10]
    warrant, deployment = _registry_records(stack, run)
    allowed = _camera_event(_uid("allowed"), images / "obama.jpg", warrant, deployment.id)
    denied = _camera_event(_uid("no-deployment"), images / "obama.jpg", warrant, None)
    topic = stack.kafka.topics.identification_requests
    before = _end_offsets(stack, topic)
    _produce(stack, *((stack.kafka.topics.camera_faces, e.event_id, e.model_dump_json().encode())
                      for e in (allowed, denied)))

    decision = _decision(stack, allowed.event_id)
    assert decision.allowed is True, decision.reasons
    assert {r["requirement"] for r in decision.reasons} == {"US-WA-03"}
    assert decision.obligations["max_fpir"] > 0 and decision.obligations["review_quorum"] >= 1
    assert decision.input_sha256 == [hashlib.sha256((images / "obama.jpg").read_bytes()).hexdigest()]
    request = decision.details["policy_input"]["request"]
    assert request["deployment"] == deployment.to_opa() and request["authorisation_id"] == warrant.id

    refusal = _decision(stack, denied.event_id)
    assert refusal.allowed is False
    assert "missing_deployment_record" in {r["code"] for r in refusal.reasons}
    assert refusal.details["policy_input"]["request"]["deployment"] is None

    work = _work_since(stack, before, {allowed.event_id.encode(), denied.event_id.encode()})
    assert set(work) == {allowed.event_id.encode()}, "only the allowed face is handed on for identification"
    handed_on = IdentificationRequest.model_validate_json(work[allowed.event_id.encode()])
    assert handed_on.event == allowed
    assert (handed_on.decision.decision_id, handed_on.decision.obligations) == (decision.decision_id,
                                                                              decision.obligations)


@pytest.mark.opa
def test_the_simulated_camera_traffic_is_judged_by_the_packs_as_the_simulator_expects(settings: Settings,
                                                                                      tmp_path: Path,
                                                                                      images: Path) -> None:
    """What the demo burst shows: each camera scenario's expectation (REQUIREMENTS.md) agrees with the packs."""
    opa = opa_binary(settings)
    simulation = Simulation(settings.model_copy(update={"state_dir": tmp_path}),
                            Options(seed=7, bad_rate=0.0, epoch=datetime.now(UTC).replace(microsecond=0)))
    mirror = RegistryMirror("http://opa.invalid")
    sections = {"deployment": "deployments", "watchlist": "watchlists", "authorisation": "authorisations"}
    for message in simulation.registry_messages():
        mirror.apply(message.event_id, message.value, sections[message.kind])
    messages = [m for m in simulation.events(600) if m.kind == "camera_face"]
    inputs = [camera_face_input(read(CAMERA_FACE, m.value), mirror) for m in messages]
    decisions = evaluate_many(opa, PROJECT_ROOT / "policies", inputs, registry=mirror.document())
    disagree = Counter((m.scenario, m.jurisdiction, m.expected, d["allow"])
                       for m, d in zip(messages, decisions, strict=True)
                       if d["allow"] != (m.expected == "allow"))
    assert {m.scenario for m in messages} == {s.name for s in Options().camera_scenarios}
    assert not disagree, disagree
