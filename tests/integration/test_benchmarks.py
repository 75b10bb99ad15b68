"""The gate benchmark runs end to end (few events; its numbers are not judged here: speed
targets are checked by reading what the benchmark prints, never by timed tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from custodes.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.kafka
@pytest.mark.opa
def test_gate_benchmark_judges_both_kinds_of_traffic_and_prints_its_numbers(kafka: Settings, opa: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gate_throughput.py"), "--no-check",
         "--events", "400", "--baseline-events", "150", "--batch", "200", "--chunk", "100", "--repeat", "1",
         "--warmup", "100"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for line in ("== sim:", "== camera:", "warm-up (not counted)", "per-event (1 OPA call each)",
                 "batched (≤100 per OPA call)",
                 "CPU µs per decision", "cores busy", "result: sim ", "(150 work published)",
                 "(400 work published)"):
        assert line in done.stdout, done.stdout
    busy = re.findall(r"^(?:per-event|batched) .* (\d+\.\d\d) of (\d+)$", done.stdout, re.MULTILINE)
    assert len(busy) == 4 and all(float(used) > 0 and int(cores) >= 1 for used, cores in busy), done.stdout


@pytest.mark.kafka
@pytest.mark.opa
def test_gate_benchmark_shares_the_events_among_replicas_that_all_joined(kafka: Settings, opa: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gate_throughput.py"), "--no-check", "--traffic", "sim",
         "--gates", "2", "--events", "600", "--baseline-events", "100", "--batch", "200", "--chunk", "100",
         "--repeat", "1", "--warmup", "0"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "2 gate replica(s)" in done.stdout and "(600 work published)" in done.stdout, done.stdout
    assert "repeated after a rebalance" not in done.stdout, done.stdout  # no replica judged before all joined
    busy = re.findall(r"^(?:per-event|batched) .* (\d+\.\d\d) of (\d+)$", done.stdout, re.MULTILINE)
    assert len(busy) == 2 and all(0 < float(used) <= int(cores) for used, cores in busy), done.stdout


@pytest.mark.opa
def test_the_bundle_decides_the_golden_requests_as_recorded_batched_judged_and_alone(opa: Path) -> None:
    """2,707 recorded requests (every scenario, variations of them, the simulator's mixes): the
    batch, the compact answer the gate asks for and each request on its own must all give the
    recorded decision documents, byte for byte; a change to how a batch judges requests alike
    (custodes.rules.context keys) that changed one decision fails here."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "policy_golden.py")],
                          capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "all decisions identical (batch, judged, single)" in done.stdout, done.stdout
