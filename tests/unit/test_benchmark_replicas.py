"""The gate benchmark's replicas share partitions only once all have joined (benchmarks/gate_throughput.py)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment, ConsumerProtocolMemberMetadata

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from gate_throughput import quorum  # noqa: E402


class _Cluster(ClusterMetadata):
    """Two topics of two partitions each, as the benchmark creates them for two replicas."""

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return {0, 1} if topic in ("events", "other") else None


def _members(n: int) -> dict[str, ConsumerProtocolMemberMetadata]:
    return {f"member-{i}": ConsumerProtocolMemberMetadata(0, ["events"], b"") for i in range(n)}


def _partitions(assignment: ConsumerProtocolMemberAssignment) -> list[tuple[str, list[int]]]:
    return [(topic, list(partitions)) for topic, partitions in assignment.assignment if partitions]


def test_no_replica_gets_a_partition_before_all_have_joined() -> None:
    assignor = quorum(2, "events", None)
    alone = assignor.assign(_Cluster(), _members(1))
    assert list(alone) == ["member-0"] and _partitions(alone["member-0"]) == []


def test_once_all_have_joined_each_replica_gets_its_share() -> None:
    both = quorum(2, "events", None).assign(_Cluster(), _members(2))
    assert sorted(_partitions(a) for a in both.values()) == [[("events", [0])], [("events", [1])]]


def test_one_replica_takes_every_partition_at_once() -> None:
    only = quorum(1, "events", None).assign(_Cluster(), _members(1))
    assert _partitions(only["member-0"]) == [("events", [0, 1])]


def test_a_replica_says_so_only_when_it_gets_partitions_of_the_judged_topic() -> None:
    assigned = threading.Semaphore(0)
    assignor = quorum(2, "events", assigned)
    assignor.on_assignment(ConsumerProtocolMemberAssignment(0, [], b""))
    assignor.on_assignment(ConsumerProtocolMemberAssignment(0, [("other", [0])], b""))
    assert not assigned.acquire(blocking=False)
    assert assignor.cpu_since_assignment() == 0.0  # no CPU counted before it has partitions
    assignor.on_assignment(ConsumerProtocolMemberAssignment(0, [("events", [1])], b""))
    assert assigned.acquire(blocking=False)
    before = assignor.cpu_since_assignment()
    sum(i * i for i in range(200_000))
    assert assignor.cpu_since_assignment() > before >= 0.0
