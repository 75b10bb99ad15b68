"""Identification requests (gate → 1:N recognition): camera faces a policy allowed to be searched."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from custodes.events.base import Message
from custodes.events.camera import CAMERA_FACE, CameraFaceEvent
from custodes.events.decision import POLICY_DECISION, PolicyDecision
from custodes.events.versioning import Contract

__all__ = ["IDENTIFICATION_REQUEST", "IdentificationRequest"]


class IdentificationRequest(Message):
    """Allowed 1:N work the gate hands on, with the decision that allowed it.

    The search it asks for must respect the decision's obligations (``max_fpir``,
    ``retain_days``, ``delete_non_matches``, ``review_quorum`` …). The nested event and
    decision may be of any version their contracts read; they are upcast to the current models.
    """

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event: Annotated[CameraFaceEvent, CAMERA_FACE.as_field()] = Field(description="the camera face to search for")
    decision: Annotated[PolicyDecision, POLICY_DECISION.as_field()] = Field(
        description="the decision that allowed it, with its obligations")


IDENTIFICATION_REQUEST: Contract[IdentificationRequest] = Contract("identification_request", (IdentificationRequest,))
