"""Bad input on purpose: event bytes broken the ways real producers break them.

Contract: :func:`corrupt` turns a valid event into the wire bytes of one kind of
:data:`BAD_INPUTS`, deterministically for a given ``rng`` state. Each kind breaks the event
contract (``custodes.events``), so a consumer must dead-letter it with the reason
:data:`EXPECTED_REJECTION` names, never judge it:

- ``undecodable_image``: an image cut off after its first bytes (an interrupted upload);
- ``oversized_image``: an image larger than the contract's ``MAX_IMAGE_BYTES``;
- ``missing_field``: a required field left out;
- ``wrong_type``: a field of the wrong JSON type;
- ``unknown_schema_version``: a schema version no consumer knows;
- ``prohibited_field``: an ethnicity label (REQUIREMENTS EU-12: never collected);
- ``invalid_json``: the JSON text cut off mid-way.
"""

from __future__ import annotations

import base64
import json
from random import Random
from typing import Any

from pydantic import BaseModel

from custodes.events import RejectReason
from custodes.events.images import MAX_IMAGE_BYTES, images_by_value

__all__ = ["BAD_INPUTS", "EXPECTED_REJECTION", "corrupt"]

EXPECTED_REJECTION: dict[str, RejectReason] = {
    "undecodable_image": RejectReason.IMAGE_UNDECODABLE,
    "oversized_image": RejectReason.IMAGE_TOO_LARGE,
    "missing_field": RejectReason.MISSING_FIELD,
    "wrong_type": RejectReason.WRONG_TYPE,
    "unknown_schema_version": RejectReason.UNKNOWN_SCHEMA_VERSION,
    "prohibited_field": RejectReason.PROHIBITED_FIELD,
    "invalid_json": RejectReason.INVALID_JSON,
}
"""The dead-letter reason each kind of bad input must get (``custodes.events.ingest``)."""
BAD_INPUTS: tuple[str, ...] = tuple(EXPECTED_REJECTION)
_VERSIONING_FIELDS = frozenset({"schema_version", "event_type"})
_WRONG: dict[type, Any] = {str: 4711, int: "forty-two", float: "n/a", bool: "maybe", dict: "see attachment",
                           list: "none"}


def corrupt(kind: str, event: BaseModel, rng: Random) -> bytes:
    """The wire bytes of ``event`` broken as ``kind`` says (one of :data:`BAD_INPUTS`)."""
    raw = event.model_dump_json().encode()
    if kind == "invalid_json":
        return raw[: rng.randint(16, len(raw) - 1)]
    doc = json.loads(raw)
    if kind in ("undecodable_image", "oversized_image"):
        image = rng.choice(list(images_by_value(doc)))
        data = base64.b64decode(image["data"])
        broken = data[:512] if kind == "undecodable_image" else data * (MAX_IMAGE_BYTES // len(data) + 1)
        image["data"] = base64.b64encode(broken).decode()
    elif kind == "missing_field":
        required = [name for name, field in type(event).model_fields.items() if field.is_required()]
        del doc[rng.choice(required)]
    elif kind == "wrong_type":
        name = rng.choice([k for k, v in doc.items() if type(v) in _WRONG and k not in _VERSIONING_FIELDS])
        doc[name] = _WRONG[type(doc[name])]
    elif kind == "unknown_schema_version":
        doc["schema_version"] = f"{rng.randint(7, 99)}.0"
    elif kind == "prohibited_field":
        doc["ethnicity"] = f"label-{rng.randint(1, 9)}"
    else:
        raise ValueError(f"unknown bad-input kind {kind!r}; known: {', '.join(BAD_INPUTS)}")
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


