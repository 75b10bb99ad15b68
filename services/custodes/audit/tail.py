"""Reading the ledger for people: ``custodes audit tail``.

Contract: :func:`fetch_recent` asks the running ledger over HTTP; when nothing answers
there it opens the store itself (possible only while no ledger holds it). When neither
works it raises :class:`AuditStoreError` saying both what failed and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from pydantic import TypeAdapter
from rich.table import Table
from rich.text import Text

from custodes.audit.records import AuditRecord
from custodes.audit.store import AuditStoreError, open_store
from custodes.settings import Settings

__all__ = ["fetch_recent", "ledger_url", "render_records"]

HTTP_TIMEOUT_S = 3.0
_RECORDS = TypeAdapter(list[AuditRecord])


def ledger_url(settings: Settings) -> str:
    """Base URL of the ledger's read API."""
    host = settings.ledger.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.ledger.port}"


def fetch_recent(settings: Settings, limit: int = 50, event_id: str | None = None) -> list[AuditRecord]:
    """The newest ``limit`` records (newest first), from the ledger if it runs, else from the store."""
    url = ledger_url(settings)
    params: dict[str, str | int] = {"limit": limit}
    if event_id is not None:
        params["event_id"] = event_id
    try:
        response = httpx.get(f"{url}/v1/records", params=params, timeout=HTTP_TIMEOUT_S)
    except httpx.TransportError as ex:
        http_failure = f"the ledger at {url} did not answer ({type(ex).__name__})"
    else:
        if response.is_success:
            return _RECORDS.validate_json(response.content)
        http_failure = f"the ledger at {url} answered {response.status_code}: {response.text[:500]}"
    try:
        with open_store(settings) as store:
            return store.recent(limit, event_id=event_id)
    except AuditStoreError as ex:
        raise AuditStoreError(f"{http_failure}; and {ex}") from ex


def _allowed_outcome(record: AuditRecord) -> Text:
    allowed = {True: Text("allowed", "green"), False: Text("denied", "red"), None: Text("—", "dim")}[record.allowed]
    if record.outcome:
        style = "red" if record.outcome.startswith(("error", "denied")) else "bold"
        allowed = Text.assemble(allowed, " / ", Text(record.outcome, style))
    return allowed


def _score(record: AuditRecord) -> str:
    if record.score is None:
        return ""
    if record.threshold is None:
        return f"{record.score:.3f}"
    sign = "≥" if record.score >= record.threshold else "<"
    return f"{record.score:.3f} {sign} {record.threshold:.3f}"


def _reason(record: AuditRecord) -> str:
    if not record.reasons:
        return ""
    first = record.reasons[0]
    text = first.get("code", "")
    if first.get("requirement"):
        text += f" ({first['requirement']})"
    if len(record.reasons) > 1:
        text += f" +{len(record.reasons) - 1}"
    return text


def render_records(records: Sequence[AuditRecord]) -> Table:
    """A rich table of records, one row each, in the order given."""
    table = Table(title="custodes audit ledger", show_lines=False)
    for name in ("time (UTC)", "event", "kind", "jurisdiction", "use case", "allowed / outcome", "score", "reason"):
        table.add_column(name, overflow="fold")
    for r in records:
        table.add_row(
            r.event_time.strftime("%Y-%m-%d %H:%M:%S"),
            f"{r.event_type} {r.event_id}",
            r.kind,
            r.jurisdiction,
            r.use_case,
            _allowed_outcome(r),
            _score(r),
            _reason(r),
        )
    return table
