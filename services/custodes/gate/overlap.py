"""Batches of one consumer concluded one over another, their offsets committed in order.

A gate that concluded each batch before fetching the next would leave its event loop idle at
every batch's end, while the last OPA call and Kafka's acknowledgements of its records are in
flight. Here the handler hands its batch over (:meth:`OverlappedBatches.submit`) and returns
once the batch is read and at most ``behind`` batches are still being concluded, so the next
batch is read and judged meanwhile. Batches are read one after another: what the gate writes
while reading (a rejection's audit record) keeps the order of the partition. The price is
memory, one batch more held at once (up to ``gate.fetch_bytes`` of events per partition, and
what the gate builds from them). What at-least-once needs still holds:

- a batch's offsets are committed only once it, and every batch consumed before it, is
  concluded (commits go out in the order the batches were consumed);
- a batch that fails is logged, and it and every batch consumed after it are cancelled; each
  partition any of them read is rewound to the earliest offset one of them read there, so the
  consumer reads all of them again (the gate's deterministic ids keep one ledger record per
  event), as FastStream's ``NACK_ON_ERROR`` rewinds a single batch;
- a commit Kafka refuses (say, while a rebalance takes the partition) is logged, not retried:
  the next batch's commit covers its offsets, or the partition's next owner reads on from the
  offset last committed and judges the batch again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

log = logging.getLogger("custodes.gate")


class Consumer(Protocol):
    """What of aiokafka's consumer this needs."""

    def assignment(self) -> set[TopicPartition]: ...

    def seek(self, partition: TopicPartition, offset: int) -> None: ...

    async def commit(self, offsets: dict[TopicPartition, int]) -> None: ...


@dataclass(eq=False)
class _Batch:
    events: int
    starts: dict[TopicPartition, int]  # per partition, the first offset the batch read
    ends: dict[TopicPartition, int]  # and the offset after the last
    task: asyncio.Task[None] = field(init=False)


def _bounds(records: Sequence[Any]) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
    starts: dict[TopicPartition, int] = {}
    ends: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        starts[tp] = min(record.offset, starts.get(tp, record.offset))
        ends[tp] = max(record.offset + 1, ends.get(tp, 0))
    return starts, ends


class OverlappedBatches:
    """The batches of one consumer still being concluded (module docstring)."""

    def __init__(self, name: str, behind: int = 1) -> None:
        self._name = name
        self._behind = behind  # batches a handler may leave being concluded when it returns
        self._outstanding: list[_Batch] = []  # in the order consumed
        self._closing = False

    @property
    def outstanding(self) -> int:
        return len(self._outstanding)

    async def submit(self, consumer: Consumer, records: Sequence[Any],
                     conclude: Callable[[Callable[[], None]], Awaitable[None]]) -> None:
        """Conclude ``records`` (a batch ``consumer`` returned) with ``conclude(read)``, which
        calls ``read()`` once it has read them, and then commit their offsets; return once the
        batch is read (or has failed) and at most ``behind`` batches are still being concluded
        (none after :meth:`drain`). Never raises for the batch: a failure is logged and rewound."""
        batch = _Batch(len(records), *_bounds(records))
        before = self._outstanding[-1] if self._outstanding else None
        self._outstanding.append(batch)
        read: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        batch.task = asyncio.create_task(self._conclude(
            consumer, batch, before, lambda: conclude(lambda: read.done() or read.set_result(None))))
        await asyncio.wait({read, batch.task}, return_when=asyncio.FIRST_COMPLETED)
        most = 0 if self._closing else self._behind
        while len(self._outstanding) > most:
            await asyncio.wait({self._outstanding[0].task})

    async def drain(self) -> None:
        """Wait for every batch being concluded; from now on each is concluded before
        :meth:`submit` returns (for a shutdown, before the consumer stops)."""
        self._closing = True
        tasks = [batch.task for batch in self._outstanding]
        if tasks:
            await asyncio.wait(tasks)

    async def _conclude(self, consumer: Consumer, batch: _Batch, before: _Batch | None,
                        conclude: Callable[[], Awaitable[None]]) -> None:
        try:
            try:
                await conclude()
            except Exception:
                log.exception("%s: a batch of %d events failed; it and the %d batches after it are read again",
                              self._name, batch.events, len(self._outstanding) - 1 - self._outstanding.index(batch))
                self._rewind(consumer, batch)
                return
            if before is not None:  # a failure there cancels this batch
                await asyncio.wait({before.task})
            await self._commit(consumer, batch)
        finally:
            if batch in self._outstanding:
                self._outstanding.remove(batch)

    def _rewind(self, consumer: Consumer, failed: _Batch) -> None:
        """Cancel ``failed`` and every batch after it, and rewind their partitions."""
        at = self._outstanding.index(failed)
        batches = self._outstanding[at:]
        del self._outstanding[at:]
        starts: dict[TopicPartition, int] = {}
        for batch in batches:
            if batch is not failed:
                batch.task.cancel()
            for tp, offset in batch.starts.items():
                starts[tp] = min(offset, starts.get(tp, offset))
        assigned = consumer.assignment()
        for tp, offset in starts.items():
            if tp in assigned:  # a partition a rebalance took is read by its next owner from its last commit
                consumer.seek(tp, offset)

    async def _commit(self, consumer: Consumer, batch: _Batch) -> None:
        assigned = consumer.assignment()
        offsets = {tp: end for tp, end in batch.ends.items() if tp in assigned}
        if len(offsets) < len(batch.ends):
            log.warning("%s: %d partitions of a batch of %d events were taken by a rebalance before its commit; "
                        "their next owner judges their events again", self._name, len(batch.ends) - len(offsets),
                        batch.events)
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except KafkaError as exc:
            log.warning("%s: Kafka refused to commit a batch of %d events (%s): a later commit of its partitions "
                        "covers them, or their next owner judges them again", self._name, batch.events, exc)
