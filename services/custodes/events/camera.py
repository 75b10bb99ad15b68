"""Camera face events: a face crop or a frame from a camera, with who asks and why (1:N)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from custodes.events.base import ContractModel, EventId, Jurisdiction, Message, Reference, Timestamp
from custodes.events.common import Case, Requester
from custodes.events.images import AnyImage
from custodes.events.versioning import Contract
from custodes.events.vocabulary import Purpose, SiteType, UseCase

__all__ = ["CAMERA_FACE", "Camera", "CameraFaceEvent", "Location"]


class Location(ContractModel):
    """Where a camera is."""

    latitude: float = Field(ge=-90, le=90, description="WGS 84 latitude", examples=[51.5308])
    longitude: float = Field(ge=-180, le=180, description="WGS 84 longitude", examples=[-0.1238])
    area: str | None = Field(None, min_length=1, max_length=128,
                             description="named area of the deployment (EU-02: limits of place)",
                             examples=["kings-cross-concourse"])


class Camera(ContractModel):
    """The camera that captured the image, and the place it watches."""

    id: str = Field(min_length=1, max_length=128, description="camera id", examples=["cam-kx-017"])
    site_type: SiteType = Field(description="kind of place the camera watches", examples=["transport"])
    location: Location
    signage: bool | None = Field(None, description="prominent signs announce face recognition here (CN-04)")


class CameraFaceEvent(Message):
    """A face seen by a camera, to be searched against a watchlist if a policy allows it."""

    schema_version: Literal["1.0"] = Field("1.0", description="version of this contract")
    event_type: Literal["camera_face"] = Field("camera_face", description="what kind of event this is")
    event_id: EventId
    occurred_at: Timestamp = Field(description="capture time; the law of this moment applies")
    jurisdiction: Jurisdiction
    camera: Camera
    requester: Requester = Field(description="the operator organisation that asks for the search")
    use_case: UseCase = Field(description="declared use case", examples=["live_identification"])
    purpose: Purpose = Field(description="declared purpose", examples=["victim_or_missing_person_search"])
    image_kind: Literal["face_crop", "frame"] = Field(description="a crop around one face, or a whole frame",
                                                      examples=["face_crop"])
    image: AnyImage = Field(description="the image, by value or by reference with its SHA-256")
    case: Case | None = Field(None, description="the case that justifies the search (EU-16, EU-19)")
    authorisation_ref: Reference | None = Field(
        None, description="the judicial or independent authorisation (EU-04, US-WA-03)", examples=["AUTH-2026-0042"])
    deployment_id: Reference | None = Field(
        None, description="the deployment record (FRIA, DPIA, registration: EU-03, EU-18, GB-05)",
        examples=["dep-kx-2026-03"])
    watchlist_id: Reference | None = Field(None, description="the watchlist to search", examples=["wl-missing-0007"])
    exigent: bool = Field(False, description="started under exigent circumstances (US-WA-03)")


CAMERA_FACE: Contract[CameraFaceEvent] = Contract("camera_face", (CameraFaceEvent,))
