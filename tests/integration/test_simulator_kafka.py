"""The simulator against the real Kafka broker: what it sends is what a consumer reads, byte for byte.

Runs on ``Settings().kafka.bootstrap_servers`` (the test stack under ``make test``) with
fresh, uniquely named topics, so nothing reaches the stack's own services.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import NewTopic

from custodes.settings import Settings
from custodes.simulator import FileSink, KafkaSink, Options, Simulation, simulate

pytestmark = pytest.mark.kafka


@pytest.fixture()
def isolated(kafka: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings whose event and registry topics are new, empty topics of the real broker."""
    settings, bootstrap = kafka, kafka.kafka.bootstrap_servers
    tag = uuid.uuid4().hex[:10]
    topics = settings.kafka.topics.model_copy(update={
        "sim_registrations": f"it-sim-{tag}.events", "camera_faces": f"it-sim-{tag}.cameras",
        "registry_authorisations": f"it-sim-{tag}.registry", "registry_deployments": f"it-sim-{tag}.deployments",
        "registry_watchlists": f"it-sim-{tag}.watchlists"})
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    config = {"max.message.bytes": str(settings.kafka.max_message_bytes)}
    names = [topics.sim_registrations, topics.camera_faces, *topics.registry()]
    admin.create_topics([NewTopic(name, 3, 1, topic_configs=config) for name in names])
    try:
        yield settings.model_copy(update={"kafka": settings.kafka.model_copy(update={"topics": topics}),
                                          "state_dir": tmp_path})
    finally:
        admin.delete_topics(names)
        admin.close()


def _consume(settings: Settings, topic: str, expected: int) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10_000,
                             fetch_max_bytes=4 * settings.kafka.max_message_bytes,
                             max_partition_fetch_bytes=settings.kafka.max_message_bytes)
    try:
        records = []
        for record in consumer:
            records.append(record)
            if len(records) >= expected:
                break
        return records
    finally:
        consumer.close()


def _wire(key: bytes, headers, value: bytes) -> tuple:
    return key, tuple((k, bytes(v)) for k, v in headers), value


def test_the_stream_arrives_byte_for_byte(isolated: Settings) -> None:
    options = Options(seed=31337, rate=200, bad_rate=0.25)
    report = simulate(isolated, options, KafkaSink(isolated), count=40)
    assert not report.failed
    events = [d for d in report.deliveries if not d.message.is_registry]
    assert len(events) == 40 and all(d.offset is not None for d in events)

    simulation = Simulation(isolated, options)
    topics = isolated.kafka.topics
    for topic in (topics.sim_registrations, topics.camera_faces):
        sent = [m for m in simulation.events(40) if m.topic == topic]
        assert sent, topic
        got = _consume(isolated, topic, len(sent))
        assert {r.key: _wire(r.key, r.headers, r.value) for r in got} == {
            m.key: _wire(m.key, m.headers, m.value) for m in sent}
        assert {(r.partition, r.offset) for r in got} == {(d.partition, d.offset) for d in events
                                                          if d.message.topic == topic}

    for topic in topics.registry():
        sent = {m.key: m.value for m in simulation.registry_messages() if m.topic == topic}
        assert {r.key: r.value for r in _consume(isolated, topic, len(sent))} == sent


def test_kafka_and_file_carry_the_same_stream(isolated: Settings, tmp_path: Path) -> None:
    options = Options(seed=5, rate=500)
    to_kafka = simulate(isolated, options, KafkaSink(isolated), count=15)
    to_file = simulate(isolated, options, FileSink(tmp_path / "stream.jsonl"), count=15)
    assert to_kafka.digest == to_file.digest


def test_the_cli_produces_to_kafka(isolated: Settings) -> None:
    topics = isolated.kafka.topics
    env = {**os.environ, "CUSTODES_KAFKA__BOOTSTRAP_SERVERS": isolated.kafka.bootstrap_servers,
           "CUSTODES_KAFKA__TOPICS__SIM_REGISTRATIONS": topics.sim_registrations,
           "CUSTODES_KAFKA__TOPICS__REGISTRY_AUTHORISATIONS": topics.registry_authorisations,
           "CUSTODES_KAFKA__TOPICS__CAMERA_FACES": topics.camera_faces,
           "CUSTODES_STATE_DIR": str(isolated.state_dir)}
    done = subprocess.run([sys.executable, "-m", "custodes.cli", "simulate", "--count", "12", "--rate", "40",
                           "--seed", "8", "--no-registry", "--no-cameras"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sent 12 events (+0 registry records)" in done.stdout
    records = _consume(isolated, topics.sim_registrations, 12)
    assert sorted(r.key.decode() for r in records) == [f"sim-8-{i:06d}" for i in range(12)]
