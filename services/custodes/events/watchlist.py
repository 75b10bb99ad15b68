"""Watchlist enrolments: a face added to a gallery used for 1:N search (EU-10, GB-01)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from custodes.events.base import EventId, Jurisdiction, Message, Pseudonym, Reference, Timestamp
from custodes.events.common import Case, Requester
from custodes.events.images import AnyImage
from custodes.events.versioning import Contract
from custodes.events.vocabulary import ImageSource, Purpose, WatchlistCategory

__all__ = ["WATCHLIST_ENROLMENT", "WatchlistEnrolment"]


class WatchlistEnrolment(Message):
    """A request to add one face to one watchlist, with the grounds for it."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event_type: Literal["watchlist_enrolment"] = Field("watchlist_enrolment", description="what kind of event this is")
    event_id: EventId
    occurred_at: Timestamp = Field(description="when the enrolment was requested; the law of this moment applies")
    jurisdiction: Jurisdiction
    requester: Requester = Field(description="the organisation that keeps the watchlist")
    purpose: Purpose = Field(description="what searches of this entry are for",
                             examples=["victim_or_missing_person_search"])
    watchlist_id: Reference = Field(description="the watchlist", examples=["wl-missing-0007"])
    subject_ref: Pseudonym = Field(description="keyed pseudonym of the enrolled person")
    category: WatchlistCategory = Field(description="why the person is on the list (GB-01)",
                                        examples=["missing_person"])
    legal_basis: Reference = Field(description="the law under which the person is enrolled",
                                   examples=["PACE 1984 s.64A"])
    image_source: ImageSource = Field(description="where the image came from (EU-10, US-TX-01)",
                                      examples=["custody_record"])
    approved_by: Pseudonym = Field(description="the authorising officer (GB-01)")
    image: AnyImage = Field(description="the reference image, by value or by reference with its SHA-256")
    case: Case | None = Field(None, description="the case the enrolment serves, if any")
    expires_at: Timestamp | None = Field(None, description="when the entry must be removed")


WATCHLIST_ENROLMENT: Contract[WatchlistEnrolment] = Contract("watchlist_enrolment", (WatchlistEnrolment,))
