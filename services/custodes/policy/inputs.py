"""How an event becomes the OPA input ``{"request": {...}}`` of the decision contract."""

from __future__ import annotations

from custodes.events import SimRegistrationEvent


def sim_registration_input(event: SimRegistrationEvent) -> dict:
    """The decision input for a SIM registration. Carries no image, only what the law asks about."""
    return {
        "request": {
            "id": event.event_id,
            "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
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
        }
    }
