"""`custodes docs asyncapi`: one document of all services, valid for the official AsyncAPI parser."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from jsonschema import Draft202012Validator

from custodes.docs import asyncapi as docs
from custodes.events import SIM_REGISTRATION
from custodes.events.sim_factory import sim_event
from custodes.gate.service import camera_group_id
from custodes.settings import Settings

NPM_MODULES = docs.PROJECT_ROOT / ".tools" / "npm" / "node_modules" / "@asyncapi" / "parser"


@pytest.fixture(scope="module")
def official_parser() -> None:
    if shutil.which("node") is None or not NPM_MODULES.is_dir():
        pytest.fail("the official AsyncAPI parser is not installed: run `make install` (needs Node.js and npm)")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("asyncapi") / "asyncapi.json"
    subprocess.run([sys.executable, "-m", "custodes.cli", "docs", "asyncapi", "--out", str(out)],
                   check=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def document(written: Path) -> dict:
    return json.loads(written.read_text())


def test_the_official_parser_accepts_the_document_without_warnings(official_parser: None, written: Path) -> None:
    valid, report = docs.validate_document(written, strict=True)
    assert valid, report["diagnostics"]
    assert report["asyncapi"] == "3.0.0"
    assert set(report["channels"]) == set(json.loads(written.read_text())["channels"])


def test_the_official_parser_rejects_a_broken_document(official_parser: None, document: dict,
                                                       tmp_path: Path) -> None:
    broken = copy.deepcopy(document)
    broken["operations"]["gate.receive.custodes.events.sim_registration"]["channel"] = {"$ref": "#/channels/nowhere"}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    valid, report = docs.validate_document(path)
    assert not valid
    assert any(d["severity"] == "error" for d in report["diagnostics"])


def test_every_topic_and_its_dead_letters_is_one_channel(document: dict, settings: Settings) -> None:
    topics = settings.kafka.topics
    subscribed = [topics.sim_registrations, topics.camera_faces, topics.recognition_requests, topics.audit_records,
                  *topics.registry()]
    expected = set(topics.all()) | {f"{t}.dlq" for t in subscribed}
    assert expected <= set(document["channels"])
    assert all(key == channel["address"] for key, channel in document["channels"].items())


def test_operations_say_which_service_reads_and_writes_what(document: dict, settings: Settings) -> None:
    t = settings.kafka.topics
    operations = document["operations"]
    for service, action, topic in [
        ("gate", "receive", t.sim_registrations), ("gate", "send", t.recognition_requests),
        ("gate", "send", t.audit_records), ("gate", "send", f"{t.sim_registrations}.dlq"),
        ("gate", "receive", t.camera_faces), ("gate", "send", t.identification_requests),
        ("gate", "send", f"{t.camera_faces}.dlq"), ("gate", "receive", t.registry_deployments),
        ("gate", "receive", t.registry_watchlists), ("gate", "receive", t.registry_authorisations),
        ("recognition", "receive", t.recognition_requests), ("recognition", "send", t.audit_records),
        ("ledger", "receive", t.audit_records), ("ledger", "send", f"{t.audit_records}.dlq"),
    ]:
        operation = operations[f"{service}.{action}.{topic}"]
        assert operation["action"] == action
        assert operation["channel"] == {"$ref": f"#/channels/{topic}"}
    for topic, group_id in ((t.sim_registrations, settings.gate.group_id),
                            (t.camera_faces, camera_group_id(settings))):
        group = operations[f"gate.receive.{topic}"]["bindings"]["kafka"]["groupId"]
        assert group["enum"] == [group_id]


def _payload_validator(document: dict, message: str) -> Draft202012Validator:
    payload_ref = document["components"]["messages"][message]["payload"]["$ref"]
    return Draft202012Validator({"$ref": payload_ref, "components": document["components"]})


def test_a_real_sim_event_matches_its_documented_schema(document: dict, settings: Settings, images: Path) -> None:
    channel = document["channels"][settings.kafka.topics.sim_registrations]
    assert set(channel["messages"]) == {f"sim_registration.{v}" for v in SIM_REGISTRATION.versions}
    event = json.loads(sim_event("doc-1", images / "obama.jpg", images / "biden.jpg").model_dump_json())
    current = _payload_validator(document, f"sim_registration.{SIM_REGISTRATION.current_version}")
    current.validate(event)
    assert list(current.iter_errors({**event, "ethnicity": "x"})), "unknown fields must be refused"
    older = {k: v for k, v in event.items() if k != "liveness"} | {"schema_version": "1.0",
                                                                    "consent": {"kind": None, "id": None}}
    _payload_validator(document, "sim_registration.1.0").validate(older)


def test_every_example_satisfies_its_documented_schema(document: dict) -> None:
    examples = {name: m["examples"] for name, m in document["components"]["messages"].items() if "examples" in m}
    assert {"sim_registration.1.1", "camera_face.1.0", "recognition_request.1.0", "identification_request.1.0",
            "audit_record.1.0"} <= set(examples)
    for name, found in examples.items():
        for example in found:
            _payload_validator(document, name).validate(example["payload"])


def test_the_same_settings_give_the_same_bytes(written: Path) -> None:
    assert docs.render(docs.asyncapi_document(Settings())) == written.read_text()


def test_a_subscribed_topic_without_a_contract_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                           settings: Settings) -> None:
    rogue = KafkaBroker(settings.kafka.bootstrap_servers)

    @rogue.subscriber("custodes.undocumented", title="undocumented")
    async def _handler(body: bytes) -> None:
        del body

    monkeypatch.setattr(docs, "service_brokers", lambda _settings: {"rogue": rogue})
    with pytest.raises(docs.MissingContract, match=r"custodes\.undocumented"):
        docs.asyncapi_document(settings)
