"""SIM-registration events: a buyer's selfie against the portrait on their ID document (1:1).

Versions: 1.0 (the foundation's), 1.1 (adds the consent record's details and liveness
evidence, all optional). ``SimRegistrationEvent`` is the current version; consumers read
both through ``SIM_REGISTRATION``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from custodes.events.base import (
    INTEGRAL_FLOAT_AS_INT,
    ContractModel,
    EventId,
    Jurisdiction,
    Message,
    Pseudonym,
    Reference,
    Timestamp,
)
from custodes.events.common import Requester
from custodes.events.images import FaceImage
from custodes.events.versioning import Contract
from custodes.events.vocabulary import ConsentKind, DocumentType, LivenessMethod, LivenessResult, SiteType

__all__ = [
    "SIM_REGISTRATION",
    "Consent",
    "ConsentV1_0",
    "IdDocument",
    "LivenessEvidence",
    "Outlet",
    "SimRegistrationEvent",
    "SimRegistrationEventV1_0",
]


class Outlet(ContractModel):
    """Where the SIM is sold: a shop, a kiosk or an app."""

    id: str = Field(min_length=1, max_length=128, description="the SIM outlet", examples=["outlet-nbo-017"])
    site_type: SiteType = Field("telecom_outlet", description="kind of place", examples=["telecom_outlet"])


class ConsentV1_0(ContractModel):
    """The subject's consent as version 1.0 states it."""

    kind: ConsentKind | None = Field(None, description="explicit, written or separate consent; none if absent",
                                     examples=["explicit"])
    id: Reference | None = Field(None, description="reference of the consent record", examples=["consent-88121"])


class Consent(ConsentV1_0):
    """The subject's consent record (1.1): what was consented to, when, and by whom."""

    recorded_at: Timestamp | None = Field(None, description="when the consent was given")
    notice_ref: Reference | None = Field(
        None, description="the written notice of purpose and retention the subject was given (US-IL-02)",
        examples=["notice-sim-v3"])
    by_guardian: bool | None = Field(None, description="given by a guardian for a subject under 14 (CN-02)")


class IdDocument(ContractModel):
    """The identity document presented at registration."""

    document_type: DocumentType = Field(description="kind of identity document", examples=["national_id"])
    portrait: FaceImage = Field(description="the portrait photo on the document")


class LivenessEvidence(ContractModel):
    """Presentation-attack detection on the selfie (ISO/IEC 30107-3)."""

    method: LivenessMethod = Field(description="passive (one image), active (challenge) or both",
                                   examples=["passive"])
    result: LivenessResult = Field(description="what the detector concluded", examples=["bona_fide"])
    score: float | None = Field(None, ge=0, le=1, description="bona-fide score in [0, 1], if the detector gives one")
    detector: str = Field(min_length=1, max_length=128, description="presentation-attack detector id and version",
                          examples=["vendor-pad-2.3"])
    evaluation_ref: Reference | None = Field(
        None, description="report of the detector's ISO/IEC 30107-3 evaluation (APCER, BPCER per attack type)")
    checked_at: Timestamp | None = Field(None, description="when the check ran")


class _SimRegistration(Message):
    schema_version: str
    event_type: Literal["sim_registration"] = Field("sim_registration", description="what kind of event this is")
    event_id: EventId
    occurred_at: Timestamp = Field(description="capture time; the law of this moment applies")
    jurisdiction: Jurisdiction
    operator: Requester = Field(description="the telecom operator")
    outlet: Outlet
    subscriber_ref: Pseudonym = Field(description="keyed pseudonym of the subscriber, never a name")
    subject_age: Annotated[int, Field(ge=0, le=130), INTEGRAL_FLOAT_AS_INT] | None = Field(
        None, description="age of the subject in years, if known")
    selfie: FaceImage = Field(description="live capture of the buyer")
    id_document: IdDocument
    consent: ConsentV1_0 = Field(ConsentV1_0(), description="the subject's consent, if any")
    legal_mandate: Reference | None = Field(
        None, description="the law or licence condition that mandates the check",
        examples=["KE-SIM-REGISTRATION-REGULATIONS"])
    alternative_offered: bool = Field(False, description="a method without face recognition was offered (CN-03)")


class SimRegistrationEventV1_0(_SimRegistration):
    """A buyer registers a SIM card: selfie vs ID-document portrait, 1:1 (version 1.0)."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")


class SimRegistrationEvent(_SimRegistration):
    """A buyer registers a SIM card: selfie vs ID-document portrait, 1:1."""

    schema_version: Literal["1.1"] = Field("1.1", description="version of this contract")
    consent: Consent = Field(Consent(), description="the subject's consent record, if any")
    liveness: LivenessEvidence | None = Field(None, description="presentation-attack check on the selfie")


SIM_REGISTRATION: Contract[SimRegistrationEvent] = Contract(
    "sim_registration", (SimRegistrationEventV1_0, SimRegistrationEvent)
)
