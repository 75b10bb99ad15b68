"""Shared fixtures. Integration tests use the real stack that `make test` starts.

When CUSTODES_REQUIRE_STACK=1 (set by scripts/run-tests.sh) a missing component FAILS the
tests that need it; otherwise (a developer running one file) they are skipped with a hint.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from custodes.settings import Settings
from custodes.stack.manager import StackManager

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


def require(settings: Settings, *names: str) -> None:
    """Fail (under make test) or skip (elsewhere) unless the named components are healthy."""
    status = {s.name: s for s in StackManager(settings).status()}
    missing = [n for n in names if not status[n].healthy]
    if missing:
        message = f"stack component(s) not healthy: {', '.join(missing)} — start with `custodes stack up`"
        if os.environ.get("CUSTODES_REQUIRE_STACK") == "1":
            pytest.fail(message)
        pytest.skip(message)
