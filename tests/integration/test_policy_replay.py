"""What-if replay: audited decision inputs (a temp chDB store) re-judged with a candidate bundle."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from custodes.audit.query import LEDGER_API_MAX, policy_decisions
from custodes.audit.records import AuditRecord
from custodes.audit.store import open_store
from custodes.cli.policy import app
from custodes.events.sim_factory import sim_event
from custodes.policy.client import POLICY_UNAVAILABLE
from custodes.policy.evaluate import evaluate_many
from custodes.policy.inputs import sim_registration_input
from custodes.policy.replay import Outcome, compare, parse_when, render_report, replay
from custodes.settings import Settings
from custodes.stack.processes import free_port
from tests.integration.test_policy_eval import request, tiny_bundle

pytestmark = [pytest.mark.opa, pytest.mark.clickhouse]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
V1 = {
    "KE": {"enabled": True, "requirement": "KE-01", "max_fmr": 0.01},
    "NG": {"enabled": True, "requirement": "NG-01", "max_fmr": 0.01},
    "CN": {"enabled": True, "requirement": "CN-01", "max_fmr": 0.01},
}
# One data change per jurisdiction: NG switched off, KE stricter, CN cites another requirement, BR added.
V2 = {
    "KE": {"enabled": True, "requirement": "KE-01", "max_fmr": 0.001},
    "NG": {"enabled": False, "requirement": "NG-01", "max_fmr": 0.01},
    "CN": {"enabled": True, "requirement": "CN-02", "max_fmr": 0.01},
    "BR": {"enabled": True, "requirement": "BR-01", "max_fmr": 0.01},
}
PER_JURISDICTION = 5


def _record(policy_input: dict, decision: dict, minutes: int, revision: str = "custodes@v1",
            kind: str = "policy_decision") -> AuditRecord:
    request_ = policy_input["request"]
    return AuditRecord(
        kind=kind, event_id=request_["id"], event_type="sim_registration", event_time=T0 + timedelta(minutes=minutes),
        service="custodes.gate", jurisdiction=request_["jurisdiction"], use_case=request_["use_case"],
        purpose=request_["purpose"], requester_org="demo-telecom", requester_type="telecom_operator",
        decision_id=decision["decision_id"], policy_revision=revision, allowed=decision["allow"],
        reasons=decision["reasons"], obligations=decision["obligations"], outcome=None if decision["allow"] else "denied",
        details={"policy_input": policy_input},
    )


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the bundle that decided, the candidate): the same Rego, one data change."""
    return (tiny_bundle(tmp_path_factory.mktemp("v1"), V1, "tiny-v1"),
            tiny_bundle(tmp_path_factory.mktemp("v2"), V2, "tiny-v2"))


@pytest.fixture(scope="module")
def ledger(opa: Path, bundles: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store (nothing answers on the ledger port) holding a week of decisions made by v1."""
    settings = Settings(state_dir=tmp_path_factory.mktemp("state"), clickhouse_url=None,
                        ledger={"port": free_port()})
    inputs = [request(f"evt-{j}-{i}", jurisdiction=j) for j in ("KE", "NG", "CN", "BR", "DE")
              for i in range(PER_JURISDICTION)]
    decided = evaluate_many(opa, bundles[0], inputs)
    records = [_record(i, d, minutes=n) for n, (i, d) in enumerate(zip(inputs, decided, strict=True))]
    unavailable = {"allow": False, "decision_id": "unavail-1", "obligations": {},
                   "reasons": [{"code": POLICY_UNAVAILABLE, "requirement": "CUSTODES-01", "legal_ref": "custodes",
                                "message": "OPA did not answer"}]}
    records += [
        _record(request("evt-unavailable", jurisdiction="KE"), unavailable, minutes=100),
        _record(request("evt-old", jurisdiction="KE"), decided[0], minutes=-24 * 60),
        _record(request("evt-outcome", jurisdiction="KE"), decided[0], minutes=101, kind="recognition_result"),
    ]
    legacy = _record(request("evt-legacy", jurisdiction="KE"), decided[0], minutes=102)
    records.append(legacy.model_copy(update={"details": {}}))
    with open_store(settings) as store:
        store.migrate()
        store.insert(records)
    return settings


def test_replay_counts_every_change_by_jurisdiction_and_use_case(
        ledger: Settings, opa: Path, bundles: tuple[Path, Path]) -> None:
    report = replay(ledger, opa, bundles[1], since=T0, until=NOW, examples=2)
    assert report.source.startswith("store ") and not report.truncated
    assert report.read == 5 * PER_JURISDICTION + 2
    assert report.skipped == 1
    counts = {key: dict(group.counts) for key, group in report.groups.items()}
    uc = "sim_registration_verification"
    assert counts == {
        ("KE", uc): {"obligations_changed": PER_JURISDICTION, "recorded_unavailable": 1},
        ("NG", uc): {"allow_to_deny": PER_JURISDICTION},
        ("CN", uc): {"reasons_changed": PER_JURISDICTION},
        ("BR", uc): {"deny_to_allow": PER_JURISDICTION},
        ("DE", uc): {"unchanged": PER_JURISDICTION},
    }
    assert report.changed == 4 * PER_JURISDICTION
    assert report.candidate_revision == "tiny-v2"
    assert dict(report.recorded_revisions) == {"custodes@v1": 5 * PER_JURISDICTION + 1}
    ke = report.groups[("KE", uc)].examples["obligations_changed"]
    assert len(ke) == 2 and ke[0].obligations == {"max_fmr": [0.01, 0.001]}
    ng = report.groups[("NG", uc)].examples["allow_to_deny"][0]
    assert ng.before.startswith("allow: permitted (NG-01)") and ng.after.startswith("deny: denied (VOCAB)")
    assert not report.groups[("DE", uc)].examples


def test_replay_of_the_bundle_that_decided_changes_nothing(
        ledger: Settings, opa: Path, bundles: tuple[Path, Path]) -> None:
    report = replay(ledger, opa, bundles[0], since=T0, until=NOW, jurisdictions=["NG", "CN"])
    assert report.read == 2 * PER_JURISDICTION
    assert report.changed == 0 and report.totals() == {"unchanged": 2 * PER_JURISDICTION}


def test_replay_reads_only_the_period(ledger: Settings, opa: Path, bundles: tuple[Path, Path]) -> None:
    report = replay(ledger, opa, bundles[1], since=T0 - timedelta(days=2), until=T0, jurisdictions=["KE"])
    assert report.read == 1 and report.totals() == {"obligations_changed": 1}


def test_replay_of_the_real_policies_without_one_jurisdiction_pack(opa: Path, images: Path, tmp_path: Path) -> None:
    decided_by = shutil.copytree(Settings().policies_dir, tmp_path / "policies")
    candidate = shutil.copytree(decided_by, tmp_path / "candidate")
    shutil.rmtree(candidate / "custodes" / "packs" / "jurisdictions" / "NG")
    inputs = [sim_registration_input(sim_event(f"evt-real-{j}-{i}", images / "obama.jpg", images / "obama2.jpg",
                                               jurisdiction=j, occurred_at=T0, legal_mandate=f"{j}-SIM-REGULATIONS"))
              for j in ("KE", "NG") for i in range(3)]
    decided = evaluate_many(opa, decided_by, inputs)
    assert all(d and d["allow"] for d in decided), "precondition: the real packs allow SIM verification in KE and NG"
    settings = Settings(state_dir=tmp_path / "state", clickhouse_url=None, ledger={"port": free_port()})
    with open_store(settings) as store:
        store.migrate()
        store.insert(_record(i, d, minutes=n) for n, (i, d) in enumerate(zip(inputs, decided, strict=True)))
    report = replay(settings, opa, candidate, since=T0, until=NOW)
    uc = "sim_registration_verification"
    assert {k: dict(g.counts) for k, g in report.groups.items()} == {("KE", uc): {"unchanged": 3},
                                                                    ("NG", uc): {"allow_to_deny": 3}}
    [example, *_] = report.groups[("NG", uc)].examples["allow_to_deny"]
    assert example.after.startswith("deny: ") and "unknown_jurisdiction" in example.after


def test_replay_cli_prints_a_table_and_json(ledger: Settings, bundles: tuple[Path, Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("custodes.cli.policy.get_settings", lambda: ledger)
    runner = CliRunner()
    args = ["replay", "--bundle", str(bundles[1]), "--since", T0.isoformat(), "--until", NOW.isoformat()]
    as_json = runner.invoke(app, [*args, "--json", "--jurisdiction", "NG", "--examples", "1"])
    assert as_json.exit_code == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["totals"]["allow_to_deny"] == PER_JURISDICTION and report["changed"] == PER_JURISDICTION
    [group] = report["groups"]
    assert group["jurisdiction"] == "NG" and len(group["examples"]["allow_to_deny"]) == 1
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.stderr
    for expected in ("changes by jurisdiction and use case", "allow→deny", "deny→allow", "evt-NG-", "would change: 20"):
        assert expected in table.stdout


def test_replay_cli_refuses_an_empty_period(bundles: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(app, ["replay", "--bundle", str(bundles[1]), "--since", "2026-03-02", "--until",
                                      "2026-03-01"])
    assert result.exit_code == 2
    assert "--until must be later than --since" in result.stderr


def test_records_come_from_the_running_ledger_when_it_answers() -> None:
    inside = _record(request("evt-http", jurisdiction="KE"), {"allow": True, "decision_id": "d", "reasons": [],
                                                              "obligations": {}}, minutes=1)
    later = inside.model_copy(update={"event_id": "evt-late", "record_id": "r-late", "event_time": NOW})
    other = inside.model_copy(update={"event_id": "evt-ng", "record_id": "r-ng", "jurisdiction": "NG"})
    seen: list[httpx.Request] = []

    def ledger_api(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200, json=[json.loads(r.model_dump_json()) for r in (later, inside, other)])

    settings = Settings(ledger={"port": 9})
    with httpx.Client(transport=httpx.MockTransport(ledger_api)) as http:
        window = policy_decisions(settings, since=T0, until=NOW, jurisdictions=["KE"], http=http)
    assert [r.event_id for r in window.records] == ["evt-http"]
    assert window.source == "ledger http://127.0.0.1:9" and not window.truncated
    assert seen[0].url.params["limit"] == str(LEDGER_API_MAX)


def test_compare_puts_each_record_in_exactly_one_category() -> None:
    reason = ("permitted", "KE-01", "law")
    allow = Outcome(True, (reason,), {"max_fmr": 0.01})
    assert compare(allow, Outcome(False, (("denied", "X", "law"),), {})) == "allow_to_deny"
    assert compare(Outcome(False, (("denied", "X", "law"),), {}), allow) == "deny_to_allow"
    assert compare(allow, Outcome(True, (("other", "KE-02", "law"),), {"max_fmr": 0.001})) == "obligations_changed"
    assert compare(allow, Outcome(True, (("permitted", "KE-02", "law"),), {"max_fmr": 0.01})) == "reasons_changed"
    assert compare(allow, Outcome(True, (reason,), {"max_fmr": 0.01})) == "unchanged"
    unavailable = Outcome(False, ((POLICY_UNAVAILABLE, "CUSTODES-01", ""),), {})
    assert compare(unavailable, allow) == "recorded_unavailable"
    assert Outcome.candidate(None).allow is False


def test_reason_messages_do_not_count_as_a_change() -> None:
    before = Outcome.candidate({"allow": False, "reasons": [{"code": "c", "requirement": "R", "legal_ref": "L",
                                                             "message": "one wording"}]})
    after = Outcome.candidate({"allow": False, "reasons": [{"code": "c", "requirement": "R", "legal_ref": "L",
                                                            "message": "another wording"}]})
    assert compare(before, after) == "unchanged"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - timedelta(days=7)),
        ("24h", NOW - timedelta(hours=24)),
        ("30m", NOW - timedelta(minutes=30)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T12:00:00+02:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW) == expected


def test_parse_when_says_what_it_takes() -> None:
    with pytest.raises(ValueError, match="neither a duration"):
        parse_when("last tuesday", now=NOW)


def test_render_report_of_nothing_read(ledger: Settings, opa: Path, bundles: tuple[Path, Path]) -> None:
    report = replay(ledger, opa, bundles[1], since=NOW, until=NOW + timedelta(days=1))
    console = Console(width=160, record=True, color_system=None)
    console.print(render_report(report))
    text = console.export_text()
    assert "0 audited decisions read" in text and "would change: 0" in text
