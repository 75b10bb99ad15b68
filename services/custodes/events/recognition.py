"""Recognition requests (gate → recognition) and recognition results (recognition → consumers)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from custodes.events.base import (
    ContractModel,
    EventId,
    Message,
    Pseudonym,
    Reference,
    Sha256Hex,
    Timestamp,
    WholeNumber,
)
from custodes.events.decision import POLICY_DECISION, PolicyDecision
from custodes.events.sim import SIM_REGISTRATION, SimRegistrationEvent
from custodes.events.versioning import Contract
from custodes.events.vocabulary import UseCase

__all__ = [
    "RECOGNITION_REQUEST",
    "RECOGNITION_RESULT",
    "Candidate",
    "ModelReference",
    "RecognitionRequest",
    "RecognitionResult",
]


class RecognitionRequest(Message):
    """Allowed work the gate hands to the recognition service, with the decision that allowed it.

    The nested event and decision may be of any version their contracts read (an older
    gate may still be running); they are upcast to the current models.
    """

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event: Annotated[SimRegistrationEvent, SIM_REGISTRATION.as_field()] = Field(description="the event to process")
    decision: Annotated[PolicyDecision, POLICY_DECISION.as_field()] = Field(
        description="the decision that allowed it, with its obligations")


class ModelReference(ContractModel):
    """Which face model produced a result."""

    id: str = Field(min_length=1, max_length=128, examples=["mobilefacenet-faceplugin"])
    version: str = Field(min_length=1, max_length=64, examples=["0.0.1"])
    sha256: Sha256Hex = Field(description="digest of the exact set of model files")
    licence: str = Field(max_length=128, description="SPDX id or licence statement", examples=["MIT"])


class Candidate(ContractModel):
    """One watchlist entry above the threshold of a 1:N search: a lead, never an action (EU-05)."""

    rank: WholeNumber = Field(ge=1, le=1000, description="1 is the best-scoring candidate")
    watchlist_id: Reference
    subject_ref: Pseudonym = Field(description="keyed pseudonym of the enrolled person")
    score: float = Field(ge=-1, le=1, description="similarity score")


class RecognitionResult(Message):
    """The outcome of one allowed comparison or search: scores and hashes, never templates or images."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event_id: EventId = Field(description="the event that was processed")
    decision_id: Reference = Field(description="the decision that allowed it")
    use_case: UseCase = Field(examples=["sim_registration_verification"])
    outcome: Literal["match", "no_match", "leads", "no_leads", "error"] = Field(
        description="1:1 match/no_match, 1:N leads/no_leads, or error (see error_code)", examples=["match"])
    error_code: str | None = Field(None, max_length=64, description="why there is no result",
                                   examples=["uncalibrated_operating_point"])
    score: float | None = Field(None, ge=-1, le=1, description="1:1 similarity score")
    threshold: float | None = Field(None, ge=-1, le=1, description="the threshold the score was compared with")
    max_fmr: float | None = Field(None, ge=0, le=1,
                                  description="false-match (1:1) or false-positive (1:N) rate asked for")
    operating_point_fmr: float | None = Field(None, ge=0, le=1,
                                              description="calibrated rate whose threshold was applied")
    model: ModelReference | None = Field(None, description="the model that produced the result")
    input_sha256: list[Sha256Hex] = Field([], max_length=16, description="SHA-256 of each input image")
    candidates: list[Candidate] = Field([], max_length=100, description="1:N leads, best first")
    completed_at: Timestamp = Field(description="when the result was produced")


RECOGNITION_REQUEST: Contract[RecognitionRequest] = Contract("recognition_request", (RecognitionRequest,))
RECOGNITION_RESULT: Contract[RecognitionResult] = Contract("recognition_result", (RecognitionResult,))
