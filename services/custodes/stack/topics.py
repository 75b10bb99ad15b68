"""Kafka topics of the platform, created with kafka-python's admin client."""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from custodes.settings import Settings

log = logging.getLogger(__name__)


def _admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers, client_id="custodes-stack",
                            request_timeout_ms=5000)


def broker_ready(settings: Settings) -> tuple[bool, str]:
    try:
        admin = _admin(settings)
    except KafkaError as exc:
        return False, f"broker not ready ({type(exc).__name__})"
    try:
        topics = admin.list_topics()
    except KafkaError as exc:
        return False, f"broker not answering metadata ({type(exc).__name__})"
    finally:
        admin.close()
    return True, f"{len([t for t in topics if not t.startswith('__')])} topics"


def ensure_topics(settings: Settings, partitions: int = 3) -> list[str]:
    """Create every platform topic that is missing; returns the names it created."""
    wanted = settings.kafka.topics.all()
    config = {"max.message.bytes": str(settings.kafka.max_message_bytes)}
    admin = _admin(settings)
    try:
        existing = set(admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if missing:
            compacted = settings.kafka.topics.compacted()
            new = [NewTopic(name, partitions, 1, topic_configs={
                **config, **({"cleanup.policy": "compact"} if name in compacted else {})}) for name in missing]
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        return missing
    finally:
        admin.close()
