"""Durability: after `custodes stack down` and `up` again, the audit records are still there."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from custodes.audit.tail import fetch_recent
from custodes.events.sim_factory import sim_event
from custodes.stack.manager import StackManager
from tests.conftest import require
from tests.integration.test_sim_end_to_end import ALL, _produce, _wait

pytestmark = [pytest.mark.stack, pytest.mark.clickhouse]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "custodes.cli", *args], capture_output=True, text=True, timeout=400)


def test_audit_records_survive_stack_down_and_up(settings, images) -> None:
    require(settings, *ALL)
    event = sim_event(f"it-durable-{uuid.uuid4().hex[:10]}", images / "obama.jpg", images / "obama2.jpg")
    _produce(settings, event)
    before = {r.record_id for r in _wait(settings, event.event_id, "recognition_result")}

    down = _cli("stack", "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert not any(s.pid for s in StackManager(settings).status()), "something is still running after down"
    offline = {r.record_id for r in fetch_recent(settings, limit=10, event_id=event.event_id)}
    assert offline == before, "records must be readable from the store while the stack is down"

    up = _cli("stack", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    after = {r.record_id for r in fetch_recent(settings, limit=10, event_id=event.event_id)}
    assert after == before

    again = sim_event(f"it-after-restart-{uuid.uuid4().hex[:10]}", images / "obama.jpg", images / "biden.jpg")
    _produce(settings, again)
    records = _wait(settings, again.event_id, "recognition_result", timeout_s=120)
    assert [r.outcome for r in records if r.kind == "recognition_result"] == ["no_match"]
