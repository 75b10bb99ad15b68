"""Golden decisions: the policy bundle must decide a large, fixed set of requests exactly as recorded.

A deterministic generator builds realistic requests: the scenario requests
(``policies/scenarios``), many variations of them (every jurisdiction, use case, purpose,
requester and site type, with and without mandate, consent, authorisation, case and
deployment record, times around every effective date, malformed values), SIM registrations
as the simulator's mix produces them (``custodes.policy.inputs.sim_registration_input``, but
with no liveness evidence) and camera faces as the simulator's camera mix and the gate make
them (``camera_face_input``, with the simulator's authorisations, watchlists and deployment
records). The scenarios'
registries are merged into one (ids made unique per scenario). The golden file keeps the
requests, the registry and the decisions, so it does not depend on the generator.

    .venv/bin/python benchmarks/policy_golden.py            # check policies/ against the golden file
    .venv/bin/python benchmarks/policy_golden.py --rejudge  # re-judge its requests: a change meant to change decisions
    .venv/bin/python benchmarks/policy_golden.py --record   # (re)record it from the generator

The check evaluates ``data.custodes.batch.decisions``, ``data.custodes.batch.judged`` (the
compact answer the gate asks for, expanded: each request's document with its decision_id) and,
for every request on its own, ``data.custodes.decision`` with input ``{"request": r}``; all must
give byte-identical (canonical JSON) decision documents to the golden file. Exit 1 on any difference. The file
was recorded with the bundle before the batch was optimised; ``bench_mix`` gives the
benchmarks' request mixes (``benchmarks/policy_eval.py``).

When a policy change is meant to change decisions, ``--rejudge`` keeps the file's requests and
registry and records the current bundle's decisions for them (batch, judged and single must
agree), printing every kind of change (jurisdiction, use case, allowed before and after, reason
codes gained and lost) so it can be read before the file is committed. ``--record`` regenerates
the requests too: adding a scenario reseeds every variation, so its file shares few requests
with the old one. Re-judged twice so far: for the CN-01 liveness check (CN SIM registrations
without bona-fide liveness evidence are denied, and the recorded SIM requests (``sim_requests``)
carry none), and at commit 47f1565, when decision_id came to hash a request's canonical text
(sprintf's %v) rather than its JSON: every decision_id changed, nothing else.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
SCENARIOS = POLICIES / "scenarios"
PACKS = POLICIES / "custodes" / "packs"
OPA = ROOT / ".tools" / "bin" / "opa"
GOLDEN = ROOT / "benchmarks" / "golden" / "policy_decisions.json.gz"

# The simulator's SIM-registration mix (custodes.simulator.scenarios.SCENARIOS), restated so the
# request set never changes when the simulator does: (weight, jurisdictions, requester types, site,
# mandate, consent rate, before mandate).
SIM_MIX = (
    (24, ("KE", "NG", "DE", "FR"), ("telecom_operator",), "telecom_outlet", True, 0.3, False),
    (12, ("KE", "NG", "DE", "FR"), ("telecom_operator",), "telecom_outlet", True, 0.3, False),
    (12, ("CN",), ("telecom_operator",), "telecom_outlet", True, 0.3, False),
    (8, ("DE", "FR"), ("telecom_operator",), "telecom_outlet", False, 1.0, False),
    (10, ("KE", "NG", "DE", "FR"), ("telecom_operator",), "telecom_outlet", False, 0.0, False),
    (6, ("KE", "NG", "DE"), ("private", "employer"), "telecom_outlet", True, 0.3, False),
    (5, ("BR", "ZA"), ("telecom_operator",), "telecom_outlet", True, 0.3, False),
    (3, ("CN",), ("telecom_operator",), "hotel_room", True, 0.3, False),
    (3, ("NG",), ("telecom_operator",), "telecom_outlet", True, 0.3, True),
)
MANDATES = {
    "KE": ("KE-SIM-REGISTRATION-REGULATIONS", datetime(2015, 1, 1, tzinfo=UTC)),
    "NG": ("NG-NCC-SIM-REGISTRATION-REGULATIONS", datetime(2020, 12, 15, tzinfo=UTC)),
    "CN": ("CN-MIIT-REAL-NAME-REGISTRATION", datetime(2019, 12, 1, tzinfo=UTC)),
    "DE": ("DE-TKG-172-PREPAID-IDENTIFICATION", None),
    "FR": ("FR-PREPAID-IDENTIFICATION", None),
    "BR": ("BR-ANATEL-PREPAID-REGISTRATION", None),
    "ZA": ("ZA-RICA-SIM-REGISTRATION", None),
}
EPOCH = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sim_requests(n: int, seed: int = 0) -> list[dict]:
    """SIM registrations shaped like ``custodes.policy.inputs.sim_registration_input`` before it
    carried ``liveness``: none has liveness evidence (so CN ones are denied, CN-01), and the requests,
    hence their decision ids, stay those of the golden file."""
    out = []
    weights = [m[0] for m in SIM_MIX]
    for index in range(n):
        rng = Random(f"policy-golden/sim/{seed}/{index}")
        _, codes, requesters, site, mandate, consent_rate, before = rng.choices(SIM_MIX, weights)[0]
        code = rng.choice(codes)
        law, mandate_from = MANDATES[code]
        occurred = EPOCH + timedelta(seconds=index / 20.0)
        if before and mandate_from is not None:
            occurred = mandate_from - timedelta(days=rng.randint(30, 400), seconds=rng.randint(0, 86_399))
        consent = rng.random() < consent_rate
        event_id = f"sim-{seed}-{index:06d}"
        out.append({
            "id": event_id,
            "time": _iso(occurred),
            "jurisdiction": code,
            "use_case": "sim_registration_verification",
            "purpose": "sim_registration",
            "requester": {"org": f"org-{rng.randint(1, 9)}", "type": rng.choice(requesters)},
            "site": {"type": site, "camera_id": None, "signage": None,
                     "outlet_id": f"outlet-{code.lower()}-{rng.randint(1, 250):03d}"},
            "subject": {"age": rng.randint(16, 85),
                        "consent": {"kind": rng.choice(("explicit", "written", "separate")),
                                    "id": f"consent-{event_id}"}
                        if consent else {"kind": None, "id": None}},
            "authorisation_id": None,
            "case": None,
            "source": None,
            "legal_mandate": law if mandate else None,
            "alternative_offered": False,
            "exigent": False,
            "deployment": None,
        })
    return out


def camera_requests(n: int, seed: int = 0) -> tuple[list[dict], dict]:
    """Camera faces (1:N) as the simulator's camera mix makes them and the gate turns them into
    inputs (``custodes.policy.inputs.camera_face_input``), and the registry they are judged with
    (the simulator's authorisations, their watchlists and the deployment records)."""
    from custodes.simulator.authorisations import authorisation_pool
    from custodes.simulator.registry import deployment_pool, registry_document, watchlist_of, watchlist_pool
    from custodes.simulator.scenarios import CAMERA_SCENARIOS, PLACES
    from custodes.simulator.stream import camera_authorisation, case_offence

    pool = authorisation_pool(seed, EPOCH)
    authorisations = [a for state in pool.values() for a in state]
    deployments = {d.id: d.to_opa() for d in deployment_pool(seed, EPOCH, PLACES)}
    registry = registry_document(authorisations, (), watchlist_pool(seed, authorisations))
    organisations = {"private": ("quickloans-ltd", "corner-electronics"), "employer": ("acme-logistics",)}
    weights = [s.weight for s in CAMERA_SCENARIOS]
    out = []
    for index in range(n):
        rng = Random(f"policy-golden/camera/{seed}/{index}")
        scenario = rng.choices(CAMERA_SCENARIOS, weights)[0]
        code = rng.choice(scenario.jurisdictions)
        authorisation, camera_id = camera_authorisation(rng, scenario, code, pool)
        offence = case_offence(rng, scenario, authorisation)
        requester = scenario.requester_type
        org = PLACES[code].police if requester == "law_enforcement" else rng.choice(organisations[requester])
        identification = scenario.use_case.endswith("identification")
        out.append({
            "id": f"cam-{seed}-{index:06d}",
            "time": _iso(EPOCH + timedelta(seconds=index / 20.0)),
            "jurisdiction": code,
            "use_case": scenario.use_case,
            "purpose": scenario.purpose,
            "requester": {"org": org, "type": requester},
            "site": {"type": rng.choice(scenario.site_types), "camera_id": camera_id, "signage": rng.random() < 0.8},
            "subject": {"age": None, "consent": {"kind": None, "id": None}},
            "authorisation_id": authorisation.id if authorisation else None,
            "case": {"ref": f"case-{code.lower()}-{seed}-{rng.randint(1, 9999):04d}", "offence": offence}
            if offence else None,
            "source": None,
            "legal_mandate": None,
            "alternative_offered": False,
            "exigent": False,
            "deployment": deployments.get(f"dep-{code.lower()}-{seed}") if scenario.deployment else None,
            "watchlist_id": None if not identification else (
                watchlist_of(authorisation) if authorisation else f"wl-{code.lower()}-{seed}"),
        })
    return out, registry


BENCH_MIXES = ("traffic", "sim", "camera", "diverse", "alike")


def alike_requests(n: int) -> list[dict]:
    """The gate throughput benchmark's requests (``benchmarks/gate_throughput.py``): one KE SIM
    registration (``custodes.events.sim_factory.sim_event`` through
    ``custodes.policy.inputs.sim_registration_input``) repeated with its own event id and a time
    one second apart from 2026-01-01. They share one decision key: what they cost is the
    per-request floor (key, decision id, the document's encoding)."""
    from PIL import Image

    from custodes.events.sim_factory import sim_event
    from custodes.policy.inputs import sim_registration_input

    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "face.jpg"
        Image.new("RGB", (32, 32), (128, 128, 128)).save(image, "JPEG")
        template = sim_event("bench-0", image, image, occurred_at=epoch)
    return [sim_registration_input(template.model_copy(update={
        "event_id": f"bench-{i}", "occurred_at": epoch + timedelta(seconds=i)}))["request"] for i in range(n)]


def bench_mix(n: int = 500, kind: str = "traffic") -> tuple[list[dict], dict]:
    """A fixed batch of ``n`` requests for the benchmarks, and the registry they are judged with.

    ``traffic`` (the default, what the gate sees from the simulator): SIM registrations and
    camera faces, 2:1 as the simulator's weights give them, shuffled; ``sim``: SIM
    registrations only (the gate throughput benchmark's traffic); ``camera``: camera faces
    only; ``diverse``: the scenario requests and random variations of them (every
    jurisdiction, path and effective date; far more varied than real traffic); ``alike``: the
    gate throughput benchmark's requests, all alike but for id and time (one decision key, so the
    per-request floor).
    """
    bases, registry = scenario_requests()
    cameras, camera_registry = camera_requests(n if kind == "camera" else n // 3, seed=7)
    for section in ("authorisations", "watchlists"):
        registry[section].update(camera_registry.get(section, {}))
    if kind == "sim":
        requests = sim_requests(n, seed=7)
    elif kind == "camera":
        requests = cameras
    elif kind == "alike":
        requests = alike_requests(n)
    elif kind == "diverse":
        requests = (bases + variations(bases, registry, n, seed=7))[:n]
    else:
        requests = sim_requests(n - len(cameras), seed=7) + cameras
    Random("policy-golden/bench").shuffle(requests)
    return requests, registry


def scenario_requests() -> tuple[list[dict], dict]:
    """The scenario requests and one registry holding every scenario's (ids suffixed by scenario)."""
    registry: dict = {"authorisations": {}, "watchlists": {}}
    requests = []
    for n, path in enumerate(sorted(SCENARIOS.rglob("*.json"))):
        scenario = json.loads(path.read_text())
        request = scenario["input"]["request"]
        renamed = {}
        for kind in ("authorisations", "watchlists"):
            for key, record in scenario["data"].get(kind, {}).items():
                new = f"{key}~{n}"
                renamed[(kind, key)] = new
                registry[kind][new] = record
        authorisation_id = request.get("authorisation_id")
        if isinstance(authorisation_id, str) and ("authorisations", authorisation_id) in renamed:
            request["authorisation_id"] = renamed[("authorisations", request["authorisation_id"])]
        if isinstance(request.get("watchlist_id"), str) and ("watchlists", request["watchlist_id"]) in renamed:
            request["watchlist_id"] = renamed[("watchlists", request["watchlist_id"])]
        requests.append(request)
    return requests, registry


def _vocabulary() -> dict:
    return json.loads((PACKS / "data.json").read_text())["vocabulary"]


def _codes() -> list[str]:
    return sorted(p.name for p in (PACKS / "jurisdictions").iterdir() if (p / "data.json").is_file())


def _dates() -> list[str]:
    """Every effective date in the packs, the day before and after, and some other moments."""
    found = set()
    for code in _codes():
        text = (PACKS / "jurisdictions" / code / "data.json").read_text()
        for key in ("effective_from", "effective_until"):
            for chunk in text.split(f'"{key}": "')[1:]:
                found.add(chunk.split('"', 1)[0])
    out = set()
    for value in found:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        out |= {_iso(moment), _iso(moment - timedelta(days=1)), _iso(moment + timedelta(hours=13))}
    out |= {"2019-06-01T10:00:00Z", "2024-01-01T00:00:00Z", "2025-06-02T08:00:00.050000Z",
            "2026-11-27T10:00:00Z", "2027-03-01T12:00:00+02:00", "2031-01-01T00:00:00Z"}
    return sorted(out)


def variations(bases: list[dict], registry: dict, n: int, seed: int = 1) -> list[dict]:
    """``n`` requests, each a scenario request with 1 to 5 fields changed at random."""
    vocab = _vocabulary()
    codes = _codes() + ["XX", "US-OR-salem", "BR", "", "de"]
    dates = _dates() + ["yesterday", "2025-13-01T00:00:00Z"]
    offences = vocab["annex_ii_offences"][:6] + ["fraud", "shoplifting", ""]
    auth_ids = sorted(registry["authorisations"]) + ["AUTH-missing"]
    watchlist_ids = sorted(registry["watchlists"]) + ["wl-missing"]
    deployment_fields = ("fria_id", "dpia_id", "eu_db_registration_id", "policy_document_id", "pia_id",
                         "authorising_officer", "location_rationale", "accountability_report_id")

    def deployment(rng: Random) -> dict | None:
        if rng.random() < 0.3:
            return None
        record = {f: (f"{f}-1" if rng.random() < 0.75 else rng.choice((None, "", " "))) for f in deployment_fields}
        record["accountability_report_date"] = rng.choice((None, "2023-01-15", "2024-09-01", "2026-01-01",
                                                           "2020-05-05T00:00:00Z", "soon"))
        return record

    mutations = {
        "jurisdiction": lambda r, g: r.__setitem__("jurisdiction", g.choice(codes)),
        "use_case": lambda r, g: r.__setitem__("use_case", g.choice([*vocab["use_cases"], "gait_recognition", None])),
        "purpose": lambda r, g: r.__setitem__("purpose", g.choice([*vocab["purposes"], "curiosity"])),
        "requester": lambda r, g: r.__setitem__("requester", {"org": "org-x",
                                                             "type": g.choice([*vocab["requester_types"], "alien"])}),
        "site": lambda r, g: r.__setitem__("site", {
            "type": g.choice(vocab["site_types"]), "camera_id": g.choice(("cam-1", "cam-2", "cam-9", None)),
            "signage": g.choice((True, False, None)),
            **({"device": g.choice(vocab["devices"])} if g.random() < 0.4 else {})}),
        "time": lambda r, g: r.__setitem__("time", g.choice(dates)),
        "mandate": lambda r, g: r.__setitem__("legal_mandate", g.choice((None, "", "  ", "Some Act s.1"))),
        "subject": lambda r, g: r.__setitem__("subject", {
            "age": g.choice((None, 9, 13, 14, 35)),
            "consent": {"kind": g.choice([*vocab["consent_kinds"], None, "implied"]), "id": "c-1",
                        **({"by_guardian": g.choice((True, False))} if g.random() < 0.4 else {})}}),
        "authorisation": lambda r, g: r.__setitem__("authorisation_id", g.choice([*auth_ids, None])),
        "watchlist": lambda r, g: r.__setitem__("watchlist_id", g.choice([*watchlist_ids, None])),
        "case": lambda r, g: r.__setitem__("case", None if g.random() < 0.25 else {
            "ref": g.choice(("CASE-1", "", None)),
            "offence": {"category": g.choice(offences), "max_sentence_years": g.choice((2, 4, 10, "ten", None))}}),
        "source": lambda r, g: r.__setitem__("source", g.choice([*vocab["sources"], None, "dark_web"])),
        "flags": lambda r, g: r.update(exigent=g.choice((True, False)),
                                       alternative_offered=g.choice((True, False, None))),
        "deployment": lambda r, g: r.__setitem__("deployment", deployment(g)),
        "purpose_end": lambda r, g: r.__setitem__("purpose_end", g.choice(
            ("2026-01-01T00:00:00Z", "2030-06-30T00:00:00Z", "2099-01-01T00:00:00Z", None))),
        "drop": lambda r, g: r.pop(g.choice(sorted(r)), None),
    }
    names = sorted(mutations)
    out = []
    for index in range(n):
        rng = Random(f"policy-golden/var/{seed}/{index}")
        request = copy.deepcopy(rng.choice(bases))
        request["id"] = f"var-{seed}-{index:05d}"
        for name in rng.sample(names, rng.randint(1, 5)):
            mutations[name](request, rng)
        out.append(request)
    return out


def malformed() -> list:
    """Requests that are not requests: the batch must still give each a (denying) decision."""
    return ["not-an-object", 42, None, [], {}, {"id": "only-an-id"},
            {"id": "bad-types", "time": 5, "jurisdiction": ["DE"], "use_case": {"x": 1}, "purpose": 3,
             "requester": "police", "site": [], "subject": "x", "case": "x", "deployment": "x"}]


def golden_set() -> tuple[list, dict]:
    """The requests the golden file holds, and the registry they are judged with."""
    bases, registry = scenario_requests()
    cameras, camera_registry = camera_requests(500)
    for kind in ("authorisations", "watchlists"):
        registry[kind].update(camera_registry.get(kind, {}))
    requests = bases + variations(bases, registry, 1500) + sim_requests(600) + cameras + malformed()
    return requests, registry


def has_judged(bundle: Path) -> bool:
    """Whether the bundle has the compact batch answer (``data.custodes.batch.judged``)."""
    return "judged :=" in (bundle / "custodes" / "batch" / "batch.rego").read_text()


def expand(judged: dict) -> list:
    """``data.custodes.batch.judged`` as ``data.custodes.batch.decisions`` says it: per request its
    document with its decision_id."""
    return [{**judged["documents"][index], "decision_id": decision_id} for index, decision_id in judged["decisions"]]


def evaluate(requests: list, registry: dict, bundle: Path = POLICIES, opa: Path = OPA) -> dict[str, list]:
    """The decisions for ``requests`` under ``registry`` with ``opa eval``: ``batch``
    (``data.custodes.batch.decisions``), ``single`` (``data.custodes.decision`` per request) and,
    where the bundle has it, ``judged`` (``data.custodes.batch.judged``, expanded)."""
    query = ("batch := data.custodes.batch.decisions; "
             "single := [d | some r in input.requests; d := data.custodes.decision with input as {\"request\": r}]")
    if has_judged(bundle):
        query += "; judged := data.custodes.batch.judged"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "input.json").write_text(json.dumps({"requests": requests}))
        (Path(tmp) / "registry.json").write_text(json.dumps({"custodes": {"registry": registry}}))
        done = subprocess.run(
            [str(opa), "eval", "--format", "json", "--bundle", str(bundle), "--ignore", "*_test.rego",
             "--ignore", "scenarios", "--data", str(Path(tmp) / "registry.json"),
             "--input", str(Path(tmp) / "input.json"), query],
            capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"opa eval failed: {done.stderr[-2000:]}")
    results = json.loads(done.stdout).get("result") or []
    if not results:
        raise SystemExit("the batch decisions are undefined")
    bindings = results[0]["bindings"]
    if "judged" in bindings:
        bindings["judged"] = expand(bindings["judged"])
    return bindings


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def changes(requests: list, before: list[dict], after: list[dict]) -> Counter:
    """How decisions changed, counted by (jurisdiction, use case, allowed before, allowed after,
    reason codes gained, reason codes lost); other fields that changed are named as codes."""
    out: Counter = Counter()
    for request, old, new in zip(requests, before, after, strict=True):
        if canonical(old) == canonical(new):
            continue
        codes_old = Counter(r["code"] for r in old.get("reasons", []))
        codes_new = Counter(r["code"] for r in new.get("reasons", []))
        fields = sorted(k for k in set(old) | set(new) if k not in ("allow", "reasons") and old.get(k) != new.get(k))
        same = codes_old == codes_new and canonical(old.get("reasons")) != canonical(new.get("reasons"))
        where = request if isinstance(request, dict) else {}
        out[(str(where.get("jurisdiction")), str(where.get("use_case")), old.get("allow"), new.get("allow"),
             tuple(sorted((codes_new - codes_old).elements())),
             tuple(sorted((codes_old - codes_new).elements()) + [f"<{f}>" for f in fields]
                   + (["<reason text>"] if same else [])))] += 1
    return out


def rejudge(golden: dict, decided: dict[str, list]) -> int:
    """Record ``decided`` (the current bundle's decisions for the golden file's requests) as the
    golden decisions, once batch, judged and single agree; print what changed."""
    batch = decided["batch"]
    for label, got in decided.items():
        differ = [i for i, (b, s) in enumerate(zip(batch, got, strict=True)) if canonical(b) != canonical(s)]
        if differ:
            print(f"batch and {label} decisions differ at {differ[:10]}; not recorded")
            return 1
    changed = changes(golden["requests"], golden["decisions"], batch)
    for (code, use_case, was, now, gained, lost), n in sorted(changed.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:5d}  {code} {use_case}: allow {was} -> {now}; "
              f"+ {', '.join(gained) or '-'}; - {', '.join(lost) or '-'}")
    with gzip.open(GOLDEN, "wt", encoding="utf-8") as fh:
        json.dump({"registry": golden["registry"], "requests": golden["requests"], "decisions": batch}, fh,
                  sort_keys=True)
    print(f"re-judged {len(batch)} requests: {sum(changed.values())} decisions changed; recorded in "
          f"{GOLDEN.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="record the golden file from the current bundle")
    parser.add_argument("--rejudge", action="store_true",
                        help="record the current bundle's decisions for the golden file's own requests and registry")
    parser.add_argument("--bundle", type=Path, default=POLICIES)
    args = parser.parse_args()
    if args.record:
        requests, registry = golden_set()
        decided = evaluate(requests, registry, args.bundle)
        batch, single = decided["batch"], decided["single"]
        differ = [i for i, (b, s) in enumerate(zip(batch, single, strict=True)) if canonical(b) != canonical(s)]
        if differ:
            print(f"batch and single decisions differ at {differ[:10]}; not recorded")
            return 1
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(GOLDEN, "wt", encoding="utf-8") as fh:
            json.dump({"registry": registry, "requests": requests, "decisions": batch}, fh, sort_keys=True)
        allowed = sum(1 for d in batch if d["allow"])
        print(f"recorded {len(batch)} decisions ({allowed} allowed) in {GOLDEN.relative_to(ROOT)}")
        return 0
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        golden = json.load(fh)
    decided = evaluate(golden["requests"], golden["registry"], args.bundle)
    if args.rejudge:
        return rejudge(golden, decided)
    failures = 0
    for label, got in decided.items():
        if len(got) != len(golden["decisions"]):
            print(f"{label}: {len(got)} decisions, golden has {len(golden['decisions'])}")
            failures += 1
            continue
        for i, (want, have) in enumerate(zip(golden["decisions"], got, strict=True)):
            if canonical(want) != canonical(have):
                failures += 1
                if failures <= 5:
                    print(f"{label} #{i} ({golden['requests'][i]!r:.120}):\n  golden {canonical(want)}\n  got    "
                          f"{canonical(have)}")
    total = len(golden["decisions"])
    print(f"{total} requests: {'all decisions identical' if not failures else f'{failures} differences'}"
          f" ({', '.join(decided)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
