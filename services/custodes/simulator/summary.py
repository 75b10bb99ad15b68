"""What a simulated run sent, counted: by kind, jurisdiction, requester, consent, authorisation, expected
outcome and bad input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from custodes.simulator.produce import Delivery

__all__ = ["Summary"]


@dataclass
class Summary:
    events: int = 0
    registry: int = 0
    bytes: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_jurisdiction: Counter[str] = field(default_factory=Counter)
    by_requester: Counter[str] = field(default_factory=Counter)
    by_consent: Counter[str] = field(default_factory=Counter)
    by_authorisation: Counter[str] = field(default_factory=Counter)
    by_expected: Counter[str] = field(default_factory=Counter)
    by_bad_input: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, deliveries: Iterable[Delivery]) -> Summary:
        summary = cls()
        for d in deliveries:
            m = d.message
            summary.bytes += d.size
            if m.is_registry:
                summary.registry += 1
                continue
            summary.events += 1
            summary.by_kind[m.kind] += 1
            summary.by_jurisdiction[m.jurisdiction] += 1
            summary.by_requester[m.requester_type] += 1
            summary.by_consent["present" if m.consent else "absent"] += 1
            if m.kind == "camera_face":
                summary.by_authorisation[m.authorisation or "none"] += 1
            summary.by_expected[m.expected] += 1
            if m.bad_input:
                summary.by_bad_input[m.bad_input] += 1
        return summary

    def render(self) -> RenderableType:
        table = Table(title="expected outcome (REQUIREMENTS.md)", title_justify="left")
        table.add_column("expected")
        table.add_column("events", justify="right")
        table.add_column("share", justify="right")
        for expected, n in sorted(self.by_expected.items()):
            table.add_row(expected, str(n), f"{100 * n / max(self.events, 1):.1f} %")
        bad = sum(self.by_bad_input.values())
        lines = [
            ("kind", self.by_kind),
            ("jurisdiction", self.by_jurisdiction),
            ("requester", self.by_requester),
            ("consent", self.by_consent),
            ("authorisation (camera)", self.by_authorisation),
            (f"bad input ({bad}, {100 * bad / max(self.events, 1):.1f} %)", self.by_bad_input),
        ]
        return Group(table, *(Text.assemble((f"{name}: ", "bold"), _counts(c)) for name, c in lines if c))


def _counts(counter: Counter[str]) -> str:
    return " · ".join(f"{k} {n}" for k, n in counter.most_common())
