"""custodes.events — the wire contracts of everything custodes consumes and emits.

Modules: ``vocabulary`` (REQUIREMENTS.md section 1), ``base`` (model bases, field
types), ``images``, ``common``, one module per message (``camera``, ``sim``,
``watchlist``, ``review``, ``decision``, ``recognition``, ``identification``), ``versioning`` (how any
version is read), ``registry`` (all contracts), ``ingest`` (bytes -> model or
rejection), ``deadletter``, ``schema_export`` (``schemas/``), ``examples``.
"""

from custodes.events.camera import CAMERA_FACE, Camera, CameraFaceEvent, Location
from custodes.events.common import Case, Offence, Requester
from custodes.events.deadletter import RejectReason, Rejection, rejection_counts
from custodes.events.decision import POLICY_DECISION, PolicyDecision, PolicyReason
from custodes.events.identification import IDENTIFICATION_REQUEST, IdentificationRequest
from custodes.events.images import FaceImage, ImageReference
from custodes.events.recognition import (
    RECOGNITION_REQUEST,
    RECOGNITION_RESULT,
    Candidate,
    ModelReference,
    RecognitionRequest,
    RecognitionResult,
)
from custodes.events.review import REVIEW_VERDICT, Reviewer, ReviewVerdict
from custodes.events.sim import (
    SIM_REGISTRATION,
    Consent,
    IdDocument,
    LivenessEvidence,
    Outlet,
    SimRegistrationEvent,
    SimRegistrationEventV1_0,
)
from custodes.events.versioning import Contract, SchemaVersion
from custodes.events.watchlist import WATCHLIST_ENROLMENT, WatchlistEnrolment

__all__ = [
    "CAMERA_FACE",
    "IDENTIFICATION_REQUEST",
    "POLICY_DECISION",
    "RECOGNITION_REQUEST",
    "RECOGNITION_RESULT",
    "REVIEW_VERDICT",
    "SIM_REGISTRATION",
    "WATCHLIST_ENROLMENT",
    "Camera",
    "CameraFaceEvent",
    "Candidate",
    "Case",
    "Consent",
    "Contract",
    "FaceImage",
    "IdDocument",
    "IdentificationRequest",
    "ImageReference",
    "LivenessEvidence",
    "Location",
    "ModelReference",
    "Offence",
    "Outlet",
    "PolicyDecision",
    "PolicyReason",
    "RecognitionRequest",
    "RecognitionResult",
    "RejectReason",
    "Rejection",
    "Requester",
    "ReviewVerdict",
    "Reviewer",
    "SchemaVersion",
    "SimRegistrationEvent",
    "SimRegistrationEventV1_0",
    "WatchlistEnrolment",
    "rejection_counts",
]
