"""Fail closed on the real stack: OPA stopped mid-stream, no event is allowed meanwhile."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from custodes.audit.tail import fetch_recent
from custodes.events.sim_factory import sim_event
from custodes.stack.manager import StackManager
from tests.conftest import require
from tests.integration.test_sim_end_to_end import ALL, _produce, _wait

pytestmark = [pytest.mark.stack, pytest.mark.kafka, pytest.mark.opa]


def test_opa_stopped_mid_stream_allows_nothing_meanwhile(settings, images) -> None:
    """A steady stream of allowable events; OPA is stopped and restarted in the middle.
    Every event gets exactly one decision; all decided while OPA was down are denied
    ``policy_unavailable``; none of those reaches recognition; the stream recovers."""
    require(settings, *ALL)
    manager = StackManager(settings)
    opa = next(c for c in manager.components if c.name == "opa")
    run = uuid.uuid4().hex[:8]
    events = [sim_event(f"it-failclosed-{run}-{i:03d}", images / "obama.jpg", images / "obama2.jpg")
              for i in range(60)]
    window: dict[str, float] = {}

    def stop_and_restart() -> None:
        time.sleep(1.5)
        window["down"] = time.time()
        manager.procs.stop("opa")
        time.sleep(3.0)
        manager.procs.start("opa", opa.argv(settings), env=opa.env, cwd=settings.state_dir)
        deadline = time.monotonic() + 60
        while not opa.health(settings)[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        window["up"] = time.time()

    chaos = threading.Thread(target=stop_and_restart)
    chaos.start()
    for event in events:  # about 10 events per second, before, during and after the outage
        _produce(settings, event)
        time.sleep(0.1)
    chaos.join()
    assert opa.health(settings)[0], "OPA did not come back"

    decisions = {}
    for event in events:
        records = _wait(settings, event.event_id, "policy_decision")
        kinds = [r for r in records if r.kind == "policy_decision"]
        assert len(kinds) == 1, f"{event.event_id}: {len(kinds)} decisions"
        decisions[event.event_id] = kinds[0]

    unavailable = [d for d in decisions.values() if d.reasons[0]["code"] == "policy_unavailable"]
    allowed = [d for d in decisions.values() if d.allowed]
    assert unavailable, "the outage was not hit: no event was judged while OPA was down"
    assert allowed, "nothing was allowed before or after the outage"
    assert all(not d.allowed for d in unavailable)
    margin = 0.5  # an answer OPA gave just before it was stopped may be recorded a moment later
    for d in allowed:
        decided = d.recorded_at.timestamp()
        assert not window["down"] + margin < decided < window["up"] - margin, f"{d.event_id} allowed during the outage"
    _wait(settings, events[-1].event_id, "recognition_result" if decisions[events[-1].event_id].allowed
          else "policy_decision")
    time.sleep(2)
    for d in unavailable:
        results = [r for r in fetch_recent(settings, limit=10, event_id=d.event_id) if r.kind == "recognition_result"]
        assert results == [], f"{d.event_id} was denied yet reached recognition"

