"""What-if replay: re-judge the audited decision inputs of a period with a candidate bundle.

Contract:
- :func:`replay` reads the ``policy_decision`` records of ``[since, until)`` through
  ``custodes.audit.query`` (the running ledger, else the store), evaluates each one's
  ``details.policy_input`` with the candidate bundle (``opa eval``, batched) and compares
  the candidate's decision with the one recorded.
- Every replayed record falls in exactly one :data:`CATEGORIES` entry, the first that
  applies: ``recorded_unavailable`` (the recorded decision was the fail-closed denial,
  so there is nothing to compare), ``allow_to_deny``, ``deny_to_allow``,
  ``obligations_changed`` (allowed both times, other obligations), ``reasons_changed``
  (same verdict, other reasons — by code, requirement and legal reference; message
  wording does not count), ``unchanged``. Records without ``policy_input`` (written
  before the gate audited it) are counted as skipped, never judged.
- Counts are grouped by the recorded (jurisdiction, use case); each group keeps up to
  ``examples`` examples (the newest) of every category but ``unchanged``.
- A candidate that leaves the decision undefined counts as a denial
  (``decision_undefined``), as the gate would fail closed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from custodes.audit.query import policy_decisions
from custodes.audit.records import AuditRecord
from custodes.policy.bundle import read_manifest
from custodes.policy.client import POLICY_UNAVAILABLE
from custodes.policy.evaluate import evaluate_many
from custodes.settings import Settings

__all__ = [
    "CATEGORIES", "Example", "GroupCounts", "Outcome", "ReplayReport", "compare", "parse_when", "render_report", "replay",
]

CATEGORIES = ("allow_to_deny", "deny_to_allow", "obligations_changed", "reasons_changed", "unchanged",
              "recorded_unavailable")
_LABELS = {"allow_to_deny": "allow→deny", "deny_to_allow": "deny→allow", "obligations_changed": "obligations",
           "reasons_changed": "reasons", "unchanged": "unchanged", "recorded_unavailable": "was unavailable"}
DECISION_UNDEFINED = "decision_undefined"
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """``7d``, ``24h``, ``30m``, ``2w`` (that long before now) or an ISO 8601 date/time (UTC if no zone)."""
    now = now or datetime.now(UTC)
    value = text.strip()
    if match := _RELATIVE.match(value):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{text!r} is neither a duration (30m, 24h, 7d, 2w) nor an ISO 8601 date/time") from exc
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class Outcome:
    """One side of a comparison: the verdict, its reasons and its obligations."""

    allow: bool
    reasons: tuple[tuple[str, str, str], ...]
    obligations: dict[str, Any]

    @classmethod
    def recorded(cls, record: AuditRecord) -> Outcome:
        return cls(record.allowed is True, _reason_keys(record.reasons), dict(record.obligations))

    @classmethod
    def candidate(cls, decision: dict | None) -> Outcome:
        if decision is None:
            return cls(False, ((DECISION_UNDEFINED, "CUSTODES-01", ""),), {})
        allow = decision.get("allow") is True
        reasons = decision.get("reasons")
        obligations = decision.get("obligations")
        return cls(allow, _reason_keys(reasons if isinstance(reasons, list) else []),
                   dict(obligations) if allow and isinstance(obligations, dict) else {})

    def describe(self) -> str:
        codes = ", ".join(code + (f" ({req})" if req else "") for code, req, _ in self.reasons) or "no reasons"
        return f"{'allow' if self.allow else 'deny'}: {codes}"


def _reason_keys(reasons: Sequence[Any]) -> tuple[tuple[str, str, str], ...]:
    keys = {(str(r.get("code", "")), str(r.get("requirement", "")), str(r.get("legal_ref", "")))
            for r in reasons if isinstance(r, dict)}
    return tuple(sorted(keys))


def compare(before: Outcome, after: Outcome) -> str:
    """The one category of a replayed record (see the module contract)."""
    if any(code == POLICY_UNAVAILABLE for code, _, _ in before.reasons):
        return "recorded_unavailable"
    if before.allow != after.allow:
        return "allow_to_deny" if before.allow else "deny_to_allow"
    if before.allow and before.obligations != after.obligations:
        return "obligations_changed"
    if before.reasons != after.reasons:
        return "reasons_changed"
    return "unchanged"


@dataclass(frozen=True)
class Example:
    """One record whose decision would change."""

    event_id: str
    event_time: str
    recorded_revision: str
    before: str
    after: str
    obligations: dict[str, list[Any]]

    @classmethod
    def of(cls, record: AuditRecord, before: Outcome, after: Outcome) -> Example:
        """``obligations``: what the candidate's allow would change, ``{name: [recorded, candidate]}``."""
        keys = sorted(set(before.obligations) | set(after.obligations)) if after.allow else []
        changed = {k: [before.obligations.get(k), after.obligations.get(k)] for k in keys
                   if before.obligations.get(k) != after.obligations.get(k)}
        return cls(record.event_id, record.event_time.isoformat().replace("+00:00", "Z"), record.policy_revision,
                   before.describe(), after.describe(), changed)


@dataclass
class GroupCounts:
    """The counts and examples of one (jurisdiction, use case)."""

    jurisdiction: str
    use_case: str
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Example]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReplayReport:
    """What a candidate bundle would change in a period; ``to_json`` is the machine form."""

    bundle: str
    candidate_revision: str
    since: datetime
    until: datetime | None
    jurisdictions: list[str]
    source: str
    truncated: bool
    registry: str
    read: int = 0
    skipped: int = 0
    elapsed_s: float = 0.0
    recorded_revisions: Counter[str] = field(default_factory=Counter)
    groups: dict[tuple[str, str], GroupCounts] = field(default_factory=dict)

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for group in self.groups.values():
            total.update(group.counts)
        return total

    @property
    def changed(self) -> int:
        totals = self.totals()
        return sum(totals[c] for c in CATEGORIES if c not in ("unchanged", "recorded_unavailable"))

    def to_json(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "bundle": self.bundle,
            "candidate_revision": self.candidate_revision,
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "jurisdictions": self.jurisdictions,
            "source": self.source,
            "truncated": self.truncated,
            "registry": self.registry,
            "records_read": self.read,
            "replayed": sum(totals.values()),
            "skipped_without_input": self.skipped,
            "changed": self.changed,
            "elapsed_s": round(self.elapsed_s, 3),
            "recorded_revisions": dict(self.recorded_revisions),
            "totals": {c: totals[c] for c in CATEGORIES},
            "groups": [
                {"jurisdiction": g.jurisdiction, "use_case": g.use_case, "total": g.total,
                 "counts": {c: g.counts[c] for c in CATEGORIES},
                 "examples": {c: [asdict(e) for e in ex] for c, ex in g.examples.items()}}
                for g in self.sorted_groups()
            ],
        }

    def sorted_groups(self) -> list[GroupCounts]:
        return [self.groups[k] for k in sorted(self.groups)]


def replay(settings: Settings, opa: Path, bundle: Path, since: datetime, until: datetime | None = None,
           jurisdictions: Sequence[str] = (), registry: dict | None = None, registry_name: str = "",
           examples: int = 3, limit: int = 1_000_000) -> ReplayReport:
    """Re-judge the audited decisions of ``[since, until)`` with ``bundle``; see the module contract."""
    started = time.monotonic()
    window = policy_decisions(settings, since, until, jurisdictions, limit=limit)
    report = ReplayReport(
        bundle=str(bundle), candidate_revision=str(read_manifest(bundle).get("revision", "")), since=since,
        until=until, jurisdictions=sorted(jurisdictions), source=window.source, truncated=window.truncated,
        registry=registry_name or ("none" if registry is None else "given"), read=len(window.records),
    )
    usable = [r for r in window.records if isinstance(r.details.get("policy_input"), dict)]
    report.skipped = len(window.records) - len(usable)
    decisions = evaluate_many(opa, bundle, [r.details["policy_input"] for r in usable], registry=registry,
                              decision_path=settings.opa.decision_path)
    for record, decision in zip(usable, decisions, strict=True):
        before, after = Outcome.recorded(record), Outcome.candidate(decision)
        category = compare(before, after)
        key = (record.jurisdiction or "-", record.use_case or "-")
        group = report.groups.setdefault(key, GroupCounts(*key))
        group.counts[category] += 1
        report.recorded_revisions[record.policy_revision or "-"] += 1
        if category != "unchanged":
            kept = group.examples.setdefault(category, [])
            if len(kept) < examples:
                kept.append(Example.of(record, before, after))
    report.elapsed_s = time.monotonic() - started
    return report


def render_report(report: ReplayReport) -> RenderableType:
    """The report for people: a summary, counts by (jurisdiction, use case), examples of changes."""
    totals = report.totals()
    end = f"{report.until:%Y-%m-%d %H:%M:%S}Z" if report.until else "now"
    period = f"{report.since:%Y-%m-%d %H:%M:%S}Z → {end}"
    lines = [
        Text.assemble("what-if replay of ", (report.bundle, "bold"),
                      f" (revision {report.candidate_revision or '?'})"),
        Text(f"period {period}" + (f", jurisdictions {', '.join(report.jurisdictions)}" * bool(report.jurisdictions))),
        Text(f"{report.read} audited decisions read from {report.source}; {sum(totals.values())} replayed "
             f"in {report.elapsed_s:.1f}s; recorded by {', '.join(sorted(report.recorded_revisions)) or '-'}"),
        Text(f"registry: {report.registry}" + " (decisions that need an authorisation deny; pass --data)"
             * (report.registry == "none")),
        Text.assemble(("would change: ", "bold"), (str(report.changed), "bold " + ("red" if report.changed else "green"))),
    ]
    if report.truncated:
        lines.append(Text("only the newest records of the period were read: narrow --since/--until "
                          "(or stop the ledger so the store is read directly)", "yellow"))
    if report.skipped:
        lines.append(Text(f"{report.skipped} records carry no policy_input (audited before inputs were kept) "
                          "and were skipped", "yellow"))
    counts = Table(title="changes by jurisdiction and use case", title_justify="left")
    for name in ("jurisdiction", "use case", "replayed", *(_LABELS[c] for c in CATEGORIES)):
        counts.add_column(name, justify="right" if name not in ("jurisdiction", "use case") else "left")
    for group in report.sorted_groups():
        counts.add_row(Text(group.jurisdiction), Text(group.use_case), str(group.total),
                       *(_count(group.counts[c], c) for c in CATEGORIES))
    counts.add_row("all", "", str(sum(totals.values())), *(_count(totals[c], c) for c in CATEGORIES), style="bold")
    parts: list[RenderableType] = [*lines, counts]
    rows = [(g, c, e) for g in report.sorted_groups() for c in CATEGORIES for e in g.examples.get(c, [])]
    if rows:
        table = Table(title="examples", title_justify="left", show_lines=True)
        for name in ("jurisdiction / use case", "change", "event", "recorded", "candidate"):
            table.add_column(name, overflow="fold")
        for group, category, example in rows:
            candidate = example.after
            if example.obligations:
                candidate += "\n" + "; ".join(f"{k}: {a!r} → {b!r}" for k, (a, b) in example.obligations.items())
            table.add_row(*map(Text, (f"{group.jurisdiction} / {group.use_case}", _LABELS[category],
                                      f"{example.event_id}\n{example.event_time}",
                                      f"{example.before}\nby {example.recorded_revision or '?'}", candidate)))
        parts.append(table)
    return Group(*parts)


def _count(n: int, category: str) -> Text:
    if not n:
        return Text("0", "dim")
    style = {"allow_to_deny": "red", "deny_to_allow": "yellow", "obligations_changed": "magenta",
             "reasons_changed": "cyan", "recorded_unavailable": "dim"}.get(category, "")
    return Text(str(n), style)
