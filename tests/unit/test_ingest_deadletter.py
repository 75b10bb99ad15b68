"""Every dead-letter reason, through the real handlers on FastStream's in-memory broker.

SIM-registration faults go through the gate; request faults and ``no_face`` through the
recognition service. The real-broker paths are in tests/integration/test_ingest_kafka.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.events import RejectReason, rejection_counts
from custodes.events.examples import example_payload, tiny_image
from custodes.events.images import MAX_IMAGE_BYTES
from custodes.recognition.errors import FaceRejected, ImageRejected, Reason
from custodes.recognition.service import build_recognition
from custodes.settings import Settings
from tests.unit.gate_harness import through_gate

ALLOW = {"allow": True, "decision_id": "d1", "obligations": {"max_fmr": 0.01},
         "reasons": [{"code": "ok", "requirement": "KE-01", "legal_ref": "l", "message": "m"}]}
KEY = b"evt-sim-0001"
HEADERS = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "producer": "outlet-app/3.2"}


def _sim(edit: Callable[[dict[str, Any]], object] = lambda doc: None, version: str = "1.1") -> bytes:
    doc = example_payload("sim_registration", version)
    edit(doc)
    return json.dumps(doc).encode()


async def _through_gate(settings: Settings, payloads: list[bytes]) -> dict[str, list]:
    return await through_gate(settings, ALLOW, payloads, key=KEY, headers=HEADERS)


def _reason(record: Any) -> dict[str, Any]:
    return json.loads(dict(record.headers)["x-custodes-reason"])


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def edit(doc: dict[str, Any]) -> None:
        for name in parents:
            doc = doc[name]
        doc[last] = value

    return edit


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def edit(doc: dict[str, Any]) -> None:
        for name in parents:
            doc = doc[name]
        del doc[last]

    return edit


_OVERSIZED = base64.b64encode(b"\xff\xd8" + bytes(MAX_IMAGE_BYTES)).decode()
_TRUNCATED_JPEG = base64.b64encode(tiny_image("image/jpeg")[:300]).decode()
_PNG = base64.b64encode(tiny_image("image/png")).decode()

FAULTS = [
    ("not-json", b"{\"event_id\": \"evt", RejectReason.INVALID_JSON, None),
    ("empty", b"", RejectReason.INVALID_JSON, None),
    ("binary", b"\x00\xff", RejectReason.INVALID_JSON, None),
    ("json-not-object", b"[1, 2]", RejectReason.WRONG_TYPE, "<message>"),
    ("oversized-image", _sim(_set("selfie.data", _OVERSIZED)), RejectReason.IMAGE_TOO_LARGE, "selfie.data"),
    ("undecodable-image", _sim(_set("selfie.data", _TRUNCATED_JPEG)), RejectReason.IMAGE_UNDECODABLE, "selfie"),
    ("not-base64", _sim(_set("id_document.portrait.data", "@@@@")), RejectReason.IMAGE_UNDECODABLE,
     "id_document.portrait.data"),
    ("media-type-lie", _sim(_set("selfie.data", _PNG)), RejectReason.IMAGE_UNDECODABLE, "selfie"),
    ("unknown-major", _sim(_set("schema_version", "2.0")), RejectReason.UNKNOWN_SCHEMA_VERSION, "schema_version"),
    ("malformed-version", _sim(_set("schema_version", "1.1.0")), RejectReason.UNKNOWN_SCHEMA_VERSION,
     "schema_version"),
    ("missing-field", _sim(_drop("event_id")), RejectReason.MISSING_FIELD, "event_id"),
    ("missing-nested-field", _sim(_drop("id_document.portrait")), RejectReason.MISSING_FIELD,
     "id_document.portrait"),
    ("wrong-type-number", _sim(_set("subject_age", "34")), RejectReason.WRONG_TYPE, "subject_age"),
    ("wrong-type-flag", _sim(_set("alternative_offered", "no")), RejectReason.WRONG_TYPE, "alternative_offered"),
    ("wrong-type-object", _sim(_set("operator", "safaricom")), RejectReason.WRONG_TYPE, "operator"),
    ("wrong-type-literal", _sim(_set("event_type", 7)), RejectReason.WRONG_TYPE, "event_type"),
    ("race", _sim(_set("race", "x")), RejectReason.PROHIBITED_FIELD, "race"),
    ("ethnicity-nested", _sim(_set("selfie.ethnicityLabel", "x")), RejectReason.PROHIBITED_FIELD,
     "selfie.ethnicityLabel"),
    ("emotion-newer-minor", _sim(lambda doc: doc.update(schema_version="1.9", detected_emotion={"joy": 0.9})),
     RejectReason.PROHIBITED_FIELD, "detected_emotion"),
    ("sexual-orientation-unknown-major", _sim(lambda doc: doc.update(schema_version="7.0", sexual_orientation=None)),
     RejectReason.PROHIBITED_FIELD, "sexual_orientation"),
    ("unknown-field", _sim(_set("legal_mandte", "typo")), RejectReason.UNKNOWN_FIELD, "legal_mandte"),
    ("v1_0-with-v1_1-field", _sim(_set("liveness", None), version="1.0"), RejectReason.UNKNOWN_FIELD, "liveness"),
    ("outside-vocabulary", _sim(_set("outlet.site_type", "spaceport")), RejectReason.SCHEMA_VIOLATION,
     "outlet.site_type"),
    ("bad-jurisdiction", _sim(_set("jurisdiction", "kenya")), RejectReason.SCHEMA_VIOLATION, "jurisdiction"),
    ("naive-time", _sim(_set("occurred_at", "2026-03-01T10:15:02")), RejectReason.SCHEMA_VIOLATION, "occurred_at"),
]


@pytest.mark.parametrize(("payload", "code", "field"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
async def test_gate_dead_letters_fault_with_original_message_and_goes_on(settings, payload, code, field) -> None:
    topic = settings.kafka.topics.sim_registrations
    before = rejection_counts().get((topic, code), 0)
    seen = await _through_gate(settings, [payload, _sim()])

    [letter] = seen["dlq"]
    assert (letter.value, letter.key) == (payload, KEY)
    assert HEADERS.items() <= {k: v.decode() for k, v in letter.headers}.items()
    reason = _reason(letter)
    assert (reason["code"], reason["field"]) == (code.value, field)
    assert reason["topic"] == topic and reason["service"] == "custodes.gate"
    assert {"partition", "offset", "timestamp", "detail", "rejected_at"} <= reason.keys()
    assert rejection_counts()[(topic, code)] == before + 1

    rejected, decided = seen["audit"]
    assert rejected["kind"] == "event_rejected" and rejected["outcome"] == f"error:{code.value}"
    assert rejected["details"]["offset"] == reason["offset"] and rejected["details"]["field"] == field
    assert decided["kind"] == "policy_decision", "the gate goes on after a dead letter"
    assert len(seen["work"]) == 1


async def test_rejection_is_audited_without_the_payload(settings) -> None:
    payload = _sim(lambda doc: doc["selfie"].update(ethnicity="label-7"))
    seen = await _through_gate(settings, [payload])
    audited = json.dumps(seen["audit"])
    reason = json.dumps(_reason(seen["dlq"][0]))
    selfie = json.loads(payload)["selfie"]["data"]
    for text in (audited, reason):
        assert selfie[:64] not in text and "label-7" not in text
    assert seen["audit"][0]["details"]["claimed_event_id"] == "evt-sim-0001"


class _Client:
    """Stands in for the Triton client: answers ``verify`` by raising ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def verify(self, probe: bytes, reference: bytes, max_fmr: float) -> None:
        raise self.error

    async def close(self) -> None:
        pass


def _request(edit: Callable[[dict[str, Any]], object] = lambda doc: None) -> bytes:
    doc = example_payload("recognition_request", "1.0")
    edit(doc)
    return json.dumps(doc).encode()


async def _through_recognition(settings: Settings, error: Exception, payloads: list[bytes]) -> dict[str, list]:
    broker, _ = build_recognition(settings, _Client(error))
    topics = settings.kafka.topics
    seen: dict[str, list] = {"audit": [], "dlq": []}

    @broker.subscriber(topics.audit_records)
    async def _audit(body: dict) -> None:
        seen["audit"].append(body)

    @broker.subscriber(f"{topics.recognition_requests}.dlq")
    async def _dlq(msg: KafkaMessage) -> None:
        seen["dlq"].append(msg.raw_message)

    async with TestKafkaBroker(broker) as test_broker:
        for payload in payloads:
            await test_broker.publish(payload, topics.recognition_requests, key=KEY, headers=HEADERS)
    return seen


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (FaceRejected(Reason.NO_FACE, "no face found in the probe"), RejectReason.NO_FACE),
        (FaceRejected(Reason.MULTIPLE_FACES, "3 faces in the probe"), RejectReason.MULTIPLE_FACES),
        (ImageRejected(Reason.IMAGE_UNDECODABLE, "OSError"), RejectReason.IMAGE_UNDECODABLE),
        (ImageRejected(Reason.IMAGE_EMPTY, "no bytes"), RejectReason.IMAGE_UNDECODABLE),
    ],
    ids=["no-face", "multiple-faces", "undecodable-scan", "empty"],
)
async def test_recognition_dead_letters_unusable_images_and_audits_the_outcome(settings, error, code) -> None:
    topic = settings.kafka.topics.recognition_requests
    before = rejection_counts().get((topic, code), 0)
    payload = _request()
    seen = await _through_recognition(settings, error, [payload, payload])

    assert [(letter.value, letter.key) for letter in seen["dlq"]] == [(payload, KEY)] * 2
    reason = _reason(seen["dlq"][0])
    assert (reason["code"], reason["service"]) == (code.value, "custodes.recognition")
    assert rejection_counts()[(topic, code)] == before + 2
    record = seen["audit"][0]
    assert (record["kind"], record["outcome"]) == ("recognition_result", f"error:{code.value}")
    assert record["event_id"] == "evt-sim-0001" and record["decision_id"] == "dec-0001"
    assert record["details"]["dead_letter"] == {"topic": f"{topic}.dlq", "partition": reason["partition"],
                                                "offset": reason["offset"]}


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (_request(_set("decision.obligations.religion", "x")), RejectReason.PROHIBITED_FIELD,
         "decision.obligations.religion"),
        (_request(_set("event.schema_version", "3.0")), RejectReason.UNKNOWN_SCHEMA_VERSION, "event.schema_version"),
        (_request(_drop("decision")), RejectReason.MISSING_FIELD, "decision"),
        (_request(_set("decision.allow", "true")), RejectReason.WRONG_TYPE, "decision.allow"),
    ],
    ids=["prohibited-in-obligations", "nested-unknown-major", "missing-decision", "wrong-type-allow"],
)
async def test_recognition_dead_letters_invalid_request(settings, payload, code, field) -> None:
    seen = await _through_recognition(settings, AssertionError("never called"), [payload])
    reason = _reason(seen["dlq"][0])
    assert (reason["code"], reason["field"]) == (code.value, field)
    assert [a["kind"] for a in seen["audit"]] == ["event_rejected"]
