"""Sending the simulated stream: to Kafka (or a JSON-lines file), paced, with a progress bar.

Contract:
- :class:`KafkaSink` produces with kafka-python, ``acks=all``, keyed by event id, and
  ``max_request_size = settings.kafka.max_message_bytes``; :meth:`Sink.close` flushes and
  returns one :class:`Delivery` per message (partition and offset, or the error);
- :func:`send_stream` sends message ``i`` no earlier than ``i / rate`` seconds after the
  start and never reorders; it stops after ``count`` messages or after ``duration_s``
  seconds (at most ``ceil(rate × duration_s)`` messages), whichever comes first; neither
  means until interrupted;
- the report's ``digest`` is the sha256 of what was sent (topic, key, headers, value, in
  order): the same options give the same digest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from custodes.settings import Settings
from custodes.simulator.stream import Message, Options, Simulation

__all__ = ["Delivery", "FileSink", "KafkaSink", "Report", "Sink", "send_stream", "simulate"]


@dataclass(frozen=True)
class Delivery:
    """Where one message landed (``error`` set when Kafka refused it). ``message`` comes without
    its value (a long run must not keep every image); ``size`` is the value's length."""

    message: Message
    size: int = 0
    partition: int | None = None
    offset: int | None = None
    error: str | None = None

    @classmethod
    def of(cls, message: Message, **where: Any) -> Delivery:
        return cls(replace(message, value=b""), len(message.value), **where)


class Sink(Protocol):
    def send(self, message: Message) -> None: ...

    def close(self) -> list[Delivery]: ...


class KafkaSink:
    """The real Kafka of ``settings``; ``close`` waits for every acknowledgement."""

    def __init__(self, settings: Settings, client_id: str = "custodes-simulate", timeout_s: float = 60.0) -> None:
        self._producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all",
                                       max_request_size=settings.kafka.max_message_bytes, client_id=client_id,
                                       linger_ms=5)
        self._pending: list[tuple[Delivery, FutureRecordMetadata]] = []
        self._timeout_s = timeout_s

    def send(self, message: Message) -> None:
        future = self._producer.send(message.topic, key=message.key, value=message.value,
                                     headers=list(message.headers))
        self._pending.append((Delivery.of(message), future))

    def close(self) -> list[Delivery]:
        try:
            self._producer.flush(timeout=self._timeout_s)
            deliveries = []
            for sent, future in self._pending:
                try:
                    meta = future.get(timeout=self._timeout_s)
                except KafkaError as exc:
                    deliveries.append(replace(sent, error=f"{type(exc).__name__}: {exc}"))
                else:
                    deliveries.append(replace(sent, partition=meta.partition, offset=meta.offset))
            return deliveries
        finally:
            self._producer.close(timeout=self._timeout_s)


class FileSink:
    """JSON lines instead of Kafka: {topic, key, headers, value} per message (value as text, else base64)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._sent: list[Delivery] = []

    def send(self, message: Message) -> None:
        line: dict[str, object] = {"topic": message.topic, "key": message.key.decode(),
                                   "headers": {k: v.decode() for k, v in message.headers}}
        try:
            line["value"] = message.value.decode()
        except UnicodeDecodeError:
            line["value_base64"] = base64.b64encode(message.value).decode()
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        self._sent.append(Delivery.of(message))

    def close(self) -> list[Delivery]:
        self._file.close()
        return self._sent


@dataclass
class Report:
    deliveries: list[Delivery] = field(default_factory=list)
    elapsed_s: float = 0.0
    digest: str = ""
    interrupted: bool = False

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.error is not None]


def send_stream(sink: Sink, messages: Iterable[Message], *, rate: float, count: int | None = None,
                duration_s: float | None = None, preamble: Sequence[Message] = (), console: Console | None = None,
                label: str = "producing") -> Report:
    """Send ``preamble`` at once, then ``messages`` at ``rate`` per second (see the module contract)."""
    digest = hashlib.sha256()
    total = count if count is not None else (math.ceil(rate * duration_s) if duration_s is not None else None)
    report = Report()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[speed]:>6.1f}/s"), TimeElapsedColumn(), TimeRemainingColumn(),
                        console=console, transient=False, disable=console is None)
    start = time.monotonic()
    try:
        for message in preamble:
            sink.send(message)
            _update(digest.update, message)
        with progress:
            task = progress.add_task(label, total=total, speed=0.0)
            for i, message in enumerate(messages):
                due = i / rate
                if count is not None and i >= count:
                    break
                if duration_s is not None and (due >= duration_s or time.monotonic() - start >= duration_s):
                    break
                wait = start + due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                sink.send(message)
                _update(digest.update, message)
                progress.update(task, advance=1, speed=(i + 1) / max(time.monotonic() - start, 1e-6))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        report.deliveries = sink.close()
        report.elapsed_s = time.monotonic() - start
        report.digest = digest.hexdigest()
    return report


def simulate(settings: Settings, options: Options, sink: Sink, *, count: int | None = None,
             duration_s: float | None = None, registry: bool = True, console: Console | None = None,
             label: str = "simulating") -> Report:
    """Send the registry records (if ``registry``: deployments, watchlists, authorisations) and then the event
    stream of ``options`` through ``sink``."""
    simulation = Simulation(settings, options)
    return send_stream(sink, simulation.events(), rate=options.rate, count=count, duration_s=duration_s,
                       preamble=simulation.registry_messages() if registry else (), console=console, label=label)


def _update(update: Callable[[bytes], None], message: Message) -> None:
    for part in (message.topic.encode(), message.key, *(k.encode() + b"=" + v for k, v in message.headers),
                 message.value):
        update(len(part).to_bytes(8, "big"))
        update(part)
