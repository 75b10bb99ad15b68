"""Wire contracts of the events custodes consumes and emits.

Every model is frozen and forbids unknown fields. Images travel by value as base64 in
JSON (``FaceImage.data``); they never reach the audit ledger or a log line — only their
sha256 does. The vocabulary is that of REQUIREMENTS.md section 1.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Base64Bytes, BaseModel, ConfigDict, Field

RequesterType = Literal[
    "law_enforcement", "public_authority", "city_bureau", "telecom_operator", "private", "employer"
]
SiteType = Literal[
    "public_space", "transport", "retail", "workplace", "education", "telecom_outlet", "border",
    "private_premises", "hotel_room", "bath", "changing_room", "toilet",
]
ConsentKind = Literal["explicit", "written", "separate"]
DocumentType = Literal["national_id", "passport", "driving_licence", "residence_permit"]

MAX_IMAGE_BYTES = 4 * 1024 * 1024


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FaceImage(_Frozen):
    """An image carried by value. ``data`` is base64 on the wire, raw bytes in code."""

    media_type: Literal["image/jpeg", "image/png"] = Field(description="encoding of data")
    data: Base64Bytes = Field(description="the image, base64-encoded", max_length=MAX_IMAGE_BYTES, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class Requester(_Frozen):
    org: str = Field(min_length=1, description="organisation asking for the processing", examples=["safaricom"])
    type: RequesterType = Field(description="kind of requester", examples=["telecom_operator"])


class Outlet(_Frozen):
    id: str = Field(min_length=1, description="the SIM outlet (shop, kiosk or app)", examples=["outlet-nbo-017"])
    site_type: SiteType = Field("telecom_outlet", description="kind of place")


class Consent(_Frozen):
    kind: ConsentKind | None = Field(None, description="explicit, written or separate consent, if any")
    id: str | None = Field(None, description="reference of the consent record")


class IdDocument(_Frozen):
    document_type: DocumentType = Field(description="kind of identity document")
    portrait: FaceImage = Field(description="the portrait photo on the document")


class SimRegistrationEvent(_Frozen):
    """A buyer registers a SIM card: selfie vs ID-document portrait, 1:1."""

    schema_version: Literal["1.0"] = "1.0"
    event_type: Literal["sim_registration"] = "sim_registration"
    event_id: str = Field(min_length=1, max_length=128, description="unique per event; the idempotency key")
    occurred_at: AwareDatetime = Field(description="capture time; the law of this moment applies")
    jurisdiction: str = Field(min_length=2, max_length=64, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3}(-[a-z_]+)?)?$",
                              examples=["KE", "US-IL", "US-OR-portland"])
    operator: Requester = Field(description="the telecom operator")
    outlet: Outlet
    subscriber_ref: str = Field(min_length=1, description="keyed pseudonym of the subscriber, never a name")
    subject_age: int | None = Field(None, ge=0, le=130)
    selfie: FaceImage = Field(description="live capture of the buyer")
    id_document: IdDocument
    consent: Consent = Consent()
    legal_mandate: str | None = Field(None, description="reference of the law or licence condition that mandates the check")
    alternative_offered: bool = False


class PolicyReason(_Frozen):
    code: str
    requirement: str
    legal_ref: str
    message: str


class PolicyDecision(_Frozen):
    """What the gate learned from OPA (or, fail-closed, from OPA's absence)."""

    allow: bool
    decision_id: str
    policy_revision: str
    jurisdictions: list[str] = []
    use_case: str | None = None
    obligations: dict = {}
    reasons: list[PolicyReason] = Field(min_length=1)
    decided_at: datetime


class RecognitionRequest(_Frozen):
    """Allowed work the gate hands to the recognition service, with the decision that allowed it."""

    event: SimRegistrationEvent
    decision: PolicyDecision
