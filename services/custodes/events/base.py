"""Building blocks of every wire contract: model bases and field types.

Contract:
- every model is frozen, forbids unknown fields and validates strictly: a JSON string is
  never coerced to a number or a flag, so "wrong type" means the wrong JSON type, as in
  the JSON Schema documents;
- a top-level message (:class:`Message`) carries ``schema_version`` ("MAJOR.MINOR"),
  required on the wire from version 1.1 on (code may omit it: it defaults to the model's);
- times are RFC 3339 strings with an offset on the wire and aware datetimes in code;
- every string field is bounded (free-form objects such as obligations aside).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema
from pydantic_core import PydanticCustomError, PydanticKnownError

from custodes.events.versioning import IMPLICIT_VERSION
from custodes.events.vocabulary import JURISDICTION_PATTERN

__all__ = [
    "INTEGRAL_FLOAT_AS_INT",
    "ContractModel",
    "EventId",
    "Jurisdiction",
    "Message",
    "Pseudonym",
    "Reference",
    "Sha256Hex",
    "Timestamp",
    "WholeNumber",
]

RFC3339_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_RFC3339 = re.compile(RFC3339_PATTERN)
_AWARE_DATETIME = TypeAdapter(AwareDatetime)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticKnownError("datetime_type")
    if not _RFC3339.fullmatch(value):
        raise PydanticCustomError("datetime_format", "Input should be an RFC 3339 date-time with an offset")
    return _AWARE_DATETIME.validate_python(value)


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN}),
]
def _integral(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


INTEGRAL_FLOAT_AS_INT = BeforeValidator(_integral)
"""Put after any bounds (``Annotated[int, Field(ge=…), INTEGRAL_FLOAT_AS_INT]``) so they stay JSON Schema."""
WholeNumber = Annotated[int, INTEGRAL_FLOAT_AS_INT]
"""An integer; an integral JSON number such as ``34.0`` is one too, as in JSON Schema."""
EventId = Annotated[
    str,
    Field(min_length=1, max_length=128, description="unique per event; the idempotency key",
          examples=["evt-2026-000123"]),
]
Jurisdiction = Annotated[
    str,
    Field(min_length=2, max_length=64, pattern=JURISDICTION_PATTERN,
          description="hierarchical code: ISO 3166-1 alpha-2, ISO 3166-2 subdivision, locality slug",
          examples=["KE", "US-IL", "US-OR-portland"]),
]
Reference = Annotated[str, Field(min_length=1, max_length=256)]
Pseudonym = Annotated[
    str,
    Field(min_length=1, max_length=128, description="keyed pseudonym of a person, never a name or an id number",
          examples=["sub-7f3a9c"]),
]
Sha256Hex = Annotated[
    str,
    Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$", description="SHA-256, lowercase hex",
          examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]),
]


class ContractModel(BaseModel):
    """Base of every object on the wire: frozen, closed, strict; no NaN or infinity (JSON has neither)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _schema_version_required(schema: dict[str, Any], model: type[BaseModel]) -> None:
    if model.model_fields["schema_version"].default == IMPLICIT_VERSION:
        return
    required = schema.setdefault("required", [])
    if "schema_version" not in required:
        required.insert(0, "schema_version")


class Message(ContractModel):
    """Base of a top-level message; subclasses declare ``schema_version: Literal["M.N"] = "M.N"``.

    On the wire a message without ``schema_version`` is version 1.0; later versions state it.
    """

    model_config = ConfigDict(json_schema_extra=_schema_version_required)
