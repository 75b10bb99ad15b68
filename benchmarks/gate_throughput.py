"""Decisions per second through the gate: batched OPA calls vs one OPA call per event.

Runs against the Kafka of a running stack (`custodes stack up`) and an OPA of its own per
kind of traffic, started exactly as the stack starts its OPA (signed bundle built from
``policies/``, same flags and environment) on a free port, so the registry this benchmark
pushes never touches the stack's:

    .venv/bin/python benchmarks/gate_throughput.py [--traffic sim camera] [--events 20000] [--gates 2]

Two kinds of traffic, each judged twice by the same gate — one OPA call per event (the
baseline), then one per chunk of events (batched) — in one run:
  sim     SIM registrations (KE), selfie and ID portrait by value as 112×112 JPEG crops
          (the size per event is printed): the gate decodes, inspects and hashes both images, and
          forwards them as recognition work;
  camera  camera faces (US-WA live identification under a warrant and a deployment record
          from the registry), the frame by reference (URI + SHA-256).
Each mode gets fresh, uniquely named topics, so nothing reaches the stack's own services.
The events are on their topic before the gate starts; the clock runs from the gate's start
(its consumers subscribed; joining the group counts against it) to the append time
of the last decision on the audit topic (Kafka's clock, the same machine's), so every
decision counts only once Kafka has it. CPU is counted over the same span: the gate's from
when it gets its partitions, OPA's and Kafka's from the clock's start, all until the last
decision is on the audit topic (not while the benchmark then reads the decisions back).

``--gates N`` runs N gate replicas, processes of one consumer group over N partitions (how
the gate scales out), and counts their CPU together as the gate's. No replica gets a partition
before all N have joined, and the clock starts when all have theirs (``run_replicas``).

Before measuring a kind of traffic, ``--warmup`` events (20,000) are judged batched and a tenth
of them one call each, not counted: a broker or OPA just started is slower until its JIT and
caches warm up, and the per-event mode, measured first, would pay for it. On a stack started a
minute before (``--traffic sim --warmup 0``, ``2000``, ``20000`` at commit d12b543, when each mode
still ran its repeats in one block; 2026-11-28), SIM traffic read 11.5× without a warm-up and
12.4× after 2,000 events, but 8.0× after 20,000 (the per-event CPU per decision fell from
3,394 µs to 2,533).

Each mode runs ``--repeat`` times (3), the two modes taking turns (a slow spell of the machine
then slows both alike, not one block of runs), and the medians count, because runs on a shared
2-core machine vary (the printed range shows by how much). Prints decisions/s per mode and
the ratio, and the CPU time each process spent per decision — the gate's processes, OPA
and Kafka (from /proc) — against the budget the machine's cores give at the target rate, so
a missed target names its bottleneck, and how many cores those processes kept busy (the
rate times their CPU per decision). Where both modes keep the cores equally busy, the rate
ratio tends to the ratio of their CPU per decision (printed too): batching saves only the
per-call cost, not what each event costs whichever way it is judged. Exits 1 if a target is missed
for any traffic (≥ 5,000 decisions/s batched, ≥ 10× the per-event baseline) unless --no-check.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import logging
import math
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment, ConsumerProtocolMemberMetadata
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from PIL import Image

from custodes.events import CameraFaceEvent
from custodes.events.sim_factory import sim_event
from custodes.gate.service import build_gate, tune_process
from custodes.policy.registry import Authorisation, Deployment, RegistryMirror, RegistrySection
from custodes.settings import Settings
from custodes.stack.manager import StackManager
from custodes.stack.processes import ProcessDir, free_port

TARGET_RATE = 5_000
TARGET_RATIO = 10.0
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

Payloads = list[tuple[bytes, bytes]]
RegistryRecord = tuple[RegistrySection, str, bytes]


@dataclass(frozen=True)
class Traffic:
    name: str
    description: str
    topic: str  # the settings.kafka.topics field the events go to
    work_topic: str  # and the one allowed work goes to
    payloads: Callable[[int, str], Payloads]  # (count, tag) → (key, value) per event
    registry: list[RegistryRecord]


def small_crop(path: Path, side: int = 112) -> Path:
    out = Path("/tmp") / f"custodes-bench-{path.stem}-{side}.jpg"
    if not out.exists():
        image = Image.open(path).convert("RGB")
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        out.write_bytes(buffer.getvalue())
    return out


def sim_traffic(base: Settings) -> Traffic:
    images = base.images_dir / "face_recognition"
    template = sim_event("bench-0", small_crop(images / "obama.jpg"), small_crop(images / "obama2.jpg"),
                         occurred_at=EPOCH)

    def payloads(n: int, tag: str) -> Payloads:
        out = []
        for i in range(n):
            event = template.model_copy(update={"event_id": f"bench-{tag}-{i}",
                                                "occurred_at": EPOCH + timedelta(seconds=i)})
            out.append((event.event_id.encode(), event.model_dump_json().encode()))
        return out

    return Traffic("sim", "SIM registrations, two 112×112 JPEGs by value", "sim_registrations",
                   "recognition_requests", payloads, [])


def camera_traffic() -> Traffic:
    warrant = Authorisation(id="W-bench", kind="warrant", authority="King County Superior Court", state="granted",
                            requested_at=EPOCH - timedelta(days=2), granted_at=EPOCH - timedelta(days=1),
                            valid_from=EPOCH - timedelta(days=1), valid_until=EPOCH + timedelta(days=30))
    deployment = Deployment(id="dep-bench", accountability_report_id="kcso-ar-bench",
                            accountability_report_date=date(2025, 10, 1))
    template = CameraFaceEvent.model_validate({
        "event_id": "bench-0", "occurred_at": EPOCH, "jurisdiction": "US-WA",
        "camera": {"id": "cam-5", "site_type": "public_space", "signage": None,
                   "location": {"latitude": 47.6097, "longitude": -122.3331, "area": "westlake-center"}},
        "requester": {"org": "king-county-sheriff", "type": "law_enforcement"},
        "use_case": "live_identification", "purpose": "serious_crime_suspect", "image_kind": "face_crop",
        "image": {"uri": "s3://custodes-evidence/cam-5/0.jpg", "sha256": "0" * 64, "media_type": "image/jpeg"},
        "authorisation_ref": warrant.id, "deployment_id": deployment.id, "watchlist_id": None,
    })

    def payloads(n: int, tag: str) -> Payloads:
        out = []
        for i in range(n):
            uri = f"s3://custodes-evidence/cam-5/{tag}-{i}.jpg"
            image = template.image.model_copy(update={"uri": uri, "sha256": hashlib.sha256(uri.encode()).hexdigest()})
            event = template.model_copy(update={"event_id": f"bench-{tag}-{i}", "image": image,
                                                "occurred_at": EPOCH + timedelta(seconds=i)})
            out.append((event.event_id.encode(), event.model_dump_json().encode()))
        return out

    registry: list[RegistryRecord] = [("authorisations", warrant.id, warrant.model_dump_json().encode()),
                                      ("deployments", deployment.id, deployment.model_dump_json().encode())]
    return Traffic("camera", "camera faces, the frame by reference", "camera_faces", "identification_requests",
                   payloads, registry)


@contextmanager
def own_opa(base: Settings) -> Iterator[Settings]:
    """Settings whose OPA is one started for this run, as the stack starts its own; stopped after."""
    settings = base.model_copy(update={
        "opa": base.opa.model_copy(update={"url": f"http://127.0.0.1:{free_port()}"}),
        "state_dir": base.state_dir / "bench",
    })
    manager = StackManager(settings)
    manager.start_one("opa")
    try:
        yield settings
    finally:
        manager.stop_one("opa")


def mode_settings(base: Settings, batching: bool, batch: int, chunk: int) -> Settings:
    tag = uuid.uuid4().hex[:8]
    topics = base.kafka.topics.model_copy(update={
        "sim_registrations": f"bench.{tag}.sim", "recognition_requests": f"bench.{tag}.work",
        "audit_records": f"bench.{tag}.audit", "camera_faces": f"bench.{tag}.camera",
        "identification_requests": f"bench.{tag}.identification",
        "registry_authorisations": f"bench.{tag}.registry.authorisations",
        "registry_deployments": f"bench.{tag}.registry.deployments",
        "registry_watchlists": f"bench.{tag}.registry.watchlists",
    })
    return base.model_copy(update={
        "kafka": base.kafka.model_copy(update={"topics": topics}),
        "gate": base.gate.model_copy(update={"batching": batching, "max_batch": batch, "opa_chunk": chunk,
                                             "group_id": f"bench-{tag}"}),
    })


def mode_topics(settings: Settings) -> list[str]:
    t = settings.kafka.topics
    return [t.sim_registrations, t.recognition_requests, t.audit_records, f"{t.sim_registrations}.dlq",
            t.camera_faces, f"{t.camera_faces}.dlq", t.identification_requests, t.registry_authorisations,
            t.registry_deployments, t.registry_watchlists]


def prepare(settings: Settings, topic: str, payloads: Payloads, partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    admin.create_topics([NewTopic(n, partitions, 1, topic_configs={"message.timestamp.type": "LogAppendTime"})
                         for n in mode_topics(settings)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", linger_ms=5,
                             batch_size=1 << 20, max_request_size=settings.kafka.max_message_bytes)
    for i, (key, value) in enumerate(payloads):
        producer.send(topic, key=key, value=value, partition=i % partitions)
    producer.flush(120)
    producer.close()


def remove_topics(settings: Settings) -> None:
    """The mode's topics go once measured (a run writes hundreds of MiB to the stack's broker)."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        admin.delete_topics(mode_topics(settings))
    finally:
        admin.close()


def last_decision_at(settings: Settings, topic: str, expected: int, timeout_s: float,
                     partitions: int = 1, all_in: Callable[[], None] | None = None) -> tuple[float, int] | None:
    """When (Kafka's append time, seconds since the epoch) the last of ``expected`` distinct
    events got its decision on ``topic`` (any partition), and how many decisions were repeats
    (a batch judged again after a rebalance: at-least-once); None on timeout. Waits on end
    offsets only, and reads the records once they are all there, so while the gates work this
    costs little (and in the benchmark's process, not a gate's). ``all_in`` is called once, as
    soon as the topic holds ``expected`` decisions (within 50 ms), before they are read."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False,
                             max_partition_fetch_bytes=settings.kafka.max_message_bytes)
    parts = [TopicPartition(topic, i) for i in range(partitions)]
    deadline = time.monotonic() + timeout_s
    first: dict[str, float] = {}
    seen = 0
    try:
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        while len(first) < expected:
            while sum(consumer.end_offsets(parts).values()) < expected + (seen - len(first)):
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.05)
            if all_in is not None and not seen:
                all_in()
            while batch := consumer.poll(timeout_ms=500, max_records=5000):
                for record in (r for records in batch.values() for r in records):
                    seen += 1
                    first.setdefault(json.loads(record.value)["event_id"], record.timestamp / 1000)
        return max(first.values()), seen - len(first)
    finally:
        consumer.close()


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used; NaN when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def allowed_count(settings: Settings, work_topic: str, partitions: int) -> int:
    """How many events were allowed: the work the gates published."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        return sum(consumer.end_offsets([TopicPartition(work_topic, i) for i in range(partitions)]).values())
    finally:
        consumer.close()


class _Quorum(RoundRobinPartitionAssignor):
    """Round robin, but no partition for anyone until ``members`` replicas have joined; a
    replica first given partitions of ``topic`` notes its CPU time then and says so on ``assigned``.

    Replicas start one after another. With plain round robin the first to join gets every
    partition and judges a batch, the group rebalances as the next joins, the batch's offsets
    are not committed and another replica judges it again: counted once, its CPU twice (a run
    of 2 replicas at 7724118 printed 2.50 of 2 cores busy)."""

    name = "custodes-benchmark-quorum"
    members = 1
    topic = ""
    assigned = None
    cpu_at_assignment: float | None = None

    @classmethod
    def assign(cls, cluster: ClusterMetadata, members: dict[str, ConsumerProtocolMemberMetadata],
               ) -> dict[str, ConsumerProtocolMemberAssignment]:
        if len(members) < cls.members:
            return {member: ConsumerProtocolMemberAssignment(cls.version, [], b"") for member in members}
        return super().assign(cluster, members)

    @classmethod
    def on_assignment(cls, assignment: ConsumerProtocolMemberAssignment) -> None:
        if cls.cpu_at_assignment is None and any(topic == cls.topic and partitions
                                                 for topic, partitions in assignment.assignment):
            cls.cpu_at_assignment = time.process_time()
            if cls.assigned is not None:
                cls.assigned.release()

    @classmethod
    def cpu_since_assignment(cls) -> float:
        """CPU seconds this process has spent since it got partitions of ``topic`` (0 before)."""
        return 0.0 if cls.cpu_at_assignment is None else time.process_time() - cls.cpu_at_assignment


def quorum(members: int, topic: str, assigned) -> type[_Quorum]:
    """An assignor that waits for ``members`` replicas (every replica must build the same) and
    releases ``assigned`` when it gets partitions of ``topic``."""
    return type(f"Quorum{members}", (_Quorum,), {"members": members, "topic": topic, "assigned": assigned})


def _gate_process(settings_json: str, registry_records: list[RegistryRecord], replicas: int, topic: str,
                  started, assigned, measured, stop, used) -> None:
    """One of ``replicas`` gate replicas (a process of its own): starts, says so, judges (once
    every replica has joined its group) until told to stop, and reports the CPU it spent from
    getting its partitions until every decision is in (``measured``; at the latest, when told to stop)."""
    logging.disable(logging.INFO)
    settings = Settings.model_validate_json(settings_json)

    async def serve() -> None:
        registry = RegistryMirror(settings.opa.url, timeout_s=settings.opa.timeout_s)
        for section, key, value in registry_records:
            registry.apply(key, value, section)
        if not await registry.push(force=True):
            raise SystemExit(f"could not push the registry to OPA at {settings.opa.url}")
        assignor = quorum(replicas, topic, assigned)
        gate = build_gate(settings, registry=registry, assignors=(assignor,))
        tune_process(settings.gate)  # as the gate's main() does
        await gate.broker.start()  # (a consumer may judge while the broker starts the others)
        started.release()
        spent = None
        while not stop.is_set():
            if spent is None and measured.is_set():
                spent = assignor.cpu_since_assignment()
            await asyncio.sleep(0.05)
        await gate.drain()
        await gate.broker.stop()
        used.put(assignor.cpu_since_assignment() if spent is None else spent)
        await gate.policy.close()
        await registry.close()

    asyncio.run(serve())


def run_replicas(settings: Settings, registry_records: list[RegistryRecord], topic: str, expected: int,
                 timeout_s: float, gates: int, pids: dict[str, int | None]) -> tuple[float, dict[str, float]]:
    """Judge the events on ``topic`` with ``gates`` gate processes in one consumer group over as
    many partitions; decisions per second, and the CPU seconds the gates spent together (each
    from getting its partitions on) and each of ``pids`` spent while the clock ran.

    With one replica the clock starts when it has started, so joining its group counts against
    it. With several it starts when every replica has its partitions: none gets any before all
    have joined (:class:`_Quorum`), and the join, which waits for a heartbeat of each replica
    already in the group (up to 3 s each), would otherwise weigh on a run of a few seconds."""
    context = multiprocessing.get_context("spawn")
    started, assigned = context.Semaphore(0), context.Semaphore(0)
    measured, stop, used = context.Event(), context.Event(), context.Queue()
    replicas = [context.Process(target=_gate_process, args=(settings.model_dump_json(), registry_records, gates,
                                                            topic, started, assigned, measured, stop, used))
                for _ in range(gates)]
    spent: dict[str, float] = {}
    for replica in replicas:
        replica.start()
    try:
        if not started.acquire(timeout=120):
            raise SystemExit("no gate replica started within 120 s")
        if gates > 1 and not all(assigned.acquire(timeout=120) for _ in range(gates)):
            raise SystemExit(f"the {gates} gate replicas did not all get partitions of {topic} within 120 s")
        clock, before = time.time(), {who: cpu_seconds(pid) for who, pid in pids.items()}

        def all_in() -> None:  # what each process spent while the clock ran, not while the decisions are read
            spent.update({who: cpu_seconds(pid) - before[who] for who, pid in pids.items()})
            measured.set()

        judged = last_decision_at(settings, settings.kafka.topics.audit_records, expected, timeout_s, gates, all_in)
    finally:
        stop.set()
        cpu = sum(used.get(timeout=60) for _ in replicas)  # before join: a process with queued data waits
        for replica in replicas:
            replica.join(60)
    if judged is None:
        raise SystemExit(f"fewer than {expected} decisions within {timeout_s:.0f}s")
    last, repeats = judged
    if repeats:
        print(f"  ({repeats} decisions repeated after a rebalance; counted once)", flush=True)
    return expected / (last - clock), {"gate": cpu, **spent}


def judge_once(traffic: Traffic, base: Settings, args: argparse.Namespace, batching: bool, payloads: Payloads,
               pids: dict[str, int | None]) -> tuple[float, dict[str, float], int]:
    """One run of a mode on fresh topics: decisions/s, the CPU seconds the gates and each of
    ``pids`` spent meanwhile, and how many events were allowed (work published)."""
    settings = mode_settings(base, batching, args.batch, args.chunk)
    prepare(settings, getattr(settings.kafka.topics, traffic.topic), payloads, args.gates)
    try:
        rate, spent = run_replicas(settings, traffic.registry, getattr(settings.kafka.topics, traffic.topic),
                                   len(payloads), 600, args.gates, pids)
        return rate, spent, allowed_count(settings, getattr(settings.kafka.topics, traffic.work_topic), args.gates)
    finally:
        remove_topics(settings)


def measure(traffic: Traffic, base: Settings, args: argparse.Namespace, pids: dict[str, int | None]) -> bool:
    """Both modes for one kind of traffic, each ``args.repeat`` times on fresh topics; prints the
    median rate (and the range: this machine's runs vary) and the median CPU per decision;
    True when the medians meet both targets."""
    sample = traffic.payloads(1, "size")[0][1]
    print(f"== {traffic.name}: {traffic.description} ({len(sample) / 1024:.1f} KiB per event)", flush=True)
    if args.warmup:  # neither mode pays for a cold broker (JIT) or OPA; the per-event one runs first
        per_event = max(1, args.warmup // 10)
        for batching, n in ((False, per_event), (True, args.warmup)):
            judge_once(traffic, base, args, batching, traffic.payloads(n, "warm"), pids)
        print(f"{'warm-up (not counted)':<32} {per_event:>6} per-event, {args.warmup} batched", flush=True)
    modes = (("per-event (1 OPA call each)", False, args.baseline_events),
             (f"batched (≤{args.chunk} per OPA call)", True, args.events))
    payloads = {name: traffic.payloads(n, name[:5]) for name, _, n in modes}
    rates: dict[str, list[float]] = {name: [] for name, _, _ in modes}
    used: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in modes}
    allowed: dict[str, int] = {}
    for _ in range(args.repeat):  # the modes take turns, so a slow spell of the machine slows both alike
        for name, batching, n in modes:
            rate, spent, allowed[name] = judge_once(traffic, base, args, batching, payloads[name], pids)
            rates[name].append(rate)
            used[name].append({who: seconds / n * 1e6 for who, seconds in spent.items()})
    results, cpu = {}, {}
    for name, _, n in modes:
        results[name] = statistics.median(rates[name])
        cpu[name] = {who: statistics.median(u[who] for u in used[name]) for who in used[name][0]}
        spread = f"  range {min(rates[name]):,.0f}–{max(rates[name]):,.0f}" if len(rates[name]) > 1 else ""
        print(f"{name:<32} {n:>6} events  {results[name]:>9,.0f} decisions/s{spread}  "
              f"({allowed[name]} work published)", flush=True)
    baseline, batched = results.values()
    ratio = batched / baseline
    print(f"{'ratio batched / per-event':<32} {'':>6}         {ratio:>9.2f}×")

    cores = os.cpu_count() or 1
    print(f"CPU µs per decision (all cores at {TARGET_RATE:,}/s: {cores * 1e6 / TARGET_RATE:,.0f} µs on {cores})")
    print(f"{'':<32} " + " ".join(f"{who:>8}" for who in ("gate", *pids)) + f" {'total':>8}  cores busy")
    totals = {name: sum(v for v in median.values() if not math.isnan(v)) for name, median in cpu.items()}
    for name, median in cpu.items():  # cores busy: the median rate times the median CPU per decision
        print(f"{name:<32} " + " ".join(f"{v:>8,.0f}" for v in median.values()) + f" {totals[name]:>8,.0f}"
              f"  {results[name] * totals[name] / 1e6:.2f} of {cores}")
    per_event_cpu, batched_cpu = totals.values()
    print(f"{'CPU ratio per-event / batched':<32} {'':>6}         {per_event_cpu / batched_cpu:>9.1f}×  "
          "(where both modes keep the cores equally busy, the rate ratio tends to this)")
    missed = [f"batched {batched:,.0f} decisions/s < {TARGET_RATE:,}"] if batched < TARGET_RATE else []
    missed += [f"ratio {ratio:.2f}× < {TARGET_RATIO:.0f}×"] if ratio < TARGET_RATIO else []
    print(f"{traffic.name}: " + (f"TARGETS MISSED: {'; '.join(missed)}" if missed else "targets met") + "\n",
          flush=True)
    return not missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traffic", nargs="+", choices=["sim", "camera"], default=["sim", "camera"])
    defaults = Settings().gate
    parser.add_argument("--events", type=int, default=20_000, help="events judged in the batched run")
    parser.add_argument("--baseline-events", type=int, default=2000, help="events judged in the per-event run")
    parser.add_argument("--batch", type=int, default=defaults.max_batch, help="events the gate consumes at once")
    parser.add_argument("--chunk", type=int, default=defaults.opa_chunk,
                        help="events per OPA call (and per audit publish, in both modes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode; medians are reported")
    parser.add_argument("--warmup", type=int, default=20_000,
                        help="events judged batched (and a tenth of them per event) before measuring, not counted "
                             "(0: none), so that neither mode pays for a cold broker or OPA")
    parser.add_argument("--gates", type=int, default=1,
                        help="gate replicas (processes in one consumer group, one partition each)")
    parser.add_argument("--no-check", action="store_true", help="print numbers, never fail")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the gate's and FastStream's per-batch lines

    base = Settings()
    kinds = {"sim": lambda: sim_traffic(base), "camera": camera_traffic}
    print(f"targets: ≥ {TARGET_RATE:,} decisions/s batched, ≥ {TARGET_RATIO:.0f}× the per-event baseline; "
          f"{os.cpu_count()} CPUs; {args.gates} gate replica(s)\n", flush=True)
    met = {}
    for name in args.traffic:
        with own_opa(base) as settings:  # a fresh OPA per kind: no heap or caches carried over
            pids = {"OPA": ProcessDir(settings.state_dir).pid_of("opa"),
                    "Kafka": ProcessDir(base.state_dir).pid_of("kafka")}
            met[name] = measure(kinds[name](), settings, args, pids)
    print("result: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items()))
    return 0 if all(met.values()) or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
