"""Shared fixtures. Integration tests use the real stack that `make test` starts.

When CUSTODES_REQUIRE_STACK=1 (set by scripts/run-tests.sh) a missing component FAILS the
tests that need it; otherwise (a developer running one file) they are skipped with a hint.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from custodes.policy.errors import PolicyToolError
from custodes.policy.opa_cli import opa_binary
from custodes.settings import Settings
from custodes.stack.manager import StackManager
from custodes.stack.processes import port_open
from custodes.stack.topics import broker_ready

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def images(settings: Settings) -> Path:
    path = settings.images_dir / "face_recognition"
    if not (path / ".complete").exists():
        pytest.fail(f"test images missing in {path}; run `make install`")
    return path


def unavailable(message: str) -> None:
    """A real component a test needs is missing: fail under make test, skip elsewhere."""
    if os.environ.get("CUSTODES_REQUIRE_STACK") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require(settings: Settings, *names: str) -> None:
    """Fail (under make test) or skip (elsewhere) unless the named components are healthy."""
    status = {s.name: s for s in StackManager(settings).status()}
    missing = [n for n in names if not status[n].healthy]
    if missing:
        unavailable(f"stack component(s) not healthy: {', '.join(missing)} — start with `custodes stack up`")


def require_kafka(settings: Settings) -> Settings:
    """``settings``, once their Kafka broker answers metadata requests (any broker will do, not
    only the stack's: set CUSTODES_KAFKA__BOOTSTRAP_SERVERS); else fail or skip."""
    host, _, port = settings.kafka.bootstrap_servers.split(",")[0].rpartition(":")
    ready, detail = broker_ready(settings) if port_open(host, int(port)) else (False, "not reachable")
    if not ready:
        unavailable(f"Kafka at {settings.kafka.bootstrap_servers} not ready ({detail}); "
                    "set CUSTODES_KAFKA__BOOTSTRAP_SERVERS or `custodes stack up --only kafka`")
    return settings


@pytest.fixture(scope="session")
def kafka(settings: Settings) -> Settings:
    return require_kafka(settings)


@pytest.fixture(scope="session")
def opa(settings: Settings) -> Path:
    """The pinned OPA binary."""
    try:
        return opa_binary(settings)
    except PolicyToolError as exc:
        pytest.fail(str(exc))
