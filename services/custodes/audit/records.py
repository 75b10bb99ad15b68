"""The audit record: one policy decision or recognition outcome, as the ledger stores it.

Contract:
- ``record_id`` is the idempotency key. Producers derive it deterministically
  (:func:`make_record_id`: uuid5 of ``event_id`` and ``kind``); when it is omitted it is
  derived the same way, so a redelivered or re-sent record always carries the same id.
- Times are timezone-aware and normalised to UTC.
- A record never carries a biometric payload: images, crops, embeddings, templates and
  large base64 blobs are refused wherever they appear (only their SHA-256 hashes may).
  A key naming such data is refused unless it names a reference to it (``*_sha256``,
  ``*_count``, ``*_id`` …) or holds a plain number/flag (``retain_images: false``).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from custodes import wirejson

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORD_NAMESPACE",
    "AuditRecord",
    "Kind",
    "make_record_id",
]

Kind = Literal["policy_decision", "recognition_result", "event_rejected"]

RECORD_NAMESPACE = uuid.UUID("6f1d7c2e-3a51-5b0e-9c43-6a7e0c2d9b11")
_NAMESPACE_BYTES = RECORD_NAMESPACE.bytes
MAX_RECORD_BYTES = 64 * 1024
MAX_STRING_CHARS = 512
MAX_NUMBER_LIST = 64

_BIOMETRIC_TOKENS = frozenset(
    {
        "image", "images", "img", "imgs", "photo", "photos", "picture", "pictures", "pixels",
        "crop", "crops", "face", "faces", "embedding", "embeddings", "template", "templates",
        "descriptor", "descriptors", "biometric", "biometrics", "jpeg", "jpg", "png", "base64",
        "b64", "blob",
    }
)
_REFERENCE_TOKENS = frozenset(
    {
        "sha256", "sha", "hash", "hashes", "digest", "id", "ids", "count", "size", "width",
        "height", "shape", "dim", "dims", "format", "version", "model", "quality", "detected",
        "threshold", "score", "scores",
    }
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BASE64ISH = re.compile(r"^[A-Za-z0-9+/=_\-\r\n]+$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def make_record_id(event_id: str, kind: str) -> str:
    """The deterministic idempotency key of the ``kind`` record about ``event_id``: the UUID
    ``uuid.uuid5(RECORD_NAMESPACE, f"{event_id}\\x1f{kind}")``, built without UUID objects
    (the producers' hot path)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{event_id}\x1f{kind}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _key_tokens(key: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", key).lower()) if t}


@lru_cache(maxsize=8192)
def _biometric_key(key: str) -> bool:
    tokens = _key_tokens(key)
    return bool(tokens & _BIOMETRIC_TOKENS) and not tokens & _REFERENCE_TOKENS


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float)


def _biometric_value(value: Any) -> str | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return "raw bytes"
    if isinstance(value, str):
        if value[:11].lower() == "data:image/":
            return "a data: image URI"
        if len(value) > MAX_STRING_CHARS and _BASE64ISH.match(value):
            return f"a {len(value)}-character base64-like blob"
    if isinstance(value, list | tuple) and len(value) > MAX_NUMBER_LIST:
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return f"a vector of {len(value)} numbers (an embedding?)"
    return None


_CONTAINERS = (dict, list, tuple)
_SUSPECT_SCALARS = (str, bytes, bytearray, memoryview)


def _biometric_payload(value: Any, path: str, explain: bool = False) -> str | None:
    """Why ``value`` (at ``path``) holds a biometric payload, or None.

    The first pass (``explain=False``) only answers yes or no, without building paths; a hit
    is walked again to say where.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if not _scalar(item) and _biometric_key(key):
                return (f"biometric payload refused at {path}.{key}: the ledger holds hashes "
                        "(input_sha256), never images, crops, embeddings or templates") if explain else "hit"
            if isinstance(item, _CONTAINERS) or isinstance(item, _SUSPECT_SCALARS):
                if found := _biometric_payload(item, f"{path}.{key}" if explain else path, explain):
                    return found
        return None
    if what := _biometric_value(value):
        return f"biometric payload refused at {path}: {what}; store its SHA-256 instead" if explain else "hit"
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, _CONTAINERS) or isinstance(item, _SUSPECT_SCALARS):
                if found := _biometric_payload(item, f"{path}[{i}]" if explain else path, explain):
                    return found
    return None


class AuditRecord(BaseModel):
    """One immutable line of the audit ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str = Field(
        min_length=1,
        max_length=128,
        description="idempotency key, deterministic from the producer: make_record_id(event_id, kind)",
        examples=["0b6f5c1e-6d0a-5a57-8d0e-1b0c9f7f4f21"],
    )
    kind: Kind = Field(description="what the record is about", examples=["policy_decision"])
    event_id: str = Field(min_length=1, max_length=256, description="id of the event the record is about")
    event_type: str = Field(max_length=128, description="type of that event", examples=["sim_registration"])
    event_time: AwareDatetime = Field(description="when the event happened (UTC)")
    recorded_at: AwareDatetime = Field(
        default_factory=lambda: datetime.now(UTC), description="when the producer wrote this record (UTC)"
    )
    service: str = Field(max_length=128, description="the service that wrote the record", examples=["custodes.gate"])
    jurisdiction: str = Field("", max_length=64, description="jurisdiction whose law was applied", examples=["KE"])
    use_case: str = Field("", max_length=128, description="declared use case", examples=["sim_registration"])
    purpose: str = Field("", max_length=512, description="declared purpose of the processing")
    requester_org: str = Field("", max_length=256, description="organisation that asked")
    requester_type: str = Field("", max_length=64, description="kind of requester", examples=["telecom_operator"])
    decision_id: str = Field("", max_length=128, description="id of the policy decision")
    policy_revision: str = Field("", max_length=128, description="revision of the policy bundle that decided")
    allowed: bool | None = Field(None, description="the policy decision; None when no decision was made")
    reasons: list[dict[str, str]] = Field(
        default_factory=list,
        description="why: each {code, requirement, legal_ref, message}",
        examples=[[{"code": "no_consent", "requirement": "R-3", "legal_ref": "DPA s.30", "message": "…"}]],
    )
    obligations: dict[str, Any] = Field(default_factory=dict, description="obligations attached to the decision")
    outcome: str | None = Field(
        None, max_length=256, description="match, no_match, denied or error:<code>", examples=["match"]
    )
    score: float | None = Field(None, description="similarity score of the comparison")
    threshold: float | None = Field(None, description="decision threshold the score was compared with")
    max_fmr: float | None = Field(None, ge=0, le=1, description="false match rate the threshold was set for")
    model_id: str = Field("", max_length=128, description="face model id")
    model_version: str = Field("", max_length=64, description="face model version")
    model_sha256: str = Field("", max_length=64, description="SHA-256 of the model weights")
    input_sha256: list[str] = Field(
        default_factory=list, max_length=16, description="SHA-256 of each input image; never the images"
    )
    details: dict[str, Any] = Field(default_factory=dict, description="anything else, never biometric data")

    @classmethod
    def trusted_json(cls, **fields: Any) -> bytes:
        """The record's JSON built from fields a custodes service computed itself, without
        building or validating the model — for producers' hot paths only: the ledger validates
        every record it receives (and dead-letters one carrying a biometric payload), so checking
        twice buys nothing. Every field, its default where not given, as ``model_dump_json``."""
        record = _DEFAULTS.copy()  # every field, in the model's order
        record.update(fields)
        for name, factory in _DEFAULT_FACTORIES.items():
            if name not in fields:
                record[name] = factory()
        if "record_id" not in fields:
            record["record_id"] = make_record_id(str(fields["event_id"]), str(fields["kind"]))
        return wirejson.dumps(record)

    @model_validator(mode="before")
    @classmethod
    def _derive_record_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("record_id") and data.get("event_id") and data.get("kind"):
            data = {**data, "record_id": make_record_id(str(data["event_id"]), str(data["kind"]))}
        return data

    @field_validator("event_time", "recorded_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("reasons")
    @classmethod
    def _reason_shape(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        allowed = {"code", "requirement", "legal_ref", "message"}
        for i, reason in enumerate(value):
            if "code" not in reason:
                raise ValueError(f"reasons[{i}] has no 'code'")
            if unknown := set(reason) - allowed:
                raise ValueError(f"reasons[{i}] has unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
        return value

    @field_validator("model_sha256")
    @classmethod
    def _model_hash(cls, value: str) -> str:
        if value and not _SHA256.match(value):
            raise ValueError("model_sha256 must be 64 lowercase hex characters")
        return value

    @field_validator("input_sha256")
    @classmethod
    def _input_hashes(cls, value: list[str]) -> list[str]:
        for i, digest in enumerate(value):
            if not _SHA256.match(digest):
                raise ValueError(f"input_sha256[{i}] is not a SHA-256 hex digest; the ledger stores hashes, never images")
        return value

    @model_validator(mode="after")
    def _no_biometric_payload(self) -> AuditRecord:
        for name in ("reasons", "obligations", "details", "purpose", "outcome"):
            if _biometric_payload(getattr(self, name), name):
                raise ValueError(_biometric_payload(getattr(self, name), name, explain=True))
        size = len(self.model_dump_json())
        if size > MAX_RECORD_BYTES:
            raise ValueError(f"record is {size} bytes; the ledger accepts at most {MAX_RECORD_BYTES}")
        return self


_DEFAULT_FACTORIES = {name: field.default_factory for name, field in AuditRecord.model_fields.items()
                      if field.default_factory is not None}
_DEFAULTS = {name: None if field.default_factory is not None or field.is_required() else field.default
             for name, field in AuditRecord.model_fields.items()}
