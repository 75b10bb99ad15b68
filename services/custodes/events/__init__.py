"""custodes.events — wire contracts of what custodes consumes and emits."""

from custodes.events.models import (
    Consent,
    FaceImage,
    IdDocument,
    Outlet,
    PolicyDecision,
    PolicyReason,
    RecognitionRequest,
    Requester,
    SimRegistrationEvent,
)

__all__ = [
    "Consent",
    "FaceImage",
    "IdDocument",
    "Outlet",
    "PolicyDecision",
    "PolicyReason",
    "RecognitionRequest",
    "Requester",
    "SimRegistrationEvent",
]
