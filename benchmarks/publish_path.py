"""The gate's publish path: CPU per record, FastStream's ``publish_batch`` against the gate's
``publish_chunked`` (records straight into aiokafka's batch builder), in one run.

Runs against the Kafka of a running stack (`custodes stack up --only kafka`), on a topic of its
own that it removes afterwards:

    .venv/bin/python benchmarks/publish_path.py [--records 500] [--rounds 7]

What is published is what the gate publishes for one chunk of SIM registrations: ``--records``
recognition requests (the benchmark's SIM event, two 112×112 JPEGs by value, with a decision;
keyed) and as many audit records of a policy decision's size (unkeyed). Both paths publish the
same records and await Kafka's acknowledgement, in a process tuned as the gate's
(``tune_process``); the two take turns, round after round, so a
slow spell of the machine slows both. Prints, per kind of record, the median CPU time of the
publishing thread per record (the event loop's: what the gate pays on its critical path; the
first round is a warm-up and not counted), the range, and the ratio of the two paths.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from faststream.kafka import KafkaBroker
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

sys.path.insert(0, str(Path(__file__).resolve().parent))

from custodes.events import PolicyDecision  # noqa: E402
from custodes.gate.service import (  # noqa: E402
    PUBLISH_BATCH_BYTES,
    _publish_batches,
    publish_chunked,
    tune_process,
    work_payload,
)
from custodes.settings import Settings  # noqa: E402
from custodes.stack.topics import broker_ready  # noqa: E402
from gate_throughput import sim_traffic  # noqa: E402

HEADERS = {"content-type": "application/json"}


def records(settings: Settings, count: int) -> dict[str, tuple[list[bytes], list[bytes] | None]]:
    """Per kind: the payloads and keys (None: unkeyed) of one chunk."""
    decision = PolicyDecision(allow=True, decision_id="dec-0123456789abcdef0123456789abcdef",
                              policy_revision="custodes@bench", jurisdictions=["KE"],
                              use_case="sim_registration_verification",
                              obligations={"review_quorum": 1, "max_fmr": 0.001, "retain_days": 30},
                              reasons=[{"code": "sim_registration_allowed", "requirement": "KE-01",
                                        "legal_ref": "KE SIM Registration Regulations", "message": "allowed"}],
                              decided_at=datetime.now(UTC))
    events = sim_traffic(settings).payloads(count, "publish")
    decision_json = decision.model_dump_json().encode()
    work = [work_payload(value, decision_json) for _, value in events]
    audit = [b'{"kind":"policy_decision","details":"' + b"x" * 1600 + b'"}' for _ in events]
    return {"recognition request": (work, [key for key, _ in events]), "audit record": (audit, None)}


async def measure(settings: Settings, count: int, rounds: int) -> None:
    topic = f"bench-publish-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    admin.create_topics([NewTopic(topic, 1, 1)])
    broker = KafkaBroker(settings.kafka.bootstrap_servers, max_request_size=settings.kafka.max_message_bytes,
                         max_batch_size=PUBLISH_BATCH_BYTES)
    try:
        await broker.start()
        paths = {"FastStream publish_batch": _publish_batches, "publish_chunked": publish_chunked}
        for kind, (payloads, keys) in records(settings, count).items():
            size = sum(map(len, payloads)) // len(payloads)
            spent: dict[str, list[float]] = {name: [] for name in paths}
            for round_ in range(rounds + 1):
                for name, publish in paths.items():
                    before = time.thread_time()
                    await publish(broker, payloads, topic, HEADERS, keys)
                    if round_:  # the first round warms up the connection and the broker
                        spent[name].append((time.thread_time() - before) / len(payloads) * 1e6)
            medians = {name: statistics.median(values) for name, values in spent.items()}
            print(f"{kind}s, {len(payloads)} of {size:,} bytes a chunk, {rounds} rounds:")
            for name, values in spent.items():
                print(f"  {name:<26} {medians[name]:6.1f} µs CPU a record (range {min(values):.1f}–{max(values):.1f})")
            base, new = medians["FastStream publish_batch"], medians["publish_chunked"]
            print(f"  publish_chunked / publish_batch: {new / base:.2f} ({base - new:+.1f} µs a record saved)\n")
    finally:
        await broker.stop()
        admin.delete_topics([topic])
        admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500, help="records of each kind per chunk")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (after one warm-up round)")
    args = parser.parse_args()
    settings = Settings()
    tune_process(settings.gate)  # as the gate's main() does: its buffers come from a heap it keeps
    ready, detail = broker_ready(settings)
    if not ready:
        print(f"Kafka at {settings.kafka.bootstrap_servers} is not ready ({detail}); "
              "start it with `.venv/bin/custodes stack up --only kafka`", file=sys.stderr)
        return 2
    asyncio.run(measure(settings, args.records, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
