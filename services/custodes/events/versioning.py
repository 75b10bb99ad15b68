"""Schema versions and how a consumer reads any version of a contract.

Rules (each has a test):
- ``schema_version`` is "MAJOR.MINOR". A MINOR bump only ADDS OPTIONAL fields, so an
  older minor's payload is a valid current payload once re-tagged; a MAJOR bump is a new
  contract.
- A message without ``schema_version`` is version 1.0 (the foundation's producers did not
  always send it); every later version must state itself.
- A known version is validated strictly against ITS model (unknown fields refused), then
  upcast to the current model.
- A newer MINOR of the current MAJOR is read as the current version: its unknown fields
  are ignored (a producer may upgrade before its consumers).
- Any other version (unknown MAJOR, malformed, retired MINOR) is ``unknown_schema_version``.
- A prohibited label (``vocabulary.PROHIBITED_LABELS``) anywhere refuses the message, in
  every version, before any version rule applies.
Every refusal is a pydantic ``ValidationError`` whose error types name the reason
(``missing``, ``unknown_schema_version``, ``prohibited_field`` …); ``custodes.events.ingest``
turns them into dead-letter reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, total_ordering
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from custodes.events.vocabulary import find_prohibited_field

__all__ = ["IMPLICIT_VERSION", "Contract", "SchemaVersion"]

M = TypeVar("M", bound=BaseModel)

IMPLICIT_VERSION = "1.0"

_VERSION = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")


@total_ordering
@dataclass(frozen=True)
class SchemaVersion:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> SchemaVersion | None:
        match = _VERSION.fullmatch(text)
        return cls(int(match[1]), int(match[2])) if match else None

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def __lt__(self, other: SchemaVersion) -> bool:
        return (self.major, self.minor) < (other.major, other.minor)


def _closed(node: Any) -> bool:
    if isinstance(node, list):
        return all(_closed(item) for item in node)
    if not isinstance(node, dict):
        return True
    if node.get("type") == "object" or "properties" in node or "additionalProperties" in node:
        if node.get("additionalProperties") is not False:
            return False
        if any(find_prohibited_field({name: None}) for name in node.get("properties", {})):
            return False
    return all(_closed(value) for key, value in node.items() if key not in ("examples", "default", "const", "enum"))


def _refusal(title: str, error_type: str, message: str, loc: tuple[str | int, ...], value: Any) -> ValidationError:
    detail: InitErrorDetails = {"type": PydanticCustomError(error_type, message), "loc": loc, "input": value}
    return ValidationError.from_exception_data(title, [detail])


@dataclass(frozen=True, eq=False)
class Contract(Generic[M]):
    """One message type in all the versions a consumer can read; the last model is current.

    Every model declares ``schema_version: Literal["M.N"] = "M.N"``.
    """

    name: str
    models: tuple[type[BaseModel], ...]

    @cached_property
    def versions(self) -> dict[SchemaVersion, type[BaseModel]]:
        by_version = {}
        for model in self.models:
            version = SchemaVersion.parse(str(model.model_fields["schema_version"].default))
            if version is None:
                raise TypeError(f"{model.__name__}.schema_version must default to 'MAJOR.MINOR'")
            by_version[version] = model
        if list(by_version) != sorted(set(by_version)) or len(by_version) != len(self.models):
            raise TypeError(f"{self.name}: models must be distinct versions, oldest first")
        return by_version

    @property
    def current(self) -> type[M]:
        return self.models[-1]  # type: ignore[return-value]

    @cached_property
    def current_version(self) -> SchemaVersion:
        return max(self.versions)

    @cached_property
    def closed(self) -> bool:
        """Whether the current model is closed all the way down: every object in its JSON
        Schema refuses unknown properties, and no property names a prohibited label. Then a
        payload the current model validates can hold no prohibited key (``load`` would find none)."""
        return _closed(self.current.model_json_schema())

    def load(self, payload: Any) -> M:
        """Validate decoded JSON as any readable version and return the current model."""
        title = self.current.__name__
        if not isinstance(payload, dict):
            raise ValidationError.from_exception_data(title, [{"type": "dict_type", "loc": (), "input": payload}])
        if (path := find_prohibited_field(payload)) is not None:
            raise _refusal(title, "prohibited_field",
                           "a prohibited label (race, ethnicity, emotion, religion, politics, sexual orientation…) "
                           "may never appear in a message (EU AI Act Art 5(1)(f)-(g))", path, path[-1])
        text = payload.get("schema_version", IMPLICIT_VERSION)
        if not isinstance(text, str):
            raise ValidationError.from_exception_data(
                title, [{"type": "string_type", "loc": ("schema_version",), "input": text}])
        version = SchemaVersion.parse(text)
        if version in self.versions:
            message = self.versions[version].model_validate(payload)
            return self.upcast(message)
        if version and version.major == self.current_version.major and version > self.current_version:
            return self.current.model_validate({**payload, "schema_version": str(self.current_version)},
                                               extra="ignore")
        readable = ", ".join(str(v) for v in self.versions)
        raise _refusal(title, "unknown_schema_version",
                       f"{self.name} reads versions {readable} and newer {self.current_version.major}.x",
                       ("schema_version",), text[:32])

    def upcast(self, message: BaseModel) -> M:
        """The current-version equivalent of a message of any readable version."""
        if type(message) is self.current:
            return message  # type: ignore[return-value]
        return self.current.model_validate({**message.model_dump(), "schema_version": str(self.current_version)})

    def as_field(self) -> BeforeValidator:
        """Validator of a field that holds this contract nested in another message (any readable version)."""

        def _read(value: Any) -> Any:
            if isinstance(value, dict):
                return self.load(value)
            if isinstance(value, self.models):
                return self.upcast(value)
            return value

        return BeforeValidator(_read)
