"""``custodes simulate``: realistic mixed traffic to Kafka (issue 3)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

import httpx
import typer
from kafka.errors import KafkaError

from custodes.cli.console import make_console
from custodes.settings import Settings, get_settings
from custodes.simulator import (
    BAD_INPUTS,
    DEFAULT_EPOCH,
    FileSink,
    KafkaSink,
    Options,
    Report,
    Simulation,
    Summary,
    push_to_opa,
    registry_document,
    simulate as run_simulation,
)

console = make_console()


def simulate(
    count: int = typer.Option(None, "--count", "-n", min=1, help="events to send [default: 100, unless --duration]"),
    duration: float = typer.Option(None, "--duration", "-d", min=0.1,
                                   help="seconds to send for (at most rate × duration events)"),
    rate: float = typer.Option(20.0, "--rate", "-r", min=0.01, help="events per second"),
    seed: int = typer.Option(None, "--seed", "-s", min=0,
                             help="same seed and options, same bytes [default: random, printed]"),
    bad_rate: float = typer.Option(0.05, "--bad-rate", min=0.0, max=1.0, help="share of events broken on purpose"),
    bad_kinds: str = typer.Option(",".join(BAD_INPUTS), "--bad-kinds", help="comma-separated kinds of bad input"),
    epoch: datetime = typer.Option(DEFAULT_EPOCH.strftime("%Y-%m-%dT%H:%M:%S"), formats=["%Y-%m-%dT%H:%M:%S"],
                                   help="event time of the first event (UTC)"),
    now: bool = typer.Option(False, "--now", help="start the event times at the wall clock instead of --epoch"),
    max_side: int = typer.Option(640, "--max-side", min=0, help="scale photos to this many pixels (0: send originals)"),
    cameras: bool = typer.Option(True, "--cameras/--no-cameras",
                                 help="mix camera face events (1:N, with deployments, watchlists, authorisations) in"),
    camera_topic: str = typer.Option(None, "--camera-topic",
                                     help="send camera face events here [default: the settings' camera topic]"),
    out: Path = typer.Option(None, "--out", "-o", dir_okay=False, help="write JSON lines here instead of to Kafka"),
    registry: bool = typer.Option(True, "--registry/--no-registry",
                                  help="send the deployments, watchlists and authorisations to the registry "
                                       "topics first"),
    registry_out: Path = typer.Option(None, "--registry-out", dir_okay=False,
                                      help="also write the registry document (OPA's data.custodes.registry) here"),
    push_opa: bool = typer.Option(False, "--push-opa", help="also PUT the registry records into OPA's data API"),
) -> None:
    """Produce realistic mixed traffic: SIM registrations and camera faces from real photos, under many laws,
    with deployments, watchlists and authorisations in every state, some of it broken on purpose."""
    settings = get_settings()
    try:
        options = Options(seed=secrets.randbelow(2**31) if seed is None else seed, rate=rate,
                          epoch=datetime.now(UTC).replace(microsecond=0) if now else epoch.replace(tzinfo=UTC),
                          bad_rate=bad_rate, bad_kinds=tuple(k.strip() for k in bad_kinds.split(",") if k.strip()),
                          max_side=max_side or None, cameras=cameras, camera_topic=camera_topic)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if count is None and duration is None:
        count = 100
    try:
        report = _run(settings, options, out, count, duration, registry)
        if registry_out is not None or push_opa:
            _registry(settings, options, registry_out, push_opa)
    except (KafkaError, httpx.HTTPError, OSError) as exc:
        console.print(f"[red]error:[/red] {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from exc
    _print_report(report, options, out or settings.kafka.bootstrap_servers)
    if report.failed:
        raise typer.Exit(1)


def _run(settings: Settings, options: Options, out: Path | None, count: int | None, duration: float | None,
         registry: bool) -> Report:
    sink = FileSink(out) if out is not None else KafkaSink(settings)
    return run_simulation(settings, options, sink, count=count, duration_s=duration, registry=registry,
                          console=console)


def _registry(settings: Settings, options: Options, registry_out: Path | None, push_opa: bool) -> None:
    simulation = Simulation(settings, options)
    records = dict(authorisations=simulation.authorisations(), deployments=simulation.deployments(),
                   watchlists=simulation.watchlists())
    counts = ", ".join(f"{len(v)} {k}" for k, v in records.items())
    if registry_out is not None:
        registry_out.write_text(json.dumps(registry_document(**records), indent=2) + "\n", encoding="utf-8")
        console.print(f"registry document ({counts}) written to {registry_out}")
    if push_opa:
        push_to_opa(settings.opa.url, timeout_s=settings.opa.timeout_s, **records)
        console.print(f"registry records ({counts}) PUT into OPA at {settings.opa.url}")


def _print_report(report: Report, options: Options, destination: object) -> None:
    summary = Summary.of(d for d in report.deliveries if d.error is None)
    rate = summary.events / report.elapsed_s if report.elapsed_s else 0.0
    console.print(f"sent {summary.events} events (+{summary.registry} registry records) to {destination} in "
                  f"{report.elapsed_s:.1f} s ({rate:.1f}/s, {summary.bytes / 1e6:.1f} MB)"
                  + (" — interrupted" if report.interrupted else ""))
    console.print(summary.render())
    console.print(f"seed {options.seed}, epoch {options.epoch.isoformat()}, stream sha256 {report.digest}")
    console.print(f"replay: custodes simulate {replay_arguments(options, summary.events)}")
    for d in report.failed[:10]:
        console.print(f"[red]not sent:[/red] {d.message.event_id}: {d.error}")


def replay_arguments(options: Options, count: int) -> str:
    """The ``custodes simulate`` options that send the same ``count`` events again."""
    default = Options()
    args = [f"--seed {options.seed}", f"--count {count}", f"--rate {options.rate:g}",
            f"--epoch {options.epoch.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')}"]
    if options.bad_rate != default.bad_rate:
        args.append(f"--bad-rate {options.bad_rate:g}")
    if options.bad_kinds != default.bad_kinds:
        args.append(f"--bad-kinds {','.join(options.bad_kinds)}")
    if options.max_side != default.max_side:
        args.append(f"--max-side {options.max_side or 0}")
    if not options.cameras:
        args.append("--no-cameras")
    elif options.camera_topic:
        args.append(f"--camera-topic {options.camera_topic}")
    return " ".join(args)
