"""One valid example payload (decoded JSON) of every contract version in ``registry.SCHEMAS``.

For documents (AsyncAPI), tests and fuzzing. Images are a tiny generated picture without
a face: the examples pass every contract check, never the detector.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import Any

from PIL import Image

from custodes.audit.records import AuditRecord

__all__ = ["example_payload", "tiny_image"]

_WHEN = "2026-03-01T10:15:02Z"
_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@cache
def tiny_image(media_type: str = "image/jpeg") -> bytes:
    """A 32x32 grey picture encoded as ``media_type`` (image/jpeg or image/png)."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (128, 128, 128)).save(buffer, "PNG" if media_type == "image/png" else "JPEG")
    return buffer.getvalue()


def _by_value(media_type: str = "image/jpeg") -> dict[str, str]:
    return {"media_type": media_type, "data": base64.b64encode(tiny_image(media_type)).decode()}


def _sim(version: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "schema_version": version,
        "event_type": "sim_registration",
        "event_id": "evt-sim-0001",
        "occurred_at": _WHEN,
        "jurisdiction": "KE",
        "operator": {"org": "safaricom", "type": "telecom_operator"},
        "outlet": {"id": "outlet-nbo-017", "site_type": "telecom_outlet"},
        "subscriber_ref": "sub-7f3a9c",
        "subject_age": 34,
        "selfie": _by_value(),
        "id_document": {"document_type": "national_id", "portrait": _by_value("image/png")},
        "consent": {"kind": "explicit", "id": "consent-88121"},
        "legal_mandate": "KE-SIM-REGISTRATION-REGULATIONS",
        "alternative_offered": False,
    }
    if version != "1.0":
        payload["consent"] |= {"recorded_at": _WHEN, "notice_ref": "notice-sim-v3", "by_guardian": False}
        payload["liveness"] = {"method": "passive", "result": "bona_fide", "score": 0.97,
                               "detector": "vendor-pad-2.3", "evaluation_ref": "pad-eval-2025-11",
                               "checked_at": _WHEN}
    return payload


def _decision() -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "allow": True,
        "decision_id": "dec-0001",
        "policy_revision": "custodes@2026.03.1",
        "jurisdictions": ["KE"],
        "use_case": "sim_registration_verification",
        "obligations": {"max_fmr": 0.001, "retention_days": 30},
        "reasons": [{"code": "legal_mandate", "requirement": "KE-01", "legal_ref": "KE SIM registration regulations",
                     "message": "SIM registration under a legal mandate"}],
        "decided_at": _WHEN,
    }


def _camera() -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "event_type": "camera_face",
        "event_id": "evt-cam-0001",
        "occurred_at": _WHEN,
        "jurisdiction": "GB",
        "camera": {"id": "cam-kx-017", "site_type": "transport", "signage": True,
                   "location": {"latitude": 51.5308, "longitude": -0.1238, "area": "kings-cross-concourse"}},
        "requester": {"org": "metropolitan-police", "type": "law_enforcement"},
        "use_case": "live_identification",
        "purpose": "victim_or_missing_person_search",
        "image_kind": "face_crop",
        "image": {"uri": "s3://custodes-evidence/cam-kx-017/0001.jpg", "sha256": _SHA, "media_type": "image/jpeg"},
        "case": {"ref": "MPS-2026-004711", "offence": {"category": "kidnapping_or_hostage_taking",
                                                       "max_sentence_years": 20}},
        "authorisation_ref": "AUTH-2026-0042",
        "deployment_id": "dep-kx-2026-03",
        "watchlist_id": "wl-missing-0007",
        "exigent": False,
    }


def _watchlist() -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "event_type": "watchlist_enrolment",
        "event_id": "evt-wl-0001",
        "occurred_at": _WHEN,
        "jurisdiction": "GB",
        "requester": {"org": "metropolitan-police", "type": "law_enforcement"},
        "purpose": "victim_or_missing_person_search",
        "watchlist_id": "wl-missing-0007",
        "subject_ref": "subj-19c2",
        "category": "missing_person",
        "legal_basis": "common law policing powers",
        "image_source": "provided_by_family",
        "approved_by": "officer-5521",
        "image": _by_value(),
        "case": {"ref": "MPS-2026-004711"},
        "expires_at": "2026-04-01T00:00:00Z",
    }


def _review() -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "event_type": "review_verdict",
        "event_id": "evt-rev-0001",
        "occurred_at": _WHEN,
        "jurisdiction": "GB",
        "lead_id": "lead-2026-000981",
        "subject_event_id": "evt-cam-0001",
        "decision_id": "dec-0002",
        "reviewer": {"id": "rev-77", "organisation": "metropolitan-police", "competence": "trained_frs_operator"},
        "verdict": "confirmed",
        "time_on_task_s": 42.5,
    }


def _result() -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "event_id": "evt-sim-0001",
        "decision_id": "dec-0001",
        "use_case": "sim_registration_verification",
        "outcome": "match",
        "score": 0.71,
        "threshold": 0.42,
        "max_fmr": 0.001,
        "operating_point_fmr": 0.001,
        "model": {"id": "mobilefacenet-faceplugin", "version": "0.0.1", "sha256": _SHA, "licence": "unstated"},
        "input_sha256": [_SHA, _SHA],
        "candidates": [],
        "completed_at": _WHEN,
    }


def _audit_record() -> dict[str, Any]:
    record = AuditRecord(kind="policy_decision", event_id="evt-sim-0001", event_type="sim_registration",
                         event_time=_WHEN, recorded_at=_WHEN, service="custodes.gate", jurisdiction="KE",
                         use_case="sim_registration_verification", decision_id="dec-0001", allowed=True,
                         reasons=[{"code": "legal_mandate", "requirement": "KE-01"}], input_sha256=[_SHA, _SHA])
    return record.model_dump(mode="json")


def example_payload(name: str, version: str) -> dict[str, Any]:
    """A fresh, valid payload of contract ``name`` at ``version``."""
    builders = {
        ("camera_face", "1.0"): _camera,
        ("sim_registration", "1.0"): lambda: _sim("1.0"),
        ("sim_registration", "1.1"): lambda: _sim("1.1"),
        ("watchlist_enrolment", "1.0"): _watchlist,
        ("review_verdict", "1.0"): _review,
        ("policy_decision", "1.0"): _decision,
        ("recognition_request", "1.0"): lambda: {"schema_version": "1.0", "event": _sim("1.1"),
                                                 "decision": _decision()},
        ("identification_request", "1.0"): lambda: {"schema_version": "1.0", "event": _camera(),
                                                    "decision": _decision() | {
                                                        "jurisdictions": ["GB"], "use_case": "live_identification",
                                                        "obligations": {"max_fpir": 0.001, "retain_days": 30}}},
        ("recognition_result", "1.0"): _result,
        ("audit_record", "1.0"): _audit_record,
    }
    try:
        return builders[(name, version)]()
    except KeyError:
        raise LookupError(f"no example of {name} {version}") from None
