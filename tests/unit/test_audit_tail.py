"""Rendering audit records for people, and where tail looks for the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from custodes.audit.records import AuditRecord
from custodes.audit.tail import ledger_url, render_records
from custodes.settings import Settings


def _render(*records: AuditRecord) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_records(records))
    return console.export_text()


def test_render_shows_decision_score_and_first_reason() -> None:
    record = AuditRecord(
        kind="recognition_result",
        event_id="evt-9",
        event_type="sim_registration",
        event_time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        service="custodes.recognition",
        jurisdiction="KE",
        use_case="sim_registration",
        allowed=False,
        outcome="denied",
        score=0.41,
        threshold=0.6,
        reasons=[{"code": "no_consent", "requirement": "R-3"}, {"code": "other"}],
    )
    text = _render(record)
    for expected in ("2026-01-02 03:04:05", "evt-9", "KE", "denied", "0.410 < 0.600", "no_consent (R-3) +1"):
        assert expected in text


def test_render_of_no_records_is_an_empty_table() -> None:
    assert "custodes audit ledger" in _render()


def test_ledger_url_uses_loopback_for_wildcard_hosts() -> None:
    settings = Settings(ledger={"host": "0.0.0.0", "port": 1234})
    assert ledger_url(settings) == "http://127.0.0.1:1234"
