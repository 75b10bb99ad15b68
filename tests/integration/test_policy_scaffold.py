"""The jurisdiction scaffold: what it makes passes every check the real packs pass.

Each test scaffolds into a copy of ``policies/`` and runs on the result what ``make test``
runs on the real bundle: ``opa fmt``, ``opa check --strict``, ``opa test`` (with
coverage), Regal, the new scenarios (judged by ``opa eval`` on the copy) and the METADATA
citation check. The real ``policies/`` is never touched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from custodes.policy.scaffold import ScaffoldError, new_jurisdiction
from custodes.policy.opa_cli import opa_binary
from custodes.settings import Settings
from tests.conftest import ROOT
from tests.integration.test_policy_scenarios import load, mismatches, packs, rule_codes, scenario_files

QUERY = ("[d | some s in input.scenarios; i := s.input; r := s.data; "
         "d := data.custodes.decision with input as i with data.custodes.registry as r]")


@pytest.fixture
def copy(settings: Settings, tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(settings.policies_dir, target)
    return target


def _opa(settings: Settings, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    binary = opa_binary(settings)  # raises, naming `make install`, when OPA is not installed
    return subprocess.run([str(binary), *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=300)


def _check_all(settings: Settings, policies: Path, created: list[Path], code: str, tmp_path: Path) -> None:
    fmt = _opa(settings, policies, "fmt", "--list", ".")
    assert fmt.returncode == 0 and fmt.stdout.strip() == "", fmt.stdout + fmt.stderr
    check = _opa(settings, policies, "check", "--strict", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    tests = _opa(settings, policies, "test", ".", "--ignore", "scenarios", "--format=json")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr
    slug = code.lower().replace("-", "_")
    assert any(f"jurisdictions.{slug}_test" in t["package"] for t in json.loads(tests.stdout)), "its tests did not run"

    regal = settings.tools_dir / "bin" / "regal"
    if regal.exists():
        lint = subprocess.run([str(regal), "lint", "--config-file", str(ROOT / ".regal" / "config.yaml"), str(policies)],
                              capture_output=True, text=True, timeout=300)
        assert lint.returncode == 0, lint.stdout[-3000:]

    scenarios = scenario_files(policies / "scenarios" / code)
    assert len(scenarios) == 3 and set(scenarios) <= set(created)
    bundle = ["eval", "--bundle", ".", "--ignore", "*_test.rego", "--ignore", "scenarios", "--stdin-input",
              "--format", "json", QUERY]
    judged = _opa(settings, policies, *bundle, stdin=json.dumps({"scenarios": [load(p) for p in scenarios]}))
    assert judged.returncode == 0, judged.stderr
    decisions = json.loads(judged.stdout)["result"][0]["expressions"][0]["value"]
    for path, decision in zip(scenarios, decisions, strict=True):
        assert not mismatches(load(path)["expect"], decision), (path.name, mismatches(load(path)["expect"], decision))

    declared = rule_codes(policies, settings.tools_dir / "bin" / "opa", tmp_path)
    assert f"{code}-01" in declared["custodes/rules/enabled/enabled.rego:use_enabled"]["citations"]
    assert f"{code}-01" in declared["custodes/rules/consent/consent.rego:missing_consent"]["citations"]
    assert code in packs(policies / "custodes" / "packs" / "jurisdictions")


def test_scaffolds_a_country_whose_tests_and_scenarios_pass(settings: Settings, copy: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in settings.policies_dir.rglob("*") if p.is_file()}
    created = new_jurisdiction("BR", copy)
    assert copy / "custodes/packs/jurisdictions/BR/data.json" in created
    assert copy / "custodes/jurisdictions/br/br_test.rego" in created
    assert all(p.is_file() and copy in p.parents for p in created)
    _check_all(settings, copy, created, "BR", tmp_path)
    assert {p: p.read_bytes() for p in settings.policies_dir.rglob("*") if p.is_file()} == before


def test_scaffolds_a_bloc_member_with_rules_of_its_own(settings: Settings, copy: Path, tmp_path: Path) -> None:
    created = new_jurisdiction("IT", copy, name="Italy", bloc="EU", logic=True, effective_from=date(2026, 3, 1))
    pack = json.loads((copy / "custodes/packs/jurisdictions/IT/data.json").read_text())
    assert pack["blocs"] == ["EU"] and pack["level"] == "country"
    assert any(ban["requirement"] == "EU-08" for ban in pack["bans"]), "a member starts without real-time RBI"
    assert copy / "custodes/rules/local/it/it.rego" in created
    _check_all(settings, copy, created, "IT", tmp_path)
    allowed = load(copy / "scenarios/IT/identity_verification_with_explicit_consent_allowed.json")
    assert allowed["expect"]["jurisdictions"] == ["EU", "IT"]
    assert allowed["expect"]["requirements"] == ["EU-13", "IT-01"]


def test_scaffolds_a_locality_under_existing_layers(settings: Settings, copy: Path, tmp_path: Path) -> None:
    created = new_jurisdiction("US-NY-new_york", copy, name="New York City")
    assert json.loads((copy / "custodes/packs/jurisdictions/US-NY-new_york/data.json").read_text())["level"] == "locality"
    _check_all(settings, copy, created, "US-NY-new_york", tmp_path)
    assert load(copy / "scenarios/US-NY-new_york/identity_verification_without_consent_denied.json")["expect"][
        "jurisdictions"] == ["US", "US-NY-new_york"]


@pytest.mark.parametrize(
    ("code", "kwargs", "message"),
    [
        ("br", {}, "not a jurisdiction code"),
        ("KE", {}, "already exists"),
        ("IT", {"bloc": "XX"}, "has no pack"),
        ("IT", {"bloc": "DE"}, "not a bloc"),
        ("IT-RM", {"bloc": "EU"}, "only a country"),
    ],
)
def test_refuses_what_it_cannot_scaffold_and_writes_nothing(copy: Path, code: str, kwargs: dict, message: str) -> None:
    before = sorted(p for p in copy.rglob("*"))
    with pytest.raises(ScaffoldError, match=message):
        new_jurisdiction(code, copy, **kwargs)
    assert sorted(p for p in copy.rglob("*")) == before


def test_refuses_a_directory_that_is_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no .manifest"):
        new_jurisdiction("BR", tmp_path)
