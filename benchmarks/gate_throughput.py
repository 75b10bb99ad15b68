"""Decisions per second through the gate: batched OPA calls vs one OPA call per event.

Runs against the real Kafka and OPA of a running stack (`custodes stack up`), in one run,
same events, same machine:

    .venv/bin/python benchmarks/gate_throughput.py [--events 5000] [--batch 500]

Each mode gets fresh, uniquely named topics, so nothing reaches the stack's own services.
Events are SIM registrations whose two images are 112×112 face crops (the gate never looks
at pixels; full-size photos would measure Kafka's byte throughput instead of the gate).
The clock runs from the first to the last decision appended to the audit topic (Kafka's
append times), so the consumer group's start-up is not counted; the audit records are
confirmed by Kafka before they count. Prints decisions/s per mode and the ratio; exits 1 if either target is missed
(≥ 5,000 decisions/s batched, ≥ 10× the per-event baseline) unless --no-check.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from PIL import Image

from custodes.events.sim_factory import sim_event
from custodes.gate.service import build_gate
from custodes.settings import Settings

TARGET_RATE = 5_000
TARGET_RATIO = 10.0


def small_crop(path: Path, side: int = 112) -> Path:
    out = Path("/tmp") / f"custodes-bench-{path.stem}-{side}.jpg"
    if not out.exists():
        image = Image.open(path).convert("RGB")
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        out.write_bytes(buffer.getvalue())
    return out


def mode_settings(base: Settings, batching: bool, batch: int) -> Settings:
    tag = uuid.uuid4().hex[:8]
    topics = base.kafka.topics.model_copy(update={
        "sim_registrations": f"bench.{tag}.sim", "recognition_requests": f"bench.{tag}.work",
        "audit_records": f"bench.{tag}.audit", "camera_faces": f"bench.{tag}.camera",
        "identification_requests": f"bench.{tag}.identification",
    })
    return base.model_copy(update={
        "kafka": base.kafka.model_copy(update={"topics": topics}),
        "gate": base.gate.model_copy(update={"batching": batching, "max_batch": batch,
                                             "group_id": f"bench-{tag}"}),
    })


def prepare(settings: Settings, payloads: list[tuple[bytes, bytes]]) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    t = settings.kafka.topics
    admin.create_topics([NewTopic(n, 1, 1, topic_configs={"message.timestamp.type": "LogAppendTime"}) for n in (
        t.sim_registrations, t.recognition_requests, t.audit_records, f"{t.sim_registrations}.dlq",
        t.camera_faces, f"{t.camera_faces}.dlq", t.identification_requests)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", linger_ms=5,
                             batch_size=1 << 20, max_request_size=settings.kafka.max_message_bytes)
    for key, value in payloads:
        producer.send(t.sim_registrations, key=key, value=value)
    producer.flush(120)
    producer.close()


def decision_span(settings: Settings, topic: str, expected: int, timeout_s: float) -> float | None:
    """Seconds between the first and the last decision on ``topic`` (Kafka append times), once
    ``expected`` decisions are there; None on timeout. Polls end offsets only, so the
    measuring costs the gate (same process) almost nothing."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    partition = TopicPartition(topic, 0)
    deadline = time.monotonic() + timeout_s
    try:
        while consumer.end_offsets([partition])[partition] < expected:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)
        consumer.assign([partition])
        stamps = []
        for offset in (0, expected - 1):
            consumer.seek(partition, offset)
            stamps.append(next(iter(consumer.poll(timeout_ms=5000, max_records=1).values()))[0].timestamp)
        return (stamps[1] - stamps[0]) / 1000
    finally:
        consumer.close()


async def run_mode(settings: Settings, expected: int, timeout_s: float) -> float:
    gate = build_gate(settings)
    await gate.broker.start()
    try:
        span = await asyncio.to_thread(decision_span, settings, settings.kafka.topics.audit_records, expected,
                                       timeout_s)
    finally:
        await gate.broker.stop()
        await gate.policy.close()
    if span is None:
        raise SystemExit(f"fewer than {expected} decisions within {timeout_s:.0f}s")
    return (expected - 1) / span


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events judged in the batched run")
    parser.add_argument("--baseline-events", type=int, default=1000, help="events judged in the per-event run")
    parser.add_argument("--batch", type=int, default=500, help="gate max batch")
    parser.add_argument("--no-check", action="store_true", help="print numbers, never fail")
    args = parser.parse_args()

    base = Settings()
    images = base.images_dir / "face_recognition"
    selfie, portrait = small_crop(images / "obama.jpg"), small_crop(images / "obama2.jpg")
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    template = sim_event("bench-0", selfie, portrait, occurred_at=epoch)

    def payloads(n: int, tag: str) -> list[tuple[bytes, bytes]]:
        out = []
        for i in range(n):
            event = template.model_copy(update={"event_id": f"bench-{tag}-{i}",
                                                "occurred_at": epoch + timedelta(seconds=i)})
            out.append((event.event_id.encode(), event.model_dump_json().encode()))
        return out

    results = {}
    for name, batching, n in (("per-event (1 OPA call each)", False, args.baseline_events),
                              (f"batched (≤{args.batch} per OPA call)", True, args.events)):
        settings = mode_settings(base, batching, args.batch)
        prepare(settings, payloads(n, name[:5]))
        rate = asyncio.run(run_mode(settings, n, timeout_s=600))
        results[name] = rate
        print(f"{name:<32} {n:>6} events  {rate:>9,.0f} decisions/s", flush=True)

    baseline, batched = results.values()
    ratio = batched / baseline
    print(f"{'ratio batched / per-event':<32} {'':>6}         {ratio:>9.1f}×")
    print(f"targets: ≥ {TARGET_RATE:,} decisions/s batched, ≥ {TARGET_RATIO:.0f}× the per-event baseline")
    ok = batched >= TARGET_RATE and ratio >= TARGET_RATIO
    print("result: " + ("targets met" if ok else "TARGETS MISSED"))
    return 0 if ok or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
