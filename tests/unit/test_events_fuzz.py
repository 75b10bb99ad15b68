"""Property-based: 10,000+ generated events through ``parse_or_reject``; nothing escapes.

Valid events are generated from the committed JSON Schema files themselves (a small
generator for the subset the models emit: hypothesis-jsonschema 0.23.1 fails on objects
with the pinned hypothesis 6.170, whose private ``many`` API it relies on). Invalid ones
are one to three mutations of valid ones, JSON of any shape, and arbitrary bytes. Properties:
- no exception escapes ``parse_or_reject``;
- every message is either accepted (nothing published) or dead-lettered with its
  original bytes and a known reason, and audited once;
- the consumer agrees with the schema file of the declared version: a payload without a
  prohibited key and with readable images is accepted exactly when the schema says valid;
- the fast path of ``read`` (straight into the current model) accepts only what the thorough
  path accepts, as the same model.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from custodes.audit.emit import parse_or_reject
from custodes.events import RejectReason
from custodes.events.deadletter import REASON_HEADER
from custodes.events.examples import example_payload, tiny_image
from custodes.events.images import images_by_value
from custodes.events.ingest import _read_as_current, read_decoded
from custodes.events.registry import CONTRACTS, SCHEMAS
from custodes.events.schema_export import DEFAULT_ROOT
from custodes.events.vocabulary import PROHIBITED_LABELS, find_prohibited_field

AUDIT_TOPIC = "fuzz.audit"
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
ENTRIES = [e for e in SCHEMAS if e.name != "audit_record"]
DOCUMENTS = {(e.name, e.version): json.loads((DEFAULT_ROOT / e.name / f"{e.version}.json").read_text())
             for e in ENTRIES}
VALIDATORS = {key: Draft202012Validator(document) for key, document in DOCUMENTS.items()}
CONTRACT_OF = {e.name: next(c for c in CONTRACTS if e.model in c.models) for e in ENTRIES}


def _schema_strategy(node: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid instances of ``node`` for the JSON Schema subset that pydantic emits."""
    if "$ref" in node:
        return _schema_strategy(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([_schema_strategy(option, defs) for option in node[key]])
    kind = node.get("type")
    if kind is None and "propertyNames" in node:  # any JSON whose object keys obey propertyNames
        keys = _schema_strategy(node["propertyNames"], defs)
        return st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(keys, inner, max_size=3), max_leaves=6)
    if kind == "string" and "not" in node:
        refused = re.compile(node["not"]["pattern"])
        return _schema_strategy({k: v for k, v in node.items() if k != "not"}, defs).filter(
            lambda text: not refused.search(text))
    if kind == "string":
        if node.get("format") == "date-time":
            offsets = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-7, minutes=-30))])
            return st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                                timezones=offsets).map(lambda when: when.isoformat())
        if node.get("contentEncoding") == "base64":
            return st.binary(max_size=64).map(lambda raw: base64.b64encode(raw).decode())
        low, high = node.get("minLength", 0), node.get("maxLength", 24)
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True).filter(lambda text: low <= len(text) <= high)
        return st.text(min_size=low, max_size=min(high, max(low, 24)))
    if kind == "integer":
        return st.integers(node.get("minimum", -(2**31)), node.get("maximum", 2**31))
    if kind == "number":
        low, high = node.get("minimum", -1e9), node.get("maximum", 1e9)
        return st.floats(low, high, allow_nan=False) | st.integers(math.ceil(low), math.floor(high))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = _schema_strategy(node.get("items", {}), defs)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 3), 3))
    if kind == "object" and "properties" in node:
        required = set(node.get("required", []))
        strategies = {name: _schema_strategy(sub, defs) for name, sub in node["properties"].items()}
        return st.fixed_dictionaries({k: v for k, v in strategies.items() if k in required},
                                     optional={k: v for k, v in strategies.items() if k not in required})
    if kind == "object":
        values = _schema_strategy(node["additionalProperties"], defs) if isinstance(
            node.get("additionalProperties"), dict) else JSON_VALUES
        keys = _schema_strategy(node["propertyNames"], defs) if "propertyNames" in node else st.text(max_size=8)
        return st.dictionaries(keys, values, max_size=3)
    assert not node or node.keys() <= {"title", "description", "examples", "default"}, f"unsupported: {node}"
    return JSON_VALUES


JSON_SCALARS = (st.none() | st.booleans() | st.integers(-(2**40), 2**40)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


@cache
def _valid(name: str, version: str) -> st.SearchStrategy[dict[str, Any]]:
    document = DOCUMENTS[(name, version)]
    return _schema_strategy(document, document.get("$defs", {}))


def _with_real_images(payload: dict[str, Any]) -> dict[str, Any]:
    for image in images_by_value(payload):
        image["data"] = base64.b64encode(tiny_image(image["media_type"])).decode()
    return payload


@dataclass
class _Record:
    """The fields of an aiokafka ConsumerRecord that consumers read."""

    value: bytes
    topic: str = "fuzz.in"
    partition: int = 0
    offset: int = 7
    timestamp: int = 1_772_360_102_000
    key: bytes | None = b"k"
    headers: list[tuple[str, bytes]] = field(default_factory=lambda: [("trace", b"t-1")])


@dataclass
class _Broker:
    published: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    async def publish(self, message: bytes, topic: str, *, key: bytes | None = None,
                      headers: dict[str, str] | None = None, **_: Any) -> None:
        self.published.append((topic, message, headers or {}))


_LOOP = asyncio.new_event_loop()


def _consume(name: str, value: bytes) -> tuple[Any, RejectReason | None]:
    """Run ``parse_or_reject`` on ``value``; check the dead-letter contract; return (model, reason)."""
    broker, record = _Broker(), _Record(value)
    model = CONTRACT_OF[name].current
    _expect_fast_path_agrees(name, value)
    accepted = _LOOP.run_until_complete(parse_or_reject(broker, record, model, AUDIT_TOPIC, "fuzz"))
    if accepted is not None:
        assert type(accepted) is model and broker.published == []
        event("accepted")
        return accepted, None
    (dlq_topic, dlq_value, headers), (audit_topic, audit_value, _) = broker.published
    assert (dlq_topic, dlq_value, audit_topic) == ("fuzz.in.dlq", value, AUDIT_TOPIC)
    assert headers["trace"] == "t-1"
    reason = RejectReason(json.loads(headers[REASON_HEADER])["code"])
    assert reason is not RejectReason.INTERNAL_ERROR, json.loads(headers[REASON_HEADER])
    assert json.loads(audit_value)["outcome"] == f"error:{reason.value}"
    event(f"dead-lettered: {reason.value}")
    return None, reason


def _expect_fast_path_agrees(name: str, value: bytes) -> None:
    """What the fast path accepts, the thorough path accepts as an equal model."""
    contract = CONTRACT_OF[name]
    fast = _read_as_current(contract, value) if value else None
    if fast is not None:
        event("fast path")
        assert read_decoded(contract, value) == fast


def _expect_agreement(name: str, payload: Any, reason: RejectReason | None) -> None:
    """Accepted exactly when the schema of the declared version says valid; a key naming a prohibited
    label is refused by both, and by the consumer with its own reason."""
    version = payload.get("schema_version", "1.0") if isinstance(payload, dict) else None
    validator = VALIDATORS.get((name, version)) if isinstance(version, str) else None
    if find_prohibited_field(payload) is not None:
        assert reason is RejectReason.PROHIBITED_FIELD
        assert validator is None or not validator.is_valid(payload), "the schema accepts a prohibited key"
        return
    if validator is None:
        return
    schema_valid = validator.is_valid(payload)
    errors = [error.message for error in validator.iter_errors(payload)]
    assert schema_valid == (reason is None), (name, version, reason, errors)


@pytest.fixture(autouse=True, scope="module")
def _quiet_dead_letter_log_and_loop() -> Iterator[None]:
    logger = logging.getLogger("custodes.audit.emit")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
    _LOOP.close()


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.name}-{e.version}" for e in ENTRIES])
@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_generated_valid_events_are_accepted(entry, data) -> None:
    payload = _with_real_images(data.draw(_valid(entry.name, entry.version)))
    _, reason = _consume(entry.name, json.dumps(payload).encode())
    assert reason is None
    _expect_agreement(entry.name, payload, reason)


def _containers(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        if isinstance(child, dict | list):
            yield from _containers(child, (*path, key))


PROHIBITED_KEYS = st.tuples(st.sampled_from(sorted(PROHIBITED_LABELS)), st.sampled_from(["", "predicted_", "x-"]),
                            st.booleans()).map(
    lambda parts: parts[1] + ("".join(w.title() for w in parts[0]) if parts[2] else "_".join(parts[0])))
VERSIONS = st.sampled_from(["1.0", "1.1", "1.2", "1.99", "2.0", "0.9", "1", "x", ""]) | st.text(max_size=6)
GARBAGE_IMAGES = st.binary(max_size=40).map(lambda raw: base64.b64encode(raw).decode()) | st.sampled_from(
    [base64.b64encode(tiny_image()[:100]).decode(), "not base64!", base64.b64encode(tiny_image("image/png")).decode()])


def _mutate(data: st.DataObject, payload: dict[str, Any]) -> None:
    """Apply one drawn fault to ``payload`` in place."""
    path, node = data.draw(st.sampled_from(list(_containers(payload))))
    kind = data.draw(st.sampled_from(["drop", "retype", "unknown", "prohibited", "version", "image"]))
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    if kind == "version":
        payload["schema_version"] = data.draw(VERSIONS)
    elif kind == "image" and (images := list(images_by_value(payload))):
        data.draw(st.sampled_from(images))["data"] = data.draw(GARBAGE_IMAGES)
    elif kind in ("unknown", "prohibited") and isinstance(node, dict):
        node[data.draw(PROHIBITED_KEYS if kind == "prohibited" else st.text(min_size=1, max_size=8))] = (
            data.draw(JSON_VALUES))
    elif kind == "drop" and keys:
        del node[data.draw(st.sampled_from(keys))]
    elif keys:
        node[data.draw(st.sampled_from(keys))] = data.draw(JSON_VALUES)


def _readable_images(payload: Any) -> bool:
    return all(image["data"] == base64.b64encode(tiny_image(image["media_type"])).decode()
               for image in images_by_value(payload) if image["media_type"] in ("image/jpeg", "image/png"))


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.name}-{e.version}" for e in ENTRIES])
@settings(FUZZ, max_examples=700)
@given(data=st.data())
def test_mutated_events_are_accepted_or_dead_lettered_with_a_reason(entry, data) -> None:
    payload = example_payload(entry.name, entry.version)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(data, payload)
    _, reason = _consume(entry.name, json.dumps(payload).encode())
    version = payload.get("schema_version", "1.0")
    if find_prohibited_field(payload) is None and not isinstance(version, str):
        assert reason is RejectReason.WRONG_TYPE
    elif find_prohibited_field(payload) is None and not _readable_images(payload):
        assert reason is not None
    else:
        _expect_agreement(entry.name, payload, reason)


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.name}-{e.version}" for e in ENTRIES])
@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_json_text_quirks_read_alike_on_both_paths(entry, data) -> None:
    """Text the fast path parses itself: a repeated key, NaN and infinities, no version."""
    payload = example_payload(entry.name, entry.version)
    text = json.dumps(payload)
    node = data.draw(st.sampled_from([n for _, n in _containers(payload) if isinstance(n, dict) and n]))
    key = data.draw(st.sampled_from(sorted(node)))
    fragment = json.dumps({key: node[key]})[1:-1]
    quirk = data.draw(st.sampled_from(["repeat", "repeat_other", "nan", "infinity", "no_version"]))
    if quirk == "no_version":
        payload.pop("schema_version", None)
        text = json.dumps(payload)
    elif quirk.startswith("repeat"):  # the key twice, the other value before or after (the last one counts)
        other = json.dumps({key: data.draw(JSON_VALUES)})[1:-1] if quirk == "repeat_other" else fragment
        pair = (other, fragment) if data.draw(st.booleans()) else (fragment, other)
        text = text.replace(fragment, ", ".join(pair), 1)
    else:
        token = "NaN" if quirk == "nan" else data.draw(st.sampled_from(["Infinity", "-Infinity"]))
        text = text.replace(fragment, json.dumps({key: None})[1:-1].replace("null", token), 1)
    _, reason = _consume(entry.name, text.encode())
    if quirk in ("nan", "infinity"):
        assert reason is RejectReason.INVALID_JSON


@settings(FUZZ, max_examples=1000)
@given(name=st.sampled_from(sorted(CONTRACT_OF)), payload=JSON_VALUES)
def test_json_of_any_shape_is_dead_lettered_with_a_reason(name, payload) -> None:
    _, reason = _consume(name, json.dumps(payload).encode())
    assert reason is not None


@settings(FUZZ, max_examples=1000)
@given(name=st.sampled_from(sorted(CONTRACT_OF)), raw=st.binary(min_size=0, max_size=64))
def test_arbitrary_bytes_are_dead_lettered_with_a_reason(name, raw) -> None:
    _, reason = _consume(name, raw)
    assert reason is not None
