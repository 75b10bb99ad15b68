"""Former home of the contracts, kept for imports written before the split: import from
``custodes.events`` (or its modules) instead."""

from custodes.events.common import Requester
from custodes.events.decision import PolicyDecision, PolicyReason
from custodes.events.images import MAX_IMAGE_BYTES, FaceImage
from custodes.events.recognition import RecognitionRequest
from custodes.events.sim import Consent, IdDocument, Outlet, SimRegistrationEvent

__all__ = [
    "MAX_IMAGE_BYTES",
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
