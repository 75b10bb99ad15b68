"""Builds SIM-registration events from real image files (demo, tests, simulator)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

from custodes.events.sim import SimRegistrationEvent


def _image(path: Path) -> dict:
    media = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
    return {"media_type": media, "data": base64.b64encode(path.read_bytes()).decode()}


def sim_event(event_id: str, selfie: Path, portrait: Path, *, jurisdiction: str = "KE",
              operator_org: str = "demo-telecom", operator_type: str = "telecom_operator",
              legal_mandate: str | None = "KE-SIM-REGISTRATION-REGULATIONS",
              occurred_at: datetime | None = None, outlet_id: str = "outlet-001",
              subscriber_ref: str | None = None) -> SimRegistrationEvent:
    return SimRegistrationEvent.model_validate({
        "event_id": event_id,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "jurisdiction": jurisdiction,
        "operator": {"org": operator_org, "type": operator_type},
        "outlet": {"id": outlet_id, "site_type": "telecom_outlet"},
        "subscriber_ref": subscriber_ref or f"sub-{event_id}",
        "selfie": _image(selfie),
        "id_document": {"document_type": "national_id", "portrait": _image(portrait)},
        "consent": {"kind": None, "id": None},
        "legal_mandate": legal_mandate,
    })
