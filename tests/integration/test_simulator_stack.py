"""Simulated mixed traffic through the whole real stack: every event ends somewhere in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custodes.cli.demo import QUEUED, follow_fates
from custodes.settings import Settings
from custodes.simulator import KafkaSink, Options, simulate
from tests.conftest import require

pytestmark = [pytest.mark.stack, pytest.mark.kafka, pytest.mark.opa, pytest.mark.triton, pytest.mark.clickhouse]


def test_every_simulated_event_is_judged_or_dead_lettered_with_the_expected_reason(settings: Settings) -> None:
    require(settings, "kafka", "opa", "triton", "ledger", "gate", "recognition")
    options = Options(seed=int(datetime.now(UTC).timestamp() * 1000) % 2**31, rate=25, bad_rate=0.3,
                      epoch=datetime.now(UTC).replace(microsecond=0))
    report = simulate(settings, options, KafkaSink(settings), count=40)
    assert not report.failed
    sent = [d for d in report.deliveries if not d.message.is_registry]

    fates = follow_fates(settings, sent, timeout_s=180)

    assert len(fates) == len(sent), "every event must reach the ledger: judged, or dead-lettered"
    for delivery in sent:
        message, fate = delivery.message, fates[delivery.message.index]
        if message.bad_input:
            assert (fate.verdict, fate.detail) == ("dead-lettered", message.expected.removeprefix("reject:"))
        else:
            assert fate.verdict in ("allowed", "denied"), (message.scenario, fate)
            if fate.verdict == "allowed":
                outcomes = (QUEUED,) if message.kind == "camera_face" else ("match", "no_match")
                assert fate.detail in outcomes, (message.scenario, fate)
