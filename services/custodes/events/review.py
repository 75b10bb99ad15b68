"""Review verdicts: a person confirms or rejects a 1:N lead (EU-05, EU-06, US-WA-02)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from custodes.events.base import ContractModel, EventId, Jurisdiction, Message, Pseudonym, Reference, Timestamp
from custodes.events.versioning import Contract
from custodes.events.vocabulary import ReviewVerdictValue

__all__ = ["REVIEW_VERDICT", "ReviewVerdict", "Reviewer"]


class Reviewer(ContractModel):
    """Who reviewed, and the competence that entitles them to (EU-06)."""

    id: Pseudonym = Field(description="keyed pseudonym of the reviewer")
    organisation: str = Field(min_length=1, max_length=256, description="the reviewer's organisation",
                              examples=["metropolitan-police"])
    competence: str = Field(min_length=1, max_length=128, description="recorded competence of the reviewer",
                            examples=["trained_frs_operator"])


class ReviewVerdict(Message):
    """One reviewer's verdict on one lead; a lead becomes a hit only with the required quorum."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event_type: Literal["review_verdict"] = Field("review_verdict", description="what kind of event this is")
    event_id: EventId
    occurred_at: Timestamp = Field(description="when the verdict was given")
    jurisdiction: Jurisdiction
    lead_id: Reference = Field(description="the lead under review", examples=["lead-2026-000981"])
    subject_event_id: EventId = Field(description="the camera event that produced the lead")
    decision_id: Reference = Field(description="the policy decision that allowed the search")
    reviewer: Reviewer
    verdict: ReviewVerdictValue = Field(description="confirmed, rejected or inconclusive", examples=["confirmed"])
    time_on_task_s: float = Field(ge=0, le=86_400, description="seconds the reviewer spent on it (US-WA-02)",
                                  examples=[42.5])


REVIEW_VERDICT: Contract[ReviewVerdict] = Contract("review_verdict", (ReviewVerdict,))
