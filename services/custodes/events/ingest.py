"""Reading consumed bytes as a contract: a current-version model, or a :class:`Rejection`.

Contract of :func:`read`: it never raises for any input bytes. It decodes JSON (standard:
no NaN or Infinity), then reads the payload through the contract's version rules
(:mod:`custodes.events.versioning`). When a message has several faults the reason is the
most fundamental one, in this order: invalid_json, prohibited_field,
unknown_schema_version, missing_field, wrong_type, unknown_field, image_too_large,
image_undecodable, schema_violation; the detail lists up to five faults (locations and
messages, never input values). A fault of the validation code itself is
``internal_error``, never an exception.

A valid current-version message of a closed contract (``Contract.closed``) is parsed
straight into the model, which gives the same model faster; anything else takes the
thorough path (:func:`read_decoded`) that explains refusals.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, from_json

from custodes.events.deadletter import RejectReason, Rejection
from custodes.events.versioning import Contract

__all__ = ["read", "read_decoded", "rejection_from_validation"]

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

_PRECEDENCE = (
    RejectReason.INVALID_JSON,
    RejectReason.PROHIBITED_FIELD,
    RejectReason.UNKNOWN_SCHEMA_VERSION,
    RejectReason.MISSING_FIELD,
    RejectReason.WRONG_TYPE,
    RejectReason.UNKNOWN_FIELD,
    RejectReason.IMAGE_TOO_LARGE,
    RejectReason.IMAGE_UNDECODABLE,
    RejectReason.SCHEMA_VIOLATION,
)
_REASON_OF_ERROR = {
    "json_invalid": RejectReason.INVALID_JSON,
    "prohibited_field": RejectReason.PROHIBITED_FIELD,
    "unknown_schema_version": RejectReason.UNKNOWN_SCHEMA_VERSION,
    "missing": RejectReason.MISSING_FIELD,
    "extra_forbidden": RejectReason.UNKNOWN_FIELD,
    "image_too_large": RejectReason.IMAGE_TOO_LARGE,
    "image_undecodable": RejectReason.IMAGE_UNDECODABLE,
}
_WRONG_TYPE_ERRORS = frozenset({"int_from_float", "model_attributes_type", "none_required", "is_instance_of"})


def _reason_of(error: ErrorDetails) -> RejectReason:
    error_type = error["type"]
    if error_type in _REASON_OF_ERROR:
        return _REASON_OF_ERROR[error_type]
    if error_type.endswith("_type") or error_type in _WRONG_TYPE_ERRORS:
        return RejectReason.WRONG_TYPE
    if error_type == "literal_error" and not isinstance(error.get("input"), str):
        return RejectReason.WRONG_TYPE  # every vocabulary is a set of strings
    return RejectReason.SCHEMA_VIOLATION


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<message>"


def rejection_from_validation(exc: ValidationError) -> Rejection:
    """The reason of a refused payload: the most fundamental fault, with locations and messages only."""
    errors = exc.errors(include_url=False, include_context=False)
    ranked = sorted(((_reason_of(err), err) for err in errors), key=lambda pair: _PRECEDENCE.index(pair[0]))
    reason, first = ranked[0]
    detail = "; ".join(f"{_location(err['loc'])}: {err['msg']}" for _, err in ranked[:5])
    if len(errors) > 5:
        detail += f"; … {len(errors) - 5} more"
    return Rejection(reason, detail, _location(first["loc"]))


def read(contract: Contract[M], value: bytes | None) -> M | Rejection:
    """``value`` as the contract's current model, or why it cannot be used."""
    if not value:
        return Rejection(RejectReason.INVALID_JSON, "empty message (no value)")
    if (message := _read_as_current(contract, value)) is not None:
        return message
    return read_decoded(contract, value)


def _read_as_current(contract: Contract[M], value: bytes) -> M | None:
    """The fast path: ``value`` parsed straight into the current model (no Python dict in
    between, no version dispatch), or None so that :func:`read_decoded` decides — always when
    the payload is not a valid current-version message that states its version, or the model
    is not closed (``Contract.closed``: then a prohibited key could hide in an open object).
    Whatever it accepts, :func:`read_decoded` accepts as the same model
    (tests/unit/test_events_fuzz.py checks this on generated and mutated payloads)."""
    if not contract.closed:
        return None
    try:
        message = contract.current.model_validate_json(value, strict=True)
    except Exception:  # noqa: BLE001 - any refusal or fault: the thorough path decides and explains
        return None
    return message if "schema_version" in message.model_fields_set else None


def read_decoded(contract: Contract[M], value: bytes) -> M | Rejection:
    """The thorough path of :func:`read`: decode the JSON, look for prohibited keys, read the
    declared version and validate against it; explains every refusal."""
    try:
        payload = from_json(value, allow_inf_nan=False)
    except ValueError as exc:
        return Rejection(RejectReason.INVALID_JSON, f"not JSON: {exc}")
    try:
        return contract.load(payload)
    except ValidationError as exc:
        return replace(rejection_from_validation(exc), event_id=_claimed_event_id(payload))
    except Exception as exc:  # noqa: BLE001 - a validation bug must not stop the partition
        log.exception("reading a %s message failed", contract.name)
        return Rejection(RejectReason.INTERNAL_ERROR, f"validation failed: {type(exc).__name__}",
                         event_id=_claimed_event_id(payload))


def _claimed_event_id(payload: Any) -> str | None:
    for node in (payload, payload.get("event") if isinstance(payload, dict) else None):
        if isinstance(node, dict) and isinstance(claimed := node.get("event_id"), str) and len(claimed) <= 128:
            return claimed
    return None
