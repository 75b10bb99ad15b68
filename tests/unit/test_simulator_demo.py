"""How `custodes demo` reads the ledger's verdict on a simulated event and compares it with the expectation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custodes.audit.records import AuditRecord
from custodes.cli.demo import QUEUED, Fate, as_expected, fate_of


def _record(kind: str, **fields: object) -> AuditRecord:
    return AuditRecord(kind=kind, event_id="sim-1-000001", event_type="sim_registration",
                       event_time=datetime(2026, 3, 1, tzinfo=UTC), service="test", **fields)


def _reason(code: str) -> dict[str, str]:
    return {"code": code, "requirement": "R", "legal_ref": "L", "message": "m"}


def test_no_final_record_means_no_fate_yet() -> None:
    assert fate_of([]) is None
    assert fate_of([_record("policy_decision", allowed=True, reasons=[_reason("use_enabled")])]) is None


def test_fates_from_result_denial_and_rejection() -> None:
    allowed = _record("policy_decision", allowed=True, reasons=[_reason("use_enabled")])
    assert fate_of([allowed, _record("recognition_result", allowed=True, outcome="no_match")]) == Fate("allowed",
                                                                                                        "no_match")
    denied = _record("policy_decision", allowed=False, outcome="denied",
                     reasons=[_reason("no_permitting_rule"), _reason("missing_legal_mandate")])
    assert fate_of([denied]) == Fate("denied", "missing_legal_mandate + no_permitting_rule")
    rejected = _record("event_rejected", outcome="error:invalid_json", reasons=[_reason("invalid_json")])
    assert fate_of([rejected]) == Fate("dead-lettered", "invalid_json")


def test_an_allowed_camera_face_ends_at_the_gate_until_1_to_n_recognition_exists() -> None:
    allowed = _record("policy_decision", allowed=True, reasons=[_reason("use_enabled")])
    camera = allowed.model_copy(update={"event_type": "camera_face"})
    assert fate_of([camera]) == Fate("allowed", QUEUED)
    assert as_expected("allow", fate_of([camera]))
    assert fate_of([allowed]) is None, "an allowed SIM registration ends at its recognition result"


@pytest.mark.parametrize(("expected", "fate", "agrees"), [
    ("allow:match", Fate("allowed", "match"), True),
    ("allow:match", Fate("allowed", "no_match"), False),
    ("allow", Fate("allowed", "leads"), True),
    ("deny:no_legal_basis", Fate("denied", "missing_legal_mandate"), True),
    ("deny:no_legal_basis", Fate("allowed", "match"), False),
    ("reject:invalid_json", Fate("dead-lettered", "invalid_json"), True),
    ("reject:invalid_json", Fate("dead-lettered", "wrong_type"), False),
    ("reject:invalid_json", Fate("denied", "x"), False),
])
def test_expectations_compare_with_fates(expected: str, fate: Fate, agrees: bool) -> None:
    assert as_expected(expected, fate) is agrees
