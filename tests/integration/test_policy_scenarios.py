"""The scenario suite (``policies/scenarios/``) against the real OPA server of the stack.

Each file ``<jurisdiction>/<case>_allowed.json`` or ``_denied.json`` holds
``{"description", "input": {"request": ...}, "data": <registry document>, "expect": {...}}``.
The registry document is PUT to ``/v1/data/custodes/registry`` (as the gate keeps it), the
input POSTed to ``/v1/data/custodes/decision``, and the decision compared with ``expect``:
``allow``, the set of requirement IDs and the set of codes of its reasons, the obligations
exactly, and the layers (``jurisdictions``) where given. Scenarios share the registry, so
they run one at a time; the registry found before the suite is put back after it.

The checks without a server make sure the suite stays a suite: well-formed files whose
names state the outcome, every jurisdiction pack exercised, and every denial path (every
deny rule, every requirement a pack's deny entries cite, in its layer) reached.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from custodes.policy.scaffold import TEMPLATE_RULES
from custodes.settings import Settings
from tests.conftest import ROOT, require

POLICIES = ROOT / "policies"
SCENARIOS = POLICIES / "scenarios"
PACKS = POLICIES / "custodes" / "packs" / "jurisdictions"
MIN_SCENARIOS = 60
# Only reachable with broken pack data; custodes.rules.duties_test covers it.
UNREACHABLE_WITH_VALID_PACKS = {"unknown_obligation"}


def scenario_files(root: Path = SCENARIOS) -> list[Path]:
    return sorted(root.rglob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def outcome(decision: dict) -> dict:
    """What a scenario's ``expect`` states, read off a decision document."""
    return {
        "allow": decision.get("allow"),
        "requirements": sorted({r["requirement"] for r in decision.get("reasons", [])}),
        "codes": sorted({r["code"] for r in decision.get("reasons", [])}),
        "obligations": decision.get("obligations"),
        "jurisdictions": decision.get("jurisdictions"),
    }


def mismatches(expect: dict, decision: dict) -> list[str]:
    """Human-readable differences between a scenario's ``expect`` and a decision ([] when it holds)."""
    got = outcome(decision)
    keys = ["allow", "requirements", "codes", "obligations"] + (["jurisdictions"] if "jurisdictions" in expect else [])
    return [f"{key}: expected {expect[key]!r}, got {got[key]!r}" for key in keys if expect[key] != got[key]]


def packs(root: Path = PACKS) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(root.glob("*/data.json"))}


def layers_of(code: str, all_packs: dict[str, dict]) -> list[str]:
    """The layers custodes.rules.context gives a code: blocs, then prefixes with packs; [] if unknown."""
    if code not in all_packs or all_packs[code].get("level") == "bloc":
        return []
    parts = code.split("-")
    prefixes = ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]
    blocs = all_packs.get(parts[0], {}).get("blocs", [])
    return [b for b in blocs if b in all_packs] + [p for p in prefixes if p in all_packs]


def rule_codes(policies: Path, opa: Path, tmp: Path) -> dict[str, dict]:
    """custom.code -> METADATA custom of every rule annotation outside tests (via ``opa inspect``)."""
    copy = tmp / "bundle"
    for path in policies.rglob("*"):
        relative = path.relative_to(policies)
        if relative.parts[0] == "scenarios" or path.name.endswith("_test.rego") or not path.is_file():
            continue
        if path.suffix == ".rego" or path.name in ("data.json", ".manifest"):
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy / relative)
    done = subprocess.run([str(opa), "inspect", "-a", "--format", "json", str(copy)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    found: dict[str, dict] = {}
    for annotation in json.loads(done.stdout).get("annotations", []):
        custom = annotation.get("annotations", {}).get("custom") or {}
        if "code" in custom:
            file = Path(annotation["location"]["file"]).relative_to(copy).as_posix()
            found[f"{file}:{custom['code']}"] = custom
    return found


# ---------------------------------------------------------------------------- without a server


def test_scenarios_are_well_formed_and_named_by_their_outcome() -> None:
    files = scenario_files()
    assert len(files) >= MIN_SCENARIOS, f"{len(files)} scenarios < {MIN_SCENARIOS}"
    for path in files:
        scenario = load(path)
        assert set(scenario) == {"description", "input", "data", "expect"}, path
        assert isinstance(scenario["input"].get("request"), dict), path
        assert set(scenario["data"]) <= {"authorisations", "watchlists"}, path
        expect = scenario["expect"]
        assert {"allow", "requirements", "codes", "obligations"} <= set(expect), path
        assert path.name.endswith("_allowed.json" if expect["allow"] else "_denied.json"), path
        assert expect["requirements"], f"{path}: a decision always cites at least one requirement"
        assert re.fullmatch(r"[a-z0-9_]+_(allowed|denied)\.json", path.name), path
        request = scenario["input"]["request"]
        assert path.parent.name in (request["jurisdiction"], "platform"), path


def test_scenarios_exercise_every_jurisdiction_pack() -> None:
    all_packs = packs()
    seen = {layer for path in scenario_files()
            for layer in layers_of(load(path)["input"]["request"].get("jurisdiction", ""), all_packs)}
    assert set(all_packs) - seen == set(), "packs no scenario reaches"
    allowed = {load(p)["input"]["request"]["jurisdiction"] for p in scenario_files() if load(p)["expect"]["allow"]}
    assert {"DE", "FR", "GB", "US-IL", "US-TX", "US-WA", "US-OR-portland", "CN", "KE", "NG"} <= allowed


def test_scenarios_reach_every_deny_rule(settings: Settings, tmp_path: Path) -> None:
    rules = rule_codes(settings.policies_dir, settings.tools_dir / "bin" / "opa", tmp_path)
    deny_codes = {key.split(":")[1] for key in rules} - {"use_enabled"}
    denied = {code for path in scenario_files() if not load(path)["expect"]["allow"]
              for code in load(path)["expect"]["codes"]}
    assert deny_codes - denied - UNREACHABLE_WITH_VALID_PACKS == set(), "deny rules no denied scenario reaches"


def test_scenarios_reach_every_requirement_a_pack_denies_by() -> None:
    all_packs = packs()
    reached = set()
    for path in scenario_files():
        scenario = load(path)
        if scenario["expect"]["allow"]:
            continue
        layers = layers_of(scenario["input"]["request"].get("jurisdiction", ""), all_packs)
        reached |= {(layer, requirement) for layer in layers for requirement in scenario["expect"]["requirements"]}
    deny_keys = {rule.key for rule in TEMPLATE_RULES} - {"enabled"}
    paths = set()
    for code, pack in all_packs.items():
        for key in deny_keys:
            for entry in pack.get(key, []):
                paths.add((code, entry["requirement"]))
                if "scope" in entry:
                    paths.add((code, entry["scope"].get("requirement", entry["requirement"])))
    assert paths - reached == set(), "(layer, requirement) denial paths no denied scenario reaches"


# ---------------------------------------------------------------------------- against the server


@pytest.fixture(scope="module")
def opa(settings: Settings) -> Iterator[httpx.Client]:
    require(settings, "opa")
    with httpx.Client(base_url=settings.opa.url, timeout=10) as client:
        before = client.get("/v1/data/custodes/registry").json().get("result")
        yield client
        if before is None:
            client.delete("/v1/data/custodes/registry")
        else:
            client.put("/v1/data/custodes/registry", json=before)


@pytest.mark.opa
@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_scenario(opa: httpx.Client, path: Path) -> None:
    scenario = load(path)
    put = opa.put("/v1/data/custodes/registry", json=scenario["data"])
    assert put.status_code == 204, put.text
    response = opa.post("/v1/data/custodes/decision", json={"input": scenario["input"]})
    assert response.status_code == 200, response.text
    decision = response.json().get("result")
    assert isinstance(decision, dict), f"decision undefined: {response.text[:300]}"
    problems = mismatches(scenario["expect"], decision)
    reasons = "\n".join(f"  {r['code']} {r['requirement']}: {r['message']}" for r in decision.get("reasons", []))
    assert not problems, f"{scenario['description']}\n" + "\n".join(problems) + f"\nreasons:\n{reasons}"


@pytest.mark.opa
def test_batch_entry_point_decides_every_scenario_as_the_single_one(opa: httpx.Client) -> None:
    files = [p for p in scenario_files() if not load(p)["data"]["authorisations"] and not load(p)["data"]["watchlists"]]
    opa.put("/v1/data/custodes/registry", json={"authorisations": {}, "watchlists": {}})
    requests = [load(p)["input"]["request"] for p in files]
    batch = opa.post("/v1/data/custodes/batch/decisions", json={"input": {"requests": requests}}).json()["result"]
    assert len(batch) == len(requests)
    for path, decision in zip(files, batch, strict=True):
        assert not mismatches(load(path)["expect"], decision), path
