"""Policy decisions: what the gate learned from OPA (or, failing closed, from OPA's absence)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from custodes.events.base import ContractModel, Message, Reference, Timestamp
from custodes.events.versioning import Contract
from custodes.events.vocabulary import UseCase

__all__ = ["POLICY_DECISION", "PolicyDecision", "PolicyReason"]


class PolicyReason(ContractModel):
    """Why a decision went the way it did, with the requirement and the law it rests on."""

    code: str = Field(min_length=1, max_length=128, description="machine-readable reason",
                      examples=["missing_legal_mandate"])
    requirement: str = Field(max_length=64, description="requirement id of REQUIREMENTS.md", examples=["EU-17"])
    legal_ref: str = Field(max_length=1024, description="the legal text cited", examples=["GDPR Art 9(2)"])
    message: str = Field(max_length=4096, description="the reason in words")


class PolicyDecision(Message):
    """One decision of the policy engine about one event; ``allow`` is false unless OPA said true."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    allow: bool = Field(description="whether the processing may go ahead")
    decision_id: Reference = Field(description="id of the decision (OPA's, or derived when failing closed)")
    policy_revision: str = Field(max_length=512, description="revision of the policy bundle that decided",
                                 examples=["custodes@2026.03.1"])
    jurisdictions: list[Annotated[str, Field(max_length=64)]] = Field(
        [], max_length=16, description="the jurisdiction layers that applied, most local first",
        examples=[["US-OR-portland", "US-OR", "US"]])
    use_case: UseCase | None = Field(None, description="the use case the decision is about")
    obligations: dict[str, Any] = Field({}, description="what the allowed processing must respect",
                                        examples=[{"max_fmr": 0.001, "retention_days": 30}])
    reasons: list[PolicyReason] = Field(min_length=1, max_length=64, description="why; at least one")
    decided_at: Timestamp = Field(description="when the decision was made")


POLICY_DECISION: Contract[PolicyDecision] = Contract("policy_decision", (PolicyDecision,))
