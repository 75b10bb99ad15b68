"""``custodes policy eval``: one input judged by the real OPA (``opa eval`` on a bundle)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custodes.cli.policy import app
from custodes.events.sim_factory import sim_event
from custodes.policy.inputs import sim_registration_input

pytestmark = pytest.mark.opa

runner = CliRunner()

TINY_RULES = """package custodes.rules

pack := data.custodes.packs.jurisdictions[input.request.jurisdiction]

default allow := false

allow if {
	pack.enabled
	_has_basis
}

_has_basis if is_string(input.request.legal_mandate)

_has_basis if data.custodes.registry.authorisations[input.request.authorisation_id].state == "granted"
"""

TINY_DECISION = """package custodes.decision

import data.custodes.rules

allow := rules.allow

decision_id := sprintf("dec-%s", [input.request.id])

use_case := input.request.use_case

jurisdictions := [input.request.jurisdiction]

reasons := [{"code": "permitted", "requirement": rules.pack.requirement, "legal_ref": "test law", "message": "ok"}] if {
	rules.allow
}

reasons := [{"code": "denied", "requirement": "VOCAB", "legal_ref": "test law", "message": "no basis"}] if not rules.allow

default obligations := {}

obligations := {"max_fmr": rules.pack.max_fmr, "retain_days": 30} if rules.allow
"""


def tiny_bundle(directory: Path, jurisdictions: dict[str, dict], revision: str = "tiny-v1") -> Path:
    """A small bundle with the decision contract of policies/: allowed where the jurisdiction is
    enabled and the request has a legal mandate or a granted authorisation in the registry."""
    for package in ("decision", "rules", "packs"):
        (directory / "custodes" / package).mkdir(parents=True, exist_ok=True)
    (directory / ".manifest").write_text(json.dumps(
        {"revision": revision, "roots": ["custodes/decision", "custodes/rules", "custodes/packs"], "rego_version": 1}))
    (directory / "custodes" / "decision" / "decision.rego").write_text(TINY_DECISION)
    (directory / "custodes" / "rules" / "rules.rego").write_text(TINY_RULES)
    (directory / "custodes" / "packs" / "data.json").write_text(json.dumps({"jurisdictions": jurisdictions}))
    return directory


def request(event_id: str, jurisdiction: str = "KE", mandate: str | None = "LAW-1",
            authorisation_id: str | None = None, time: str = "2026-03-01T12:00:00Z") -> dict:
    """A decision input of the gate's shape."""
    return {"request": {
        "id": event_id, "time": time, "jurisdiction": jurisdiction, "use_case": "sim_registration_verification",
        "purpose": "sim_registration", "requester": {"org": "demo-telecom", "type": "telecom_operator"},
        "legal_mandate": mandate, "authorisation_id": authorisation_id,
    }}


def _eval(tmp_path: Path, policy_input: object, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "input.json"
    path.write_text(policy_input if isinstance(policy_input, str) else json.dumps(policy_input))
    result = runner.invoke(app, ["eval", "--input", str(path), *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return tiny_bundle(tmp_path / "tiny", {"KE": {"enabled": True, "requirement": "KE-01", "max_fmr": 0.01}})


def test_eval_allows_sim_verification_under_mandate_with_the_real_bundle(tmp_path: Path, images: Path) -> None:
    event = sim_event("evt-eval-allow", images / "obama.jpg", images / "obama2.jpg", jurisdiction="KE")
    code, out, err = _eval(tmp_path, sim_registration_input(event))
    assert code == 0, err
    decision = json.loads(out)
    assert decision["allow"] is True
    assert decision["obligations"] and all(r["requirement"] and r["legal_ref"] for r in decision["reasons"])


def test_eval_denies_without_mandate_with_exit_0_and_a_cited_reason(tmp_path: Path, images: Path) -> None:
    event = sim_event("evt-eval-deny", images / "obama.jpg", images / "obama2.jpg", legal_mandate=None)
    code, out, err = _eval(tmp_path, sim_registration_input(event))
    assert code == 0, err
    decision = json.loads(out)
    assert decision["allow"] is False
    assert "missing_legal_mandate" in {r["code"] for r in decision["reasons"]}
    assert decision["obligations"] == {}


def test_eval_of_a_given_bundle_reads_the_registry_from_data(tmp_path: Path, tiny: Path) -> None:
    policy_input = request("evt-reg", mandate=None, authorisation_id="auth-1")
    code, out, _ = _eval(tmp_path, policy_input, "--bundle", str(tiny))
    assert code == 0 and json.loads(out)["allow"] is False
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"authorisations": {"auth-1": {"state": "granted", "kind": "judicial"}}}))
    code, out, _ = _eval(tmp_path, policy_input, "--bundle", str(tiny), "--data", str(registry))
    assert code == 0
    assert json.loads(out) == {
        "allow": True, "decision_id": "dec-evt-reg", "jurisdictions": ["KE"], "use_case": "sim_registration_verification",
        "obligations": {"max_fmr": 0.01, "retain_days": 30},
        "reasons": [{"code": "permitted", "requirement": "KE-01", "legal_ref": "test law", "message": "ok"}],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"jurisdiction": "KE"}', 'expected a JSON object {"request": {...}}'),
        ("[]", "is not a decision input"),
    ],
)
def test_eval_of_a_bad_input_file_fails_with_a_clear_message(tmp_path: Path, tiny: Path, content: str,
                                                             message: str) -> None:
    code, out, err = _eval(tmp_path, content, "--bundle", str(tiny))
    assert code == 1 and out == ""
    assert message in err


def test_eval_of_a_missing_input_file_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--input", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 1
    assert "cannot read the input file" in result.stderr


def test_eval_with_a_bad_registry_file_says_what_it_expects(tmp_path: Path, tiny: Path) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"auth-1": {"state": "granted"}}))
    code, _, err = _eval(tmp_path, request("evt-1"), "--bundle", str(tiny), "--data", str(registry))
    assert code == 1
    assert '{"authorisations": {<id>: {...}}}' in err


def test_eval_with_a_broken_bundle_reports_opas_error(tmp_path: Path, tiny: Path) -> None:
    (tiny / "custodes" / "decision" / "broken.rego").write_text("package custodes.decision\n\nallow if {\n")
    code, _, err = _eval(tmp_path, request("evt-1"), "--bundle", str(tiny))
    assert code == 1
    assert "OPA could not evaluate" in err and "broken.rego" in err


def test_eval_where_the_bundle_has_no_decision_fails(tmp_path: Path, tiny: Path) -> None:
    (tiny / "custodes" / "decision" / "decision.rego").write_text("package custodes.other\n\nx := 1\n")
    (tiny / ".manifest").write_text(json.dumps({"roots": ["custodes"], "rego_version": 1}))
    code, _, err = _eval(tmp_path, request("evt-1"), "--bundle", str(tiny))
    assert code == 1
    assert "defines no decision at data.custodes.decision" in err


def test_new_jurisdiction_prints_the_files_the_scaffold_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[str, Path]] = []

    def new_jurisdiction(code: str, policies_dir: Path) -> list[Path]:
        made.append((code, policies_dir))
        return [policies_dir / "custodes" / "packs" / code.lower() / "data.json"]

    monkeypatch.setitem(sys.modules, "custodes.policy.scaffold", types.SimpleNamespace(new_jurisdiction=new_jurisdiction))
    result = runner.invoke(app, ["new-jurisdiction", "BR", "--policies", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert made == [("BR", tmp_path)]
    assert str(tmp_path / "custodes" / "packs" / "br" / "data.json") in result.stdout


def test_new_jurisdiction_without_the_scaffold_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "custodes.policy.scaffold", None)
    result = runner.invoke(app, ["new-jurisdiction", "BR"])
    assert result.exit_code == 1
    assert "scaffold is not available" in result.stderr
