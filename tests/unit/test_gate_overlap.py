"""Batches concluded one over another: offsets committed in the order consumed, a failure
rewinds it and what came after (custodes.gate.overlap; the gate on the real broker is in
tests/integration/test_ingest_kafka.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError

from custodes.gate.overlap import OverlappedBatches

P0, P1 = TopicPartition("events", 0), TopicPartition("events", 1)


class Consumer:
    """aiokafka's consumer as far as OverlappedBatches uses it, recording commits and seeks."""

    def __init__(self, assigned: set[TopicPartition] = frozenset({P0, P1}), refuse: int = 0) -> None:
        self.assigned = set(assigned)
        self.commits: list[dict[TopicPartition, int]] = []
        self.seeks: dict[TopicPartition, int] = {}
        self.refuse = refuse  # commits to refuse first

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks[partition] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await asyncio.sleep(0)
        if self.refuse:
            self.refuse -= 1
            raise CommitFailedError("a rebalance is in progress")
        self.commits.append(dict(offsets))


def records(*spans: tuple[TopicPartition, int, int]) -> list[SimpleNamespace]:
    """Records of each partition from one offset up to (not including) another."""
    return [SimpleNamespace(topic=tp.topic, partition=tp.partition, offset=offset)
            for tp, start, end in spans for offset in range(start, end)]


class Conclusion:
    """A batch's conclusion the test ends: ``finish()`` or ``fail()``; ``cancelled`` if it was.
    It has read its batch at once, unless made with ``reading=True``: then once ``read()``."""

    def __init__(self, reading: bool = False) -> None:
        loop = asyncio.get_running_loop()
        self.outcome: asyncio.Future[None] = loop.create_future()
        self.reading: asyncio.Future[None] = loop.create_future()
        if not reading:
            self.reading.set_result(None)
        self.cancelled = False

    async def __call__(self, read) -> None:
        try:
            await self.reading
            read()
            await self.outcome
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    def read(self) -> None:
        self.reading.set_result(None)

    def finish(self) -> None:
        self.outcome.set_result(None)

    def fail(self) -> None:
        self.outcome.set_exception(RuntimeError("Kafka refused an audit record"))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_batch_is_committed_only_after_every_batch_before_it() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=2)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 5), (P1, 0, 3)), first)
    await batches.submit(consumer, records((P0, 5, 8)), second)
    second.finish()
    await settle()
    assert consumer.commits == [], "the second batch is concluded, the first is not"
    first.finish()
    await settle()
    assert consumer.commits == [{P0: 5, P1: 3}, {P0: 8}]
    assert batches.outstanding == 0


async def test_submit_returns_once_at_most_behind_batches_are_still_being_concluded() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=1)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 5)), first)
    assert batches.outstanding == 1, "the handler returned with its batch still being concluded"
    submitting = asyncio.create_task(batches.submit(consumer, records((P0, 5, 8)), second))
    await settle()
    assert not submitting.done(), "two batches would be outstanding"
    first.finish()
    await settle()
    assert submitting.done() and batches.outstanding == 1
    assert consumer.commits == [{P0: 5}]


async def test_submit_returns_only_once_its_batch_is_read_so_batches_are_read_in_turn() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=1)
    first = Conclusion(reading=True)
    submitting = asyncio.create_task(batches.submit(consumer, records((P0, 0, 5)), first))
    await settle()
    assert not submitting.done(), "the next batch would be read while this one still is"
    first.read()
    await settle()
    assert submitting.done() and batches.outstanding == 1, "read, and left being concluded"


async def test_a_batch_that_fails_while_read_lets_submit_return() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=1)
    first = Conclusion(reading=True)
    submitting = asyncio.create_task(batches.submit(consumer, records((P0, 0, 5)), first))
    await settle()
    first.reading.set_exception(RuntimeError("Kafka refused a dead letter"))
    await asyncio.wait_for(submitting, 1)
    assert consumer.seeks == {P0: 0} and batches.outstanding == 0


async def test_a_failed_batch_and_those_after_it_are_read_again_from_their_earliest_offsets() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=3)
    first, second, third = Conclusion(), Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 4)), first)
    await batches.submit(consumer, records((P0, 4, 6)), second)
    await batches.submit(consumer, records((P0, 6, 9), (P1, 0, 2)), third)
    await settle()  # every conclusion under way
    second.fail()
    await settle()
    assert third.cancelled and not first.cancelled
    assert consumer.seeks == {P0: 4, P1: 0}, "each partition to the earliest offset a failed or later batch read"
    assert batches.outstanding == 1
    first.finish()
    await settle()
    assert consumer.commits == [{P0: 4}], "the batch before the failure is committed, none after it"


async def test_a_failure_before_a_concluded_batch_keeps_it_from_being_committed() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=2)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P1, 10, 20)), first)
    await batches.submit(consumer, records((P1, 20, 30), (P0, 7, 9)), second)
    second.finish()
    await settle()
    first.fail()
    await settle()
    assert consumer.commits == []
    assert consumer.seeks == {P1: 10, P0: 7}
    assert batches.outstanding == 0


async def test_partitions_a_rebalance_took_are_neither_committed_nor_rewound(caplog) -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=2)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 3), (P1, 0, 3)), first)
    await batches.submit(consumer, records((P0, 3, 6), (P1, 3, 6)), second)
    consumer.assigned = {P0}
    first.finish()
    await settle()
    assert consumer.commits == [{P0: 3}]
    assert "1 partitions of a batch of 6 events were taken by a rebalance" in caplog.text
    second.fail()
    await settle()
    assert consumer.seeks == {P0: 3}


async def test_a_commit_kafka_refuses_is_logged_and_the_next_goes_on(caplog) -> None:
    consumer, batches = Consumer(refuse=1), OverlappedBatches("test", behind=2)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 3)), first)
    await batches.submit(consumer, records((P0, 3, 6)), second)
    first.finish()
    second.finish()
    await settle()
    assert consumer.commits == [{P0: 6}], "the later commit covers the refused one's offsets"
    assert "Kafka refused to commit a batch of 3 events" in caplog.text
    assert batches.outstanding == 0


async def test_drain_waits_for_every_batch_and_then_no_batch_is_left_outstanding() -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=1)
    first, second = Conclusion(), Conclusion()
    await batches.submit(consumer, records((P0, 0, 3)), first)
    draining = asyncio.create_task(batches.drain())
    await settle()
    assert not draining.done()
    first.finish()
    await asyncio.wait_for(draining, 1)
    assert consumer.commits == [{P0: 3}]
    submitting = asyncio.create_task(batches.submit(consumer, records((P0, 3, 5)), second))
    await settle()
    assert not submitting.done(), "after drain, submit returns only once its batch is concluded"
    second.finish()
    await asyncio.wait_for(submitting, 1)
    assert consumer.commits == [{P0: 3}, {P0: 5}] and batches.outstanding == 0


@pytest.mark.parametrize("behind", [1, 2])
async def test_every_batch_of_a_steady_stream_is_committed_in_order(behind: int) -> None:
    consumer, batches = Consumer(), OverlappedBatches("test", behind=behind)

    async def conclude(read, delay: float) -> None:
        read()
        await asyncio.sleep(delay)

    for n, delay in enumerate([0.003, 0.0, 0.002, 0.0, 0.001, 0.0]):
        await batches.submit(consumer, records((P0, 10 * n, 10 * n + 10)), lambda read, d=delay: conclude(read, d))
    await batches.drain()
    assert consumer.commits == [{P0: 10 * n + 10} for n in range(6)]
