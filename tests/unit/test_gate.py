"""The gate's handler with FastStream's in-memory broker (the same broker the service runs).

The real-broker path is covered by tests/integration/test_sim_end_to_end.py.
"""

from __future__ import annotations

import gc
import json
import platform
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from hypothesis import given
from hypothesis import strategies as st

from custodes.events.sim_factory import sim_event
from custodes.gate.service import _after_last_record, build_gate, even_chunk, tune_collector
from custodes.policy.client import PolicyClient
from tests.unit.gate_harness import registry_topics_empty, through_gate

REASON = {"code": "c", "requirement": "KE-01", "legal_ref": "l", "message": "m"}


@pytest.fixture
def event_bytes(images: Path) -> bytes:
    return sim_event("evt-unit-1", images / "obama.jpg", images / "obama2.jpg").model_dump_json().encode()


@pytest.mark.parametrize("batching", [True, False], ids=["batched", "per-event"])
async def test_allowed_event_is_audited_then_published_with_obligations(settings, event_bytes, batching) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON], "obligations": {"max_fmr": 0.01}}
    seen = await through_gate(settings, answer, [event_bytes], batching=batching)
    assert [a["kind"] for a in seen["audit"]] == ["policy_decision"]
    assert seen["audit"][0]["allowed"] is True
    assert len(seen["work"]) == 1
    assert seen["work"][0]["decision"]["obligations"] == {"max_fmr": 0.01}


async def test_denied_event_is_audited_and_never_published(settings, event_bytes) -> None:
    answer = {"allow": False, "decision_id": "d1", "reasons": [REASON]}
    seen = await through_gate(settings, answer, [event_bytes])
    assert seen["work"] == []
    assert seen["audit"][0]["allowed"] is False
    assert seen["audit"][0]["outcome"] == "denied"


async def test_opa_unreachable_denies_with_policy_unavailable(settings, event_bytes) -> None:
    seen = await through_gate(settings, None, [event_bytes])
    assert seen["work"] == []
    assert seen["audit"][0]["reasons"][0]["code"] == "policy_unavailable"


async def test_audit_record_carries_hashes_never_images(settings, event_bytes) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON]}
    seen = await through_gate(settings, answer, [event_bytes])
    record = seen["audit"][0]
    event = json.loads(event_bytes)
    assert event["selfie"]["data"] not in json.dumps(record)
    assert len(record["input_sha256"]) == 2


@pytest.mark.parametrize(
    ("payload", "code"),
    [(b"not json", "invalid_json"), (b'{"event_id": "x"}', "missing_field")],
    ids=["undecodable", "missing-fields"],
)
async def test_invalid_message_is_dead_lettered_with_original_bytes(settings, payload, code) -> None:
    answer = {"allow": True, "decision_id": "d1", "reasons": [REASON]}
    seen = await through_gate(settings, answer, [payload])
    assert [record.value for record in seen["dlq"]] == [payload]
    reason = json.loads(dict(seen["dlq"][0].headers)["x-custodes-reason"])
    assert reason["code"] == code and reason["topic"] == settings.kafka.topics.sim_registrations
    assert "offset" in reason and "detail" in reason
    assert seen["work"] == []
    assert [a["kind"] for a in seen["audit"]] == ["event_rejected"]
    assert seen["audit"][0]["outcome"] == f"error:{code}"


async def test_a_batch_is_judged_in_pipelined_chunks_each_audited_before_its_work(settings, images: Path) -> None:
    """Five events, chunks of two: three OPA calls; every event audited, and its audit record
    published before its work; the handler returns (offsets commit) only after all of it."""
    calls: list[int] = []

    def opa(request: httpx.Request) -> httpx.Response:
        requests = json.loads(request.content)["input"]["requests"]
        calls.append(len(requests))
        answer = {"allow": True, "decision_id": "d", "reasons": [REASON]}
        return httpx.Response(200, json={"result": {"documents": [answer],
                                                    "decisions": [[0, f"d-{r['id']}"] for r in requests]}})

    policy = PolicyClient(settings.opa.model_copy(update={"retries": 0}), transport=httpx.MockTransport(opa))
    gate = build_gate(settings.model_copy(update={"gate": settings.gate.model_copy(update={"opa_chunk": 2})}), policy,
                      registry_ends=registry_topics_empty)
    topics = settings.kafka.topics
    timeline: list[tuple[str, str]] = []

    @gate.broker.subscriber(topics.audit_records)
    async def _audit(body: dict) -> None:
        timeline.append(("audit", body["event_id"]))

    @gate.broker.subscriber(topics.recognition_requests)
    async def _work(body: dict) -> None:
        timeline.append(("work", body["event"]["event_id"]))

    events = [sim_event(f"evt-{i}", images / "obama.jpg", images / "obama2.jpg").model_dump_json().encode()
              for i in range(5)]
    async with TestKafkaBroker(gate.broker) as broker:
        await broker.publish_batch(*events, topic=topics.sim_registrations)
    await policy.close()
    assert calls == [2, 2, 1]
    for i in range(5):
        assert timeline.index(("audit", f"evt-{i}")) < timeline.index(("work", f"evt-{i}"))
    assert len(timeline) == 10


@given(events=st.integers(1, 20_000), most=st.integers(1, 5_000))
def test_chunks_are_as_few_as_the_limit_allows_and_even(events: int, most: int) -> None:
    size = even_chunk(events, most)
    sizes = [min(size, events - start) for start in range(0, events, size)]
    assert max(sizes) <= most
    assert len(sizes) == -(-events // most)  # no more OPA calls than the limit needs
    assert max(sizes) - min(sizes) <= len(sizes)  # no small tail: 776 by 250 is 4 × 194, not 3 × 250 + 26


@pytest.mark.parametrize("gen0", [0, 50_000])
def test_tune_collector_freezes_what_lives_and_collects_the_young_less_often(gen0) -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        tune_collector(gen0)
        if gen0:
            assert gc.get_threshold()[0] == gen0
            assert gc.get_freeze_count() > frozen  # what is alive now is never scanned again
        else:
            assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)  # 0: Python's collector as it was
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


_FAULTS_PER_ROUND = """
import resource, sys
from custodes.gate.service import tune_allocator
tuned = tune_allocator(int(sys.argv[1]))
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for round in range(12):  # buffers of a few MiB, freed together, as a batch's are
    if round == 4:
        start = faults()
    a, b, c = b"1" * (8 << 20), b"2" * (8 << 20), b"3" * (3 << 20)
    del a, b, c
print(tuned, (faults() - start) / 8)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="tunes glibc's malloc only")
def test_tune_allocator_keeps_freed_buffers_for_reuse_so_the_kernel_does_not_map_them_again() -> None:
    def run(keep_mib: int) -> tuple[str, float]:
        done = subprocess.run([sys.executable, "-c", _FAULTS_PER_ROUND, str(keep_mib)], capture_output=True,
                              text=True, timeout=60, check=True)  # a process of its own: malloc's settings are global
        tuned, faults = done.stdout.split()
        return tuned, float(faults)

    untuned, tuned = run(0), run(256)
    assert untuned[0] == "False" and tuned[0] == "True"
    assert untuned[1] > 1000  # glibc gives the freed MiB back and the kernel maps (faults in) every page again
    assert tuned[1] < 50  # kept and reused


class _PartitionLog:
    """A stand-in for kafka-python's consumer over one partition: ``records`` at some offsets,
    transaction markers up to ``markers_to`` (skipped: the position moves past them, no record
    comes), nothing readable beyond (compacted away: the position stays); the first ``slow``
    polls answer nothing, as a slow broker would."""

    def __init__(self, records: set[int], markers_to: int = 0, slow: int = 0) -> None:
        self.records, self.markers_to, self.slow, self.fetches = records, markers_to, slow, 0
        self._position = 0

    def assign(self, partitions) -> None:
        pass

    def seek(self, tp, offset: int) -> None:
        self._position = offset

    def position(self, tp) -> int:
        return self._position

    def poll(self, timeout_ms: int) -> dict:
        self.fetches += 1
        if self.slow:
            self.slow -= 1
            return {}
        found = sorted(o for o in self.records if o >= self._position)[:3]
        if not found:
            self._position = max(self._position, self.markers_to)
            return {}
        self._position = found[-1] + 1
        return {"tp": [SimpleNamespace(offset=o) for o in found]}


@pytest.mark.parametrize(("records", "markers_to", "begin", "end", "expected"), [
    ({0, 1, 2}, 3, 0, 3, 3),  # the usual partition: its last offset is a record
    ({0, 1, 2}, 4, 0, 4, 3),  # a transaction's commit marker at the end
    ({0, 1, 2, 50}, 51, 0, 300, 51),  # a long tail compacted away
    ({7, 9}, 10, 5, 4000, 10),
    ({0, 1, 2, 40}, 300, 0, 300, 41),  # markers, then a compacted tail
    (set(), 0, 0, 40, 0),  # no record at all: nothing to wait for
    (set(), 40, 12, 40, 0),
    ({5}, 6, 5, 6, 6),
])
def test_registry_partition_ends_after_its_last_record(records, markers_to, begin, end, expected) -> None:
    assert _after_last_record(_PartitionLog(records, markers_to), "tp", begin, end, stalled_s=0.05) == expected


def test_a_registry_partition_ending_in_a_record_costs_one_fetch() -> None:
    log = _PartitionLog(set(range(10_000)), 10_000)
    assert _after_last_record(log, "tp", 0, 10_000) == 10_000
    assert log.fetches == 1


def test_a_slow_broker_is_waited_for_not_taken_for_an_empty_tail() -> None:
    """Ending low would let the gate judge before the mirror read the records past that end."""
    log = _PartitionLog({0, 1, 2, 3}, 4, slow=5)
    assert _after_last_record(log, "tp", 0, 4, stalled_s=2.0) == 4
