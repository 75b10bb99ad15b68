"""The JSON Schema files and the models are one truth."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from custodes.events.examples import example_payload
from custodes.events.ingest import read
from custodes.events.registry import CONTRACTS, SCHEMAS
from custodes.events.schema_export import DEFAULT_ROOT, check_schemas, schema_document, write_schemas
from custodes.events.vocabulary import PROHIBITED_KEY_PATTERN, PROHIBITED_LABELS, find_prohibited_field

ENTRIES = {f"{e.name}-{e.version}": e for e in SCHEMAS}


def test_committed_schema_files_are_those_the_models_generate() -> None:
    problems = check_schemas(DEFAULT_ROOT)
    assert not problems, "schemas/ is stale; run: python -m custodes.events.schema_export\n" + "\n".join(problems)


def test_check_reports_an_edited_a_missing_and_a_stale_file(tmp_path) -> None:
    write_schemas(tmp_path)
    assert check_schemas(tmp_path) == []
    (tmp_path / "sim_registration" / "1.1.json").write_text("{}\n")
    (tmp_path / "camera_face" / "1.0.json").unlink()
    (tmp_path / "camera_face" / "0.9.json").write_text("{}\n")
    assert check_schemas(tmp_path) == [
        "camera_face/0.9.json: stale (no model defines it)",
        "camera_face/1.0.json: missing",
        "sim_registration/1.1.json: differs from SimRegistrationEvent",
    ]
    write_schemas(tmp_path)
    assert check_schemas(tmp_path) == []


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
def test_document_is_valid_2020_12(entry) -> None:
    document = json.loads((DEFAULT_ROOT / entry.name / f"{entry.version}.json").read_text())
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
def test_example_is_valid_for_schema_and_model(entry) -> None:
    payload = example_payload(entry.name, entry.version)
    assert not list(Draft202012Validator(schema_document(entry)).iter_errors(payload))
    entry.model.model_validate_json(json.dumps(payload))


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
def test_schema_version_is_required_from_1_1_on(entry) -> None:
    properties, required = schema_document(entry)["properties"], schema_document(entry).get("required", [])
    if entry.name == "audit_record":
        assert "schema_version" not in properties
        return
    assert properties["schema_version"]["const"] == entry.version
    assert ("schema_version" in required) == (entry.version != "1.0")


def _mutations(payload: dict) -> list[tuple[str, dict]]:
    """Single-fault copies of ``payload``: each top-level field dropped, retyped or unknown."""
    out = []
    for name, value in payload.items():
        out.append((f"drop {name}", {k: v for k, v in payload.items() if k != name}))
        out.append((f"retype {name}", payload | {name: [] if not isinstance(value, list) else {}}))
    out.append(("unknown field", payload | {"x_unknown": 1}))
    return out


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_schema_and_consumer_agree_on_single_faults(contract) -> None:
    for version, model in contract.versions.items():
        entry = next(e for e in SCHEMAS if e.model is model)
        validator = Draft202012Validator(schema_document(entry))
        for what, payload in _mutations(example_payload(contract.name, str(version))):
            schema_valid = validator.is_valid(payload)
            accepted = not hasattr(read(contract, json.dumps(payload).encode()), "code")
            assert schema_valid == accepted, f"{contract.name} {version} {what}: {schema_valid=} {accepted=}"


KEYWORDS = {
    "$schema", "$defs", "$ref", "type", "properties", "required", "additionalProperties", "items", "anyOf", "oneOf",
    "enum", "const", "default", "title", "description", "examples", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "contentEncoding",
    "propertyNames", "not",
}


def _schema_objects(node: object, path: str = "") -> list[tuple[str, dict]]:
    if not isinstance(node, dict):
        return []
    found = [(path, node)]
    for key in ("properties", "$defs"):
        for name, sub in node.get(key, {}).items():
            found += _schema_objects(sub, f"{path}/{key}/{name}")
    for key in ("anyOf", "oneOf"):
        for i, sub in enumerate(node.get(key, [])):
            found += _schema_objects(sub, f"{path}/{key}/{i}")
    for key in ("items", "additionalProperties", "propertyNames", "not"):
        found += _schema_objects(node.get(key), f"{path}/{key}")
    return found


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=ENTRIES.keys())
def test_documents_use_only_json_schema_keywords(entry) -> None:
    for path, node in _schema_objects(schema_document(entry)):
        assert node.keys() <= KEYWORDS, f"{path}: {sorted(node.keys() - KEYWORDS)} is not JSON Schema"


def test_no_contract_field_is_a_prohibited_label() -> None:
    for entry in SCHEMAS:
        document = schema_document(entry)
        for definition in [document, *document.get("$defs", {}).values()]:
            assert find_prohibited_field(definition.get("properties", {})) is None, entry


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.lists(st.one_of(
    st.sampled_from(sorted({word for label in PROHIBITED_LABELS for word in label} | {"predicted", "skin", "x", "2"})),
    st.text(alphabet="_- .:/0123456789", min_size=1, max_size=2),
    st.text(max_size=4),
), min_size=1, max_size=4).map("".join).flatmap(
    lambda key: st.sampled_from([key, key.upper(), key.title(), key.capitalize(), key.swapcase()])))
def test_the_schema_pattern_refuses_exactly_the_keys_consumers_refuse(key: str) -> None:
    """PROHIBITED_KEY_PATTERN (in the schema files) and find_prohibited_field (in consumers) agree."""
    assert bool(re.search(PROHIBITED_KEY_PATTERN, key)) == (find_prohibited_field({key: 1}) is not None), key
