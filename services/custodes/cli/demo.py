"""``custodes demo``: the main job — governed SIM registrations through the real stack.

1. Three SIM-registration events built from real photos (a genuine pair, an impostor pair,
   and a request without a legal mandate) go to Kafka; the demo waits until the audit
   ledger holds the final record of each and tells what happened to each, as the ledger saw it.
2. A burst of simulated mixed traffic (``custodes simulate``: a fresh seed, event times from
   now) follows; the demo then summarises what the ledger recorded for it — allowed by
   outcome, denied by reason, dead-lettered by reason — against the simulator's expectations.
Exit 1 when a story is not as expected or a burst event has no final record in time;
a burst event judged otherwise than the simulator expected is reported, not an error.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import typer
from rich.table import Table

from custodes.audit.errors import AuditStoreError
from custodes.audit.records import AuditRecord
from custodes.audit.tail import fetch_recent
from custodes.cli.console import make_console
from custodes.cli.simulate import replay_arguments
from custodes.events.sim_factory import sim_event
from custodes.settings import Settings, get_settings
from custodes.simulator import Delivery, KafkaSink, Options, event_message, simulate

console = make_console()
BATCH_QUERY_MARGIN = 100
SINGLE_QUERIES_PER_ROUND = 40


@dataclass(frozen=True)
class Story:
    name: str
    selfie: str
    portrait: str
    expect: str
    legal_mandate: str | None = "KE-SIM-REGISTRATION-REGULATIONS"
    jurisdiction: str = "KE"


STORIES = [
    Story("genuine pair", "obama.jpg", "obama2.jpg", "allowed, match"),
    Story("impostor pair", "obama.jpg", "biden.jpg", "allowed, no match"),
    Story("no legal mandate", "obama3.jpg", "obama.jpg", "denied, never reaches Triton", legal_mandate=None),
]


@dataclass(frozen=True)
class Fate:
    """What the ledger says became of one message."""

    verdict: str
    detail: str


QUEUED = "queued for identification"
NO_RECOGNITION_YET = frozenset({"camera_face"})
"""Event types whose allowed work has no recognition service yet (1:N comes in a later issue):
for them the gate's allowed decision ends the journey the ledger can see."""


def final_record(records: Sequence[AuditRecord]) -> AuditRecord | None:
    """The record that ends an event's journey: a rejection, a denial, or a recognition result
    (an allowed decision where no recognition service runs yet: :data:`NO_RECOGNITION_YET`)."""
    for kind in ("event_rejected", "recognition_result"):
        found = next((r for r in records if r.kind == kind), None)
        if found is not None:
            return found
    return next((r for r in records if r.kind == "policy_decision"
                 and (r.allowed is False or r.event_type in NO_RECOGNITION_YET)), None)


def fate_of(records: Sequence[AuditRecord]) -> Fate | None:
    record = final_record(records)
    if record is None:
        return None
    if record.kind == "event_rejected":
        return Fate("dead-lettered", (record.outcome or "").removeprefix("error:"))
    if record.kind == "recognition_result":
        return Fate("allowed", record.outcome or "")
    if record.allowed:
        return Fate("allowed", QUEUED)
    return Fate("denied", " + ".join(sorted({r.get("code", "?") for r in record.reasons})))


def as_expected(expected: str, fate: Fate) -> bool:
    """Whether the ledger's ``fate`` is what the simulator's ``expected`` label says."""
    verdict, _, detail = expected.partition(":")
    if verdict == "allow":
        return fate.verdict == "allowed" and detail in ("", fate.detail)
    if verdict == "deny":
        return fate.verdict == "denied"
    return fate.verdict == "dead-lettered" and fate.detail == detail


def run(timeout_s: float = 120.0, burst: int = 200, burst_rate: float = 20.0) -> bool:
    settings = get_settings()
    stories_ok = _stories(settings, timeout_s)
    burst_ok = _burst(settings, burst, burst_rate, timeout_s) if burst else True
    console.print("every step is in the audit ledger: [bold]custodes audit tail[/bold]; "
                  "the stack is still running — stop it with [bold].venv/bin/custodes stack down[/bold]")
    return stories_ok and burst_ok


def _stories(settings: Settings, timeout_s: float) -> bool:
    images = settings.images_dir / "face_recognition"
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    events = [sim_event(f"demo-{run_id}-{i}", images / s.selfie, images / s.portrait,
                        jurisdiction=s.jurisdiction, legal_mandate=s.legal_mandate)
              for i, s in enumerate(STORIES)]
    topic = settings.kafka.topics.sim_registrations
    console.print(f"producing {len(events)} SIM-registration events to [bold]{topic}[/bold] (run {run_id})")
    sink = KafkaSink(settings, client_id="custodes-demo")
    for i, (story, event) in enumerate(zip(STORIES, events, strict=True)):
        sink.send(event_message(event, topic, index=i, scenario=story.name, expected=story.expect))
    sink.close()
    found = _wait(settings, [e.event_id for e in events], timeout_s)

    all_ok = True
    console.print()
    for story, event in zip(STORIES, events, strict=True):
        records = found.get(event.event_id, [])
        decision = next((r for r in records if r.kind == "policy_decision"), None)
        result = next((r for r in records if r.kind == "recognition_result"), None)
        ok = _story_as_expected(story, decision, result)
        all_ok &= ok
        mark = "[green]✔[/green]" if ok else "[red]✘ NOT AS EXPECTED[/red]"
        console.print(f"{mark} [bold]{story.name}[/bold] ({story.selfie} vs {story.portrait}, "
                      f"{story.jurisdiction}) — expected: {story.expect}")
        console.print(f"    event     {event.event_id}")
        if decision is None:
            console.print("    policy    [red]no decision in the ledger[/red]")
        else:
            verdict = "[green]allowed[/green]" if decision.allowed else "[red]denied[/red]"
            console.print(f"    policy    {verdict} by {decision.policy_revision} ({decision.decision_id})")
            for reason in decision.reasons:
                console.print(f"      because {reason['code']} [{reason.get('requirement', '')}: "
                              f"{reason.get('legal_ref', '')}]")
            if decision.obligations:
                console.print("      obligations " + ", ".join(f"{k}={v}" for k, v in decision.obligations.items()))
        if result is not None:
            score = "" if result.score is None else f" — score {result.score:.3f} vs threshold {result.threshold:.3f}"
            console.print(f"    triton    {result.outcome}{score} at max_fmr={result.max_fmr} "
                          f"({result.model_id} {result.model_version})")
        elif decision is not None and decision.allowed is False:
            console.print("    triton    [dim]not called: denied events never reach recognition[/dim]")
        console.print()
    return all_ok


def _burst(settings: Settings, count: int, rate: float, timeout_s: float) -> bool:
    options = Options(seed=int(time.time()), rate=rate, epoch=datetime.now(UTC).replace(microsecond=0))
    console.print(f"[bold]simulated burst[/bold]: {count} mixed events at {rate:g}/s "
                  f"(custodes simulate {replay_arguments(options, count)})")
    report = simulate(settings, options, KafkaSink(settings, client_id="custodes-demo"), count=count,
                      console=console, label="producing")
    sent = [d for d in report.deliveries if d.error is None and not d.message.is_registry]
    fates = follow_fates(settings, sent, timeout_s)
    _print_fates(sent, fates)
    missing = len(sent) - len(fates)
    if report.failed or missing:
        console.print(f"[red]{len(report.failed)} not sent, {missing} without a final record within "
                      f"{timeout_s:g} s[/red]")
    return not report.failed and not missing


def _wait(settings: Settings, event_ids: list[str], timeout_s: float) -> dict[str, list[AuditRecord]]:
    deadline = time.monotonic() + timeout_s
    found: dict[str, list[AuditRecord]] = {}
    with console.status("waiting for the audit ledger…") as status:
        while time.monotonic() < deadline:
            for event_id in event_ids:
                if final_record(found.get(event_id, [])) is None:
                    found[event_id] = fetch_recent(settings, limit=10, event_id=event_id)
            done = sum(final_record(found.get(e, [])) is not None for e in event_ids)
            status.update(f"waiting for the audit ledger… {done}/{len(event_ids)} events complete")
            if done == len(event_ids):
                break
            time.sleep(0.5)
    return found


def follow_fates(settings: Settings, sent: list[Delivery], timeout_s: float) -> dict[int, Fate]:
    """The ledger's fate of each sent message (by index) once it has one, found by event id or,
    for a dead-lettered one, by its claimed event id or the topic, partition and offset it had;
    messages without a final record by ``timeout_s`` are left out."""
    by_event = {d.message.event_id: d.message.index for d in sent}
    by_position = {(d.message.topic, d.partition, d.offset): d.message.index for d in sent}
    records: dict[int, list[AuditRecord]] = {}
    fates: dict[int, Fate] = {}
    deadline = time.monotonic() + timeout_s
    with console.status("waiting for the audit ledger…") as status:
        while time.monotonic() < deadline and len(fates) < len(sent):
            try:
                batch = fetch_recent(settings, limit=3 * len(sent) + BATCH_QUERY_MARGIN)
                missing = [d.message for d in sent if d.message.index not in fates and d.message.bad_input is None]
                for message in missing[:SINGLE_QUERIES_PER_ROUND]:
                    batch += fetch_recent(settings, limit=10, event_id=message.event_id)
            except AuditStoreError as exc:
                status.update(f"waiting for the audit ledger… ({exc})")
                time.sleep(1.0)
                continue
            for record in batch:
                index = by_event.get(record.event_id)
                if index is None and record.kind == "event_rejected":
                    index = by_event.get(str(record.details.get("claimed_event_id")))
                    index = index if index is not None else by_position.get(
                        (record.details.get("topic"), record.details.get("partition"), record.details.get("offset")))
                if index is not None and index not in fates:
                    records.setdefault(index, []).append(record)
                    fate = fate_of(records[index])
                    if fate is not None:
                        fates[index] = fate
            status.update(f"waiting for the audit ledger… {len(fates)}/{len(sent)} burst events complete")
            time.sleep(1.0)
    return fates


def _print_fates(sent: list[Delivery], fates: dict[int, Fate]) -> None:
    counts = Counter(fates.values())
    expected = {d.message.index: d.message.expected for d in sent}
    agree = Counter(fate for index, fate in fates.items() if as_expected(expected[index], fate))
    table = Table(title=f"what the ledger recorded for the {len(sent)} simulated events", title_justify="left")
    table.add_column("fate")
    table.add_column("outcome / reason")
    table.add_column("events", justify="right")
    table.add_column("as the simulator expected", justify="right")
    order = {"allowed": 0, "denied": 1, "dead-lettered": 2}
    for fate, n in sorted(counts.items(), key=lambda item: (order[item[0].verdict], -item[1], item[0].detail)):
        style = {"allowed": "green", "denied": "yellow", "dead-lettered": "red"}[fate.verdict]
        table.add_row(f"[{style}]{fate.verdict}[/{style}]", fate.detail, str(n), str(agree[fate]))
    if len(fates) < len(sent):
        table.add_row("[red]no final record[/red]", "", str(len(sent) - len(fates)), "")
    console.print(table)
    total_agree = sum(agree.values())
    console.print(f"{total_agree}/{len(sent)} as the simulator expected from REQUIREMENTS.md")
    differing = Counter((d.message.scenario, d.message.expected, fates[d.message.index]) for d in sent
                        if d.message.index in fates and not as_expected(d.message.expected, fates[d.message.index]))
    for (scenario, wanted, fate), n in differing.most_common(8):
        console.print(f"  [yellow]{n} × {scenario}[/yellow]: expected {wanted}, ledger: {fate.verdict} "
                      f"{fate.detail}")


def _story_as_expected(story: Story, decision: AuditRecord | None, result: AuditRecord | None) -> bool:
    if decision is None:
        return False
    if story.expect.startswith("denied"):
        return decision.allowed is False and result is None
    if not decision.allowed or result is None:
        return False
    return result.outcome == ("match" if story.expect.endswith(", match") else "no_match")


def demo(
    timeout: float = typer.Option(120.0, help="seconds to wait for the ledger"),
    burst: int = typer.Option(200, min=0, help="simulated events after the three stories (0: none)"),
    burst_rate: float = typer.Option(20.0, min=0.1, help="events per second of the burst"),
) -> None:
    """Run the main job on the running stack: three governed SIM registrations end to end, then a simulated burst."""
    if not run(timeout, burst, burst_rate):
        console.print("[red]the demo did not go as expected[/red]; see `custodes stack status` and the logs")
        raise typer.Exit(1)

