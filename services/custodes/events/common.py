"""Parts shared by several events: who asks, and the case that justifies the asking."""

from __future__ import annotations

from pydantic import Field

from custodes.events.base import ContractModel, Reference, WholeNumber
from custodes.events.vocabulary import SLUG_PATTERN, RequesterType

__all__ = ["Case", "Offence", "Requester"]


class Requester(ContractModel):
    """The organisation that asks for the processing, and what kind of organisation it is."""

    org: str = Field(min_length=1, max_length=256, description="organisation asking for the processing",
                     examples=["safaricom", "metropolitan-police"])
    type: RequesterType = Field(description="kind of requester", examples=["telecom_operator"])


class Offence(ContractModel):
    """The offence a search is tied to (EU-01, EU-16)."""

    category: str = Field(
        min_length=1, max_length=64, pattern=SLUG_PATTERN,
        description="offence slug; the EU AI Act Annex II categories are vocabulary.ANNEX_II_OFFENCES, "
                    "anything else (fraud, shoplifting) is not an Annex II offence",
        examples=["terrorism", "kidnapping_or_hostage_taking", "fraud"],
    )
    max_sentence_years: WholeNumber = Field(
        ge=0, le=200, description="maximum custodial sentence in years (EU-01: >= 4)", examples=[10])


class Case(ContractModel):
    """The case file where the necessity of the processing is documented (EU-19)."""

    ref: Reference = Field(description="case file reference", examples=["MPS-2026-004711"])
    offence: Offence | None = Field(None, description="the offence the case is about, if any")
