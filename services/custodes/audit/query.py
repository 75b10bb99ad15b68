"""Reading the audited policy decisions of a period (for what-if replay).

Contract: :func:`policy_decisions` returns the ``policy_decision`` records whose event
time lies in ``[since, until)``, optionally of some jurisdictions, newest first. Like
``custodes audit tail`` it asks the running ledger over HTTP and, when nothing answers
there, opens the store itself; when neither works it raises :class:`AuditStoreError`
saying both. ``truncated`` is true when the period holds more records than were read
(the ledger's read API returns at most :data:`LEDGER_API_MAX` per call, the store
``limit``): then only the newest are returned, and the caller should narrow the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import TypeAdapter, ValidationError

from custodes.audit.records import AuditRecord
from custodes.audit.store import AuditStoreError, open_store
from custodes.audit.tail import HTTP_TIMEOUT_S, ledger_url
from custodes.settings import Settings

__all__ = ["LEDGER_API_MAX", "DecisionWindow", "policy_decisions"]

LEDGER_API_MAX = 10_000
_RECORDS = TypeAdapter(list[AuditRecord])


@dataclass(frozen=True)
class DecisionWindow:
    """The decision records of a period, and where they came from."""

    records: list[AuditRecord]
    source: str
    truncated: bool


def _wanted(record: AuditRecord, until: datetime | None, jurisdictions: frozenset[str]) -> bool:
    return (record.kind == "policy_decision" and (until is None or record.event_time < until)
            and (not jurisdictions or record.jurisdiction in jurisdictions))


def policy_decisions(settings: Settings, since: datetime, until: datetime | None = None,
                     jurisdictions: Sequence[str] = (), limit: int = 1_000_000,
                     http: httpx.Client | None = None) -> DecisionWindow:
    """The audited policy decisions of ``[since, until)``; see the module contract."""
    since, until = since.astimezone(UTC), until.astimezone(UTC) if until else None
    wanted = frozenset(jurisdictions)
    url = ledger_url(settings)
    cap = min(limit, LEDGER_API_MAX)
    client = http or httpx.Client(timeout=HTTP_TIMEOUT_S)
    try:
        params: dict[str, object] = {"since": since.isoformat(), "limit": cap, "kind": "policy_decision"}
        if until is not None:
            params["until"] = until.isoformat()
        if wanted:
            params["jurisdiction"] = sorted(wanted)
        response = client.get(f"{url}/v1/records", params=params)
    except httpx.TransportError as exc:
        http_failure = f"the ledger at {url} did not answer ({type(exc).__name__})"
    else:
        if response.is_success:
            try:
                records = _RECORDS.validate_json(response.content)
            except ValidationError as exc:
                raise AuditStoreError(f"the ledger at {url} answered records that are not valid: {exc}") from exc
            return DecisionWindow([r for r in records if _wanted(r, until, wanted)], f"ledger {url}", len(records) >= cap)
        http_failure = f"the ledger at {url} answered {response.status_code}: {response.text[:500]}"
    finally:
        if http is None:
            client.close()
    try:
        with open_store(settings) as store:
            records = store.recent(limit, since=since, until=until, kind="policy_decision", jurisdictions=sorted(wanted))
            return DecisionWindow(records, f"store {store.location}", len(records) >= limit)
    except AuditStoreError as exc:
        raise AuditStoreError(f"{http_failure}; and {exc}") from exc
