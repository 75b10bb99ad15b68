"""The Rego bundle (``policies/``): format, strict check, Regal, unit tests with coverage,
the METADATA every reason is built from, and the real OPA server of the stack."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from custodes.events.sim_factory import sim_event
from custodes.policy.client import PolicyClient
from custodes.policy.inputs import sim_registration_input
from custodes.policy.scaffold import TEMPLATE_RULES
from custodes.policy.opa_cli import opa_binary
from tests.conftest import ROOT, require
from tests.integration.test_policy_scenarios import packs, rule_codes

pytestmark = pytest.mark.opa

# Scenario files are JSON that `opa test` would load as data; the bundle never reads them.
IGNORE = ("--ignore", "scenarios")
REQUIREMENT_ROW = re.compile(r"^\| ([A-Z]{2}(?:-[A-Za-z_]+)*-\d\d) \|", re.M)


def _opa(settings, *args: str) -> subprocess.CompletedProcess:
    binary = opa_binary(settings)  # raises, naming `make install`, when OPA is not installed
    return subprocess.run([str(binary), *args], capture_output=True, text=True, cwd=settings.policies_dir, timeout=120)


def test_rego_is_formatted_and_strict(settings) -> None:
    fmt = _opa(settings, "fmt", "--list", ".")
    assert fmt.returncode == 0 and fmt.stdout.strip() == "", f"not opa-fmt clean: {fmt.stdout}{fmt.stderr}"
    check = _opa(settings, "check", "--strict", ".")
    assert check.returncode == 0, check.stdout + check.stderr


def test_rego_unit_tests_pass_with_coverage(settings) -> None:
    run = _opa(settings, "test", ".", *IGNORE, "--coverage", "--format=json")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    coverage = json.loads(run.stdout)["coverage"]
    assert coverage >= 90, f"Rego coverage {coverage}% < 90%"


def test_regal_lint_is_clean(settings) -> None:
    regal = settings.tools_dir / "bin" / "regal"
    if not regal.exists():
        pytest.skip(f"Regal not installed at {regal} (`make install` builds it from the Go module proxy)")
    done = subprocess.run([str(regal), "lint", "--format", "compact", str(settings.policies_dir)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _platform_ids(settings) -> set[str]:
    return set(re.findall(r"\| (CUSTODES-\d\d) \|", (settings.policies_dir / "README.md").read_text()))


def _requirement_ids() -> set[str] | None:
    for candidate in (ROOT / "shared", ROOT.parent / "shared"):
        path = candidate / "governance" / "REQUIREMENTS.md"
        if path.is_file():
            return set(REQUIREMENT_ROW.findall(path.read_text()))
    return None


def test_every_reason_rule_cites_a_requirement_and_the_law(settings, tmp_path: Path) -> None:
    rules = rule_codes(settings.policies_dir, settings.tools_dir / "bin" / "opa", tmp_path)
    assert len(rules) >= 25
    platform = _platform_ids(settings)
    assert {"CUSTODES-01", "CUSTODES-02", "CUSTODES-03", "CUSTODES-04", "CUSTODES-05"} <= platform
    requirements = _requirement_ids()
    all_packs = packs(settings.policies_dir / "custodes" / "packs" / "jurisdictions")
    for key, custom in rules.items():
        citations = dict(custom.get("citations") or {})
        if "requirement" in custom:
            citations[custom["requirement"]] = custom.get("legal_ref")
        assert citations, f"{key}: METADATA names no requirement"
        for requirement, legal_ref in citations.items():
            assert isinstance(legal_ref, str) and legal_ref.strip(), f"{key}: no legal reference for {requirement}"
            if requirements is None or requirement in requirements | platform:
                continue
            # A jurisdiction added after REQUIREMENTS.md cites rows of its own (CODE-NN).
            jurisdiction = requirement.rsplit("-", 1)[0]
            assert jurisdiction in all_packs and not any(r.startswith(f"{jurisdiction}-") for r in requirements), (
                f"{key}: {requirement} is neither a REQUIREMENTS.md row nor a platform ID")


def test_every_pack_entry_cites_a_requirement_its_rules_declare(settings, tmp_path: Path) -> None:
    rules = rule_codes(settings.policies_dir, settings.tools_dir / "bin" / "opa", tmp_path)
    for code, pack in packs(settings.policies_dir / "custodes" / "packs" / "jurisdictions").items():
        for rule in TEMPLATE_RULES:
            declared = rules[f"{rule.file}:{rule.code}"]
            for entry in pack.get(rule.key, []):
                if rule.when_key and rule.when_key not in entry:
                    continue
                requirement = entry.get("scope", {}).get("requirement", entry["requirement"]) \
                    if rule.cites == "scope.requirement" else entry["requirement"]
                assert requirement in declared.get("citations", {}), (
                    f"{code}: {rule.key} entry cites {requirement}, which {rule.file} does not declare for {rule.code}")


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
