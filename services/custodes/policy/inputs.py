"""How an event becomes the OPA input ``{"request": {...}}`` of the decision contract (policies/README.md).

Every input carries every field of the contract (null where the event says nothing), no
image, and only what the law asks about.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from custodes.events import CameraFaceEvent, SimRegistrationEvent


class DeploymentLookup(Protocol):
    """Where deployment records are found (``custodes.policy.registry.RegistryMirror``)."""

    def deployment(self, deployment_id: str | None) -> dict | None: ...


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sim_registration_input(event: SimRegistrationEvent) -> dict:
    """The decision input for a SIM registration (1:1)."""
    return {
        "request": {
            "id": event.event_id,
            "time": rfc3339(event.occurred_at),
            "jurisdiction": event.jurisdiction,
            "use_case": "sim_registration_verification",
            "purpose": "sim_registration",
            "requester": {"org": event.operator.org, "type": event.operator.type},
            "site": {"type": event.outlet.site_type, "camera_id": None, "signage": None, "outlet_id": event.outlet.id},
            "subject": {
                "age": event.subject_age,
                "consent": {"kind": event.consent.kind, "id": event.consent.id},
            },
            "authorisation_id": None,
            "case": None,
            "source": None,
            "legal_mandate": event.legal_mandate,
            "alternative_offered": event.alternative_offered,
            "exigent": False,
            "deployment": None,
            "liveness": _liveness(event),
        }
    }


def _liveness(event: SimRegistrationEvent) -> dict | None:
    """What the law reads of the presentation-attack check (CN-01): its method and result; no
    score, detector or reference. Null when the event carries none."""
    if event.liveness is None:
        return None
    return {"method": event.liveness.method, "result": event.liveness.result}


def camera_face_input(event: CameraFaceEvent, registry: DeploymentLookup) -> dict:
    """The decision input for a camera face (1:N search of ``watchlist_id``).

    ``deployment`` is the full record ``registry`` holds for the event's ``deployment_id``
    (every field of the contract, null where the record has none), or null when the event
    names none or the registry does not know it — the packs deny wherever a use needs one.
    Nothing is known about the subject: age and consent are null, and no liveness check is made.
    """
    return {
        "request": {
            "id": event.event_id,
            "time": rfc3339(event.occurred_at),
            "jurisdiction": event.jurisdiction,
            "use_case": event.use_case,
            "purpose": event.purpose,
            "requester": {"org": event.requester.org, "type": event.requester.type},
            "site": {"type": event.camera.site_type, "camera_id": event.camera.id, "signage": event.camera.signage},
            "subject": {"age": None, "consent": {"kind": None, "id": None}},
            "authorisation_id": event.authorisation_ref,
            "case": None if event.case is None else event.case.model_dump(mode="json"),
            "source": None,
            "legal_mandate": None,
            "alternative_offered": False,
            "exigent": event.exigent,
            "deployment": registry.deployment(event.deployment_id),
            "liveness": None,
            "watchlist_id": event.watchlist_id,
        }
    }
