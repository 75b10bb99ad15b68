"""``custodes demo``: the main job — governed SIM registrations through the real stack.

Produces three SIM-registration events built from real photos (a genuine pair, an impostor
pair, and a request without a legal mandate) to Kafka, waits until the audit ledger holds
the final record of each, and prints what happened to each, as the ledger saw it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import typer
from kafka import KafkaProducer
from custodes.cli.console import make_console

from custodes.audit.records import AuditRecord
from custodes.audit.tail import fetch_recent
from custodes.events.sim_factory import sim_event
from custodes.settings import Settings, get_settings

console = make_console()


@dataclass(frozen=True)
class Scenario:
    name: str
    selfie: str
    portrait: str
    expect: str
    legal_mandate: str | None = "KE-SIM-REGISTRATION-REGULATIONS"
    jurisdiction: str = "KE"


SCENARIOS = [
    Scenario("genuine pair", "obama.jpg", "obama2.jpg", "allowed, match"),
    Scenario("impostor pair", "obama.jpg", "biden.jpg", "allowed, no match"),
    Scenario("no legal mandate", "obama3.jpg", "obama.jpg", "denied, never reaches Triton", legal_mandate=None),
]


def produce(settings: Settings, events: list) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all",
                             max_request_size=settings.kafka.max_message_bytes, client_id="custodes-demo")
    try:
        for event in events:
            producer.send(settings.kafka.topics.sim_registrations, key=event.event_id.encode(),
                          value=event.model_dump_json().encode(), headers=[("content-type", b"application/json")])
        producer.flush(timeout=30)
    finally:
        producer.close()


def final_record(records: list[AuditRecord]) -> AuditRecord | None:
    """The record that ends an event's journey: a denial, or a recognition result."""
    for r in records:
        if r.kind == "recognition_result":
            return r
    for r in records:
        if r.kind == "policy_decision" and r.allowed is False:
            return r
    return None


def wait_for(settings: Settings, event_ids: list[str], timeout_s: float) -> dict[str, list[AuditRecord]]:
    deadline = time.monotonic() + timeout_s
    found: dict[str, list[AuditRecord]] = {}
    with console.status("waiting for the audit ledger…") as status:
        while time.monotonic() < deadline:
            for event_id in event_ids:
                if event_id not in found or final_record(found[event_id]) is None:
                    found[event_id] = fetch_recent(settings, limit=10, event_id=event_id)
            done = sum(final_record(found.get(e, [])) is not None for e in event_ids)
            status.update(f"waiting for the audit ledger… {done}/{len(event_ids)} events complete")
            if done == len(event_ids):
                break
            time.sleep(0.5)
    return found


def run(timeout_s: float = 120.0) -> bool:
    settings = get_settings()
    images = settings.images_dir / "face_recognition"
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    events = [
        sim_event(f"demo-{run_id}-{i}", Path(images / s.selfie), Path(images / s.portrait),
                  jurisdiction=s.jurisdiction, legal_mandate=s.legal_mandate)
        for i, s in enumerate(SCENARIOS)
    ]
    console.print(f"producing {len(events)} SIM-registration events to "
                  f"[bold]{settings.kafka.topics.sim_registrations}[/bold] (run {run_id})")
    produce(settings, events)
    found = wait_for(settings, [e.event_id for e in events], timeout_s)

    all_ok = True
    console.print()
    for scenario, event in zip(SCENARIOS, events):
        records = found.get(event.event_id, [])
        decision = next((r for r in records if r.kind == "policy_decision"), None)
        result = next((r for r in records if r.kind == "recognition_result"), None)
        ok = _as_expected(scenario, decision, result)
        all_ok &= ok
        mark = "[green]✔[/green]" if ok else "[red]✘ NOT AS EXPECTED[/red]"
        console.print(f"{mark} [bold]{scenario.name}[/bold] ({scenario.selfie} vs {scenario.portrait}, "
                      f"{scenario.jurisdiction}) — expected: {scenario.expect}")
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
    console.print("every step is in the audit ledger: [bold]custodes audit tail[/bold]; "
                  "the stack is still running — stop it with [bold].venv/bin/custodes stack down[/bold]")
    return all_ok


def _as_expected(scenario: Scenario, decision: AuditRecord | None, result: AuditRecord | None) -> bool:
    if decision is None:
        return False
    if scenario.expect.startswith("denied"):
        return decision.allowed is False and result is None
    if not decision.allowed or result is None:
        return False
    return result.outcome == ("match" if scenario.expect.endswith(", match") else "no_match")


def demo(timeout: float = typer.Option(120.0, help="seconds to wait for the ledger")) -> None:
    """Run the main job on the running stack: three governed SIM registrations, end to end."""
    if not run(timeout):
        console.print("[red]the demo did not go as expected[/red]; see `custodes stack status` and the logs")
        raise typer.Exit(1)
