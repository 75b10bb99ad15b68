"""AuditRecord: what the ledger accepts, and the biometric payloads it refuses."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

import custodes.audit as audit
from custodes.audit.records import RECORD_NAMESPACE, AuditRecord, make_record_id

SHA = "ab" * 32


def _record(**overrides: Any) -> AuditRecord:
    data: dict[str, Any] = {
        "kind": "recognition_result",
        "event_id": "evt-1",
        "event_type": "sim_registration",
        "event_time": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "service": "custodes.recognition",
        "jurisdiction": "KE",
        "use_case": "sim_registration",
        "allowed": True,
        "reasons": [{"code": "ok", "requirement": "R-1", "legal_ref": "DPA s.30", "message": "consent given"}],
        "outcome": "match",
        "score": 0.71,
        "threshold": 0.6,
        "max_fmr": 1e-4,
        "input_sha256": [SHA, SHA],
        "details": {"image_sha256": SHA, "face_count": 1, "embedding_dim": 128},
    }
    data.update(overrides)
    return AuditRecord.model_validate(data)


def test_record_id_is_derived_deterministically_from_event_and_kind() -> None:
    a, b = _record(), _record(score=0.9)
    assert a.record_id == b.record_id == make_record_id("evt-1", "recognition_result")
    assert _record(kind="policy_decision").record_id != a.record_id


def test_explicit_record_id_is_kept() -> None:
    assert _record(record_id="r-42").record_id == "r-42"


def test_times_are_normalised_to_utc_and_naive_times_refused() -> None:
    record = _record(event_time=datetime(2026, 1, 2, 6, 4, 5, tzinfo=timezone(timedelta(hours=3))))
    assert record.event_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert record.event_time.tzinfo == UTC
    with pytest.raises(ValidationError):
        _record(event_time=datetime(2026, 1, 2, 3, 4, 5))


def test_record_is_frozen_and_round_trips_through_json() -> None:
    record = _record()
    with pytest.raises(ValidationError):
        record.score = 0.1  # type: ignore[misc]
    assert AuditRecord.model_validate_json(record.model_dump_json()) == record


def test_unknown_kind_and_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        _record(kind="other")
    with pytest.raises(ValidationError):
        _record(surprise=1)


def test_reasons_must_have_a_code_and_only_known_keys() -> None:
    with pytest.raises(ValidationError, match="no 'code'"):
        _record(reasons=[{"message": "x"}])
    with pytest.raises(ValidationError, match="unknown keys"):
        _record(reasons=[{"code": "x", "photo": "y"}])


@pytest.mark.parametrize(
    "details",
    [
        {"image": "abc"},
        {"probeImage": "abc"},
        {"face_crop": "abc"},
        {"embedding": [0.1, 0.2]},
        {"nested": {"template": "x"}},
        {"list": [{"photos": []}]},
        {"blob": "x"},
        {"anything": [0.01] * 128},
        {"anything": [[0.5] * 512]},
        {"anything": base64.b64encode(b"\xff\xd8\xff" + bytes(2000)).decode()},
        {"anything": "data:image/jpeg;base64,/9j/4AAQ"},
    ],
)
def test_biometric_payloads_are_refused(details: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="biometric payload refused"):
        _record(details=details)


def test_biometric_payload_refused_in_obligations_too() -> None:
    with pytest.raises(ValidationError, match=r"obligations\.retain\.image"):
        _record(obligations={"retain": {"image": "..."}})


def test_input_hashes_must_be_sha256_hex() -> None:
    with pytest.raises(ValidationError, match="never images"):
        _record(input_sha256=[base64.b64encode(bytes(64)).decode()])
    with pytest.raises(ValidationError):
        _record(model_sha256="not-a-hash")


def test_flags_and_numbers_about_images_are_accepted() -> None:
    record = _record(obligations={"retain_images": False, "face_match_required": True, "faces": 1})
    assert record.obligations["retain_images"] is False


def test_hash_and_count_keys_about_images_are_accepted() -> None:
    record = _record(details={"image_sha256": SHA, "faces_detected": 2, "template_version": "v1", "note": "x" * 600 + " ok"})
    assert record.details["faces_detected"] == 2


def test_oversized_record_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most"):
        _record(details={f"k{i}": "word " * 100 for i in range(200)})


def test_package_exports_are_sorted_and_importable() -> None:
    assert audit.__all__ == sorted(audit.__all__)
    for name in audit.__all__:
        assert getattr(audit, name) is not None


def test_trusted_json_is_the_validated_record_as_json() -> None:
    fields = dict(kind="policy_decision", event_id="evt-9", event_type="sim_registration",
                  event_time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), service="custodes.gate", jurisdiction="KE",
                  allowed=False, reasons=[{"code": "x", "requirement": "KE-01", "legal_ref": "r", "message": "m"}],
                  obligations={"review_quorum": 2}, outcome="denied", input_sha256=["ab" * 32],
                  details={"policy_input": {"request": {"id": "evt-9", "time": "2026-01-02T03:04:05Z"}}})
    fast = AuditRecord.model_validate_json(AuditRecord.trusted_json(**fields))
    slow = AuditRecord.model_validate(fields)
    assert fast.record_id == make_record_id("evt-9", "policy_decision")
    assert fast.model_dump(exclude={"recorded_at"}) == slow.model_dump(exclude={"recorded_at"})
    assert list(json.loads(AuditRecord.trusted_json(**fields))) == list(AuditRecord.model_fields)  # every field
    assert abs((fast.recorded_at - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize("event_id", ["evt-1", "", "é-ünïcode", "x" * 300, "a\x1fb"])
@pytest.mark.parametrize("kind", ["policy_decision", "recognition_result"])
def test_record_id_is_uuid5_of_event_and_kind(event_id: str, kind: str) -> None:
    assert make_record_id(event_id, kind) == str(uuid.uuid5(RECORD_NAMESPACE, f"{event_id}\x1f{kind}"))
