"""Evolution: consumers read the previous version, and an added optional field breaks nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from custodes.events import (
    POLICY_DECISION,
    RECOGNITION_REQUEST,
    SIM_REGISTRATION,
    PolicyDecision,
    RecognitionRequest,
    RejectReason,
    Rejection,
    SchemaVersion,
    SimRegistrationEvent,
    SimRegistrationEventV1_0,
)
from custodes.events.examples import example_payload
from custodes.events.ingest import read
from custodes.events.registry import CONTRACTS, SchemaEntry
from custodes.events.schema_export import schema_document


def _bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_previous_sim_version_is_read_and_upcast_to_the_current_model() -> None:
    old = example_payload("sim_registration", "1.0")
    event = read(SIM_REGISTRATION, _bytes(old))
    assert type(event) is SimRegistrationEvent
    assert event.schema_version == "1.1" and event.liveness is None
    assert event.consent.kind == "explicit" and event.consent.recorded_at is None
    assert event.selfie.data == SimRegistrationEventV1_0.model_validate(old).selfie.data


def test_previous_version_is_held_to_its_own_contract() -> None:
    old = example_payload("sim_registration", "1.0") | {"liveness": None}
    rejection = read(SIM_REGISTRATION, _bytes(old))
    assert isinstance(rejection, Rejection) and rejection.code is RejectReason.UNKNOWN_FIELD


def test_message_without_schema_version_is_version_1_0() -> None:
    old = example_payload("sim_registration", "1.0")
    del old["schema_version"]
    assert type(read(SIM_REGISTRATION, _bytes(old))) is SimRegistrationEvent
    current = example_payload("sim_registration", "1.1")
    del current["schema_version"]
    rejection = read(SIM_REGISTRATION, _bytes(current))
    assert isinstance(rejection, Rejection) and rejection.code is RejectReason.UNKNOWN_FIELD


def test_newer_minor_with_added_optional_fields_is_read_as_current() -> None:
    newer = example_payload("sim_registration", "1.1") | {
        "schema_version": "1.4",
        "capture_device": {"model": "kiosk-7", "firmware": "2.1"},
    }
    newer["consent"]["withdrawal_url"] = "https://example.org/withdraw"
    event = read(SIM_REGISTRATION, _bytes(newer))
    assert type(event) is SimRegistrationEvent and event.schema_version == "1.1"
    assert event.consent.kind == "explicit"


def test_newer_minor_still_validates_the_fields_it_knows() -> None:
    newer = example_payload("sim_registration", "1.1") | {"schema_version": "1.4", "subject_age": "34"}
    rejection = read(SIM_REGISTRATION, _bytes(newer))
    assert isinstance(rejection, Rejection) and rejection.code is RejectReason.WRONG_TYPE


@pytest.mark.parametrize("version", ["2.0", "0.9", "1", "1.1.0", "v1.1", "01.1", "1.01", ""])
def test_other_versions_are_unknown(version: str) -> None:
    doc = example_payload("sim_registration", "1.1") | {"schema_version": version}
    rejection = read(SIM_REGISTRATION, _bytes(doc))
    assert isinstance(rejection, Rejection) and rejection.code is RejectReason.UNKNOWN_SCHEMA_VERSION


def test_request_of_an_older_gate_nests_older_versions() -> None:
    doc = {"event": example_payload("sim_registration", "1.0"), "decision": example_payload("policy_decision", "1.0")}
    del doc["decision"]["schema_version"]
    work = read(RECOGNITION_REQUEST, _bytes(doc))
    assert type(work) is RecognitionRequest
    assert type(work.event) is SimRegistrationEvent and type(work.decision) is PolicyDecision


def test_request_nests_a_newer_minor_event() -> None:
    event = example_payload("sim_registration", "1.1") | {"schema_version": "1.2", "kiosk": "k-1"}
    work = read(RECOGNITION_REQUEST, _bytes({"event": event, "decision": example_payload("policy_decision", "1.0")}))
    assert type(work) is RecognitionRequest and work.event.event_id == "evt-sim-0001"


def test_request_built_in_code_upcasts_an_older_event() -> None:
    old = SimRegistrationEventV1_0.model_validate(example_payload("sim_registration", "1.0"))
    decision = PolicyDecision.model_validate(example_payload("policy_decision", "1.0"))
    work = RecognitionRequest(event=old, decision=decision)
    assert type(work.event) is SimRegistrationEvent


def test_gate_request_bytes_reuse_the_event_bytes_verbatim() -> None:
    event_json = _bytes(example_payload("sim_registration", "1.0"))
    decision_json = PolicyDecision.model_validate(example_payload("policy_decision", "1.0")).model_dump_json()
    work = read(RECOGNITION_REQUEST, b'{"event":' + event_json + b',"decision":' + decision_json.encode() + b"}")
    assert type(work) is RecognitionRequest


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_every_minor_only_adds_optional_fields(contract) -> None:
    documents = [schema_document(SchemaEntry(contract.name, str(v), m)) for v, m in contract.versions.items()]
    for older, newer in zip(documents, documents[1:], strict=False):
        added = newer["properties"].keys() - older["properties"].keys()
        assert older["properties"].keys() <= newer["properties"].keys(), "a minor version may not remove a field"
        assert not added & set(newer.get("required", [])), f"added fields must be optional: {added}"
        assert set(newer.get("required", [])) - {"schema_version"} <= set(older.get("required", []))


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_every_version_payload_is_valid_against_the_current_schema_once_retagged(contract) -> None:
    current = Draft202012Validator(schema_document(
        SchemaEntry(contract.name, str(contract.current_version), contract.current)))
    for version in contract.versions:
        doc = example_payload(contract.name, str(version)) | {"schema_version": str(contract.current_version)}
        assert not list(current.iter_errors(doc))


def test_schema_versions_order_numerically() -> None:
    assert SchemaVersion.parse("1.10") > SchemaVersion.parse("1.9") > SchemaVersion.parse("1.0")
    assert SchemaVersion.parse("1.1.0") is None
    assert str(POLICY_DECISION.current_version) == "1.0" and str(SIM_REGISTRATION.current_version) == "1.1"


def test_only_contracts_closed_all_the_way_down_take_the_fast_path() -> None:
    """A prohibited key could hide in an open object (a decision's obligations), so such a
    contract is always read thoroughly; the event contracts the gate reads are closed."""
    assert SIM_REGISTRATION.closed
    assert not POLICY_DECISION.closed  # obligations: dict[str, Any]
    payload = example_payload("policy_decision", "1.0")
    payload["obligations"]["ethnicity"] = "x"
    outcome = read(POLICY_DECISION, _bytes(payload))
    assert isinstance(outcome, Rejection) and outcome.code is RejectReason.PROHIBITED_FIELD
