"""The Rego bundle and the real OPA server of the stack."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from custodes.events.sim_factory import sim_event
from custodes.policy.client import PolicyClient
from custodes.policy.inputs import sim_registration_input
from tests.conftest import require

pytestmark = pytest.mark.opa


def _opa(settings, *args: str) -> subprocess.CompletedProcess:
    binary = settings.tools_dir / "bin" / "opa"
    if not binary.exists():
        pytest.fail(f"OPA binary missing at {binary}; run `make install`")
    return subprocess.run([str(binary), *args], capture_output=True, text=True, cwd=settings.policies_dir, timeout=120)


def test_rego_is_formatted_and_strict(settings) -> None:
    fmt = _opa(settings, "fmt", "--list", ".")
    assert fmt.returncode == 0 and fmt.stdout.strip() == "", f"not opa-fmt clean: {fmt.stdout}{fmt.stderr}"
    check = _opa(settings, "check", "--strict", ".")
    assert check.returncode == 0, check.stdout + check.stderr


def test_rego_unit_tests_pass_with_coverage(settings) -> None:
    run = _opa(settings, "test", ".", "--coverage", "--format=json")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    coverage = json.loads(run.stdout)["coverage"]
    assert coverage >= 90, f"Rego coverage {coverage}% < 90%"


@pytest.fixture
async def policy(settings):
    require(settings, "opa")
    client = PolicyClient(settings.opa)
    yield client
    await client.close()


async def test_real_opa_allows_sim_verification_under_mandate(policy, images: Path) -> None:
    event = sim_event("evt-opa-allow", images / "obama.jpg", images / "obama2.jpg", jurisdiction="KE")
    decision = await policy.decide(sim_registration_input(event))
    assert decision.allow is True
    assert decision.reasons[0].requirement == "KE-01"
    assert decision.obligations["delete_non_matches"] == "immediate"
    assert decision.policy_revision and decision.policy_revision != "unavailable"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"legal_mandate": None}, "missing_legal_mandate"),
        ({"operator_type": "private"}, "requester_not_telecom_operator"),
        ({"jurisdiction": "XX"}, "unknown_jurisdiction"),
    ],
)
async def test_real_opa_denies_with_a_cited_reason(policy, images: Path, overrides: dict, code: str) -> None:
    event = sim_event("evt-opa-deny", images / "obama.jpg", images / "obama2.jpg", **overrides)
    decision = await policy.decide(sim_registration_input(event))
    assert decision.allow is False
    assert code in {r.code for r in decision.reasons}
    assert all(r.requirement and r.legal_ref for r in decision.reasons)
