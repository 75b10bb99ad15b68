"""Policy evaluation cost: µs per decision, in one run, for a fixed realistic request mix.

    .venv/bin/python benchmarks/policy_eval.py                    # the working tree's policies/
    .venv/bin/python benchmarks/policy_eval.py --baseline HEAD    # and a git revision's, same run
    .venv/bin/python benchmarks/policy_eval.py --mix sim --rounds 20

Prints, for each bundle:
  (a) one request    ``opa bench`` on ``data.custodes.decision`` (a SIM registration, and a
                     camera face under an authorisation);
  (b) batch of N     ``opa bench`` on ``data.custodes.batch.decisions`` with the mix (and on
                     ``data.custodes.batch.judged``, the compact answer the gate asks for, where
                     the bundle has it);
  (c) HTTP server    the same batch POSTed to a real ``opa run --server`` (loopback, keep-alive,
                     several rounds) at each of those paths: wall time per decision, how much of
                     it OPA spent evaluating (``?metrics=true``) versus decoding, encoding and
                     HTTP, the server's CPU time per decision (all its threads, GC included; the
                     number that counts on a machine shared with Kafka and the gate) and the
                     answer's size. ``--gogc 100,400`` runs the server once per GOGC value.

The mix (``benchmarks/policy_golden.py`` ``bench_mix``): ``traffic`` (default) is what the gate
sees from the simulator, SIM registrations and camera faces 2:1; ``sim`` and ``camera`` are each
alone; ``diverse`` is the scenario requests and random variations of them; ``alike`` is the gate
throughput benchmark's requests (one SIM registration, ids and times apart). Requests and the
registry are generated deterministically, so the numbers are reproducible on a given machine.
``opa bench`` reports the fastest of ``--count`` runs (others on the machine slow it down, never
speed it up). The OPA server uses free loopback ports, never the stack's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from custodes.stack.processes import free_port  # noqa: E402
from policy_golden import BENCH_MIXES, OPA, POLICIES, ROOT, bench_mix, sim_requests  # noqa: E402

IGNORE = ["--ignore", "*_test.rego", "--ignore", "scenarios"]


def opa_bench(bundle: Path, query: str, input_path: Path, data_path: Path, count: int) -> dict:
    """``opa bench`` of ``query``: the fastest run's ns/op, allocations and bytes per op."""
    done = subprocess.run(
        [str(OPA), "bench", "--bundle", str(bundle), *IGNORE, "--data", str(data_path), "--input", str(input_path),
         "--count", str(count), "--benchmem", "--format", "json", query],
        capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise SystemExit(f"opa bench {query} failed: {done.stderr[-2000:]}")
    runs, text, decoder = [], done.stdout.strip(), json.JSONDecoder()
    while text:  # one JSON document per run
        run, end = decoder.raw_decode(text)
        runs.append(run)
        text = text[end:].strip()
    best = min(runs, key=lambda r: r["T"] / r["N"])
    return {"ns": best["T"] / best["N"], "allocs": best["MemAllocs"] / best["N"], "bytes": best["MemBytes"] / best["N"]}


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds a process has used (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_rounds(bundle: Path, registry: dict, requests: list, rounds: int, paths: list[str],
                env: dict | None = None) -> dict:
    """POST the batch ``rounds`` times per path to a fresh OPA server: wall µs/decision, OPA's eval
    share and the server's CPU µs/decision (all its threads: decoding, evaluating, encoding, GC)."""
    port = free_port()
    server = subprocess.Popen(
        [str(OPA), "run", "--server", "--addr", f"127.0.0.1:{port}", "--bundle", str(bundle), *IGNORE,
         "--skip-version-check", "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for _ in range(200):
            try:
                conn.request("GET", "/health")
                if conn.getresponse().read() is not None:
                    break
            except OSError:
                time.sleep(0.05)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Content-Type": "application/json"}
        conn.request("PUT", "/v1/data/custodes/registry", json.dumps(registry), headers)
        conn.getresponse().read()
        body = json.dumps({"input": {"requests": requests}}).encode()
        n = len(requests)
        out = {}
        for path in paths:
            walls, evals, handlers, sizes = [], [], [], []
            cpu_start = None
            for i in range(rounds + 2):
                if i == 2:  # after two warm-up rounds
                    cpu_start = _cpu_s(server.pid)
                start = time.perf_counter()
                conn.request("POST", f"/v1/data/{path}?metrics=true", body, headers)
                raw = conn.getresponse().read()
                wall = time.perf_counter() - start
                answer = json.loads(raw)
                result = answer.get("result")
                entries = result.get("decisions") if isinstance(result, dict) else result
                if len(entries or []) != n:
                    raise SystemExit(f"the server did not answer one decision per request at {path}")
                if i >= 2:
                    walls.append(wall)
                    sizes.append(len(raw))
                    evals.append(answer["metrics"].get("timer_rego_query_eval_ns", 0) / 1e9)
                    handlers.append(answer["metrics"].get("timer_server_handler_ns", 0) / 1e9)
            cpu_end = _cpu_s(server.pid)
            out[path] = {
                "wall_us": min(walls) / n * 1e6, "wall_median_us": statistics.median(walls) / n * 1e6,
                "eval_us": min(evals) / n * 1e6, "handler_us": min(handlers) / n * 1e6,
                "cpu_us": None if cpu_start is None or cpu_end is None else (cpu_end - cpu_start) / rounds / n * 1e6,
                "answer_bytes": statistics.median(sizes) / n,
            }
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def git_bundle(revision: str, target: Path) -> Path:
    """``policies/`` of a git revision, exported to ``target``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision, "policies"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "policies"


def measure(label: str, bundle: Path, work: Path, requests: list, registry: dict, args: argparse.Namespace) -> None:
    inputs = {
        "batch": {"requests": requests},
        "sim": {"request": next((r for r in requests if r.get("use_case") == "sim_registration_verification"),
                                sim_requests(1, seed=7)[0])},
        "camera": {"request": next((r for r in requests if r.get("authorisation_id")), requests[0])},
    }
    paths = {}
    for name, document in inputs.items():
        paths[name] = work / f"{name}.json"
        paths[name].write_text(json.dumps(document))
    data = work / "registry.json"
    data.write_text(json.dumps({"custodes": {"registry": registry}}))
    n = len(requests)
    compact = "judged :=" in (bundle / "custodes" / "batch" / "batch.rego").read_text()
    print(f"\n== {label}: {bundle}")
    for name in ("sim", "camera"):
        one = opa_bench(bundle, "data.custodes.decision", paths[name], data, args.count)
        print(f"(a) one request ({name:6s})  opa bench data.custodes.decision        "
              f"{one['ns'] / 1e3:9.1f} µs/decision  {one['allocs']:8.0f} allocs  {one['bytes'] / 1024:7.1f} KiB")
    batch = opa_bench(bundle, "data.custodes.batch.decisions", paths["batch"], data, args.count)
    print(f"(b) batch of {n} ({args.mix})  opa bench data.custodes.batch.decisions "
          f"{batch['ns'] / n / 1e3:9.1f} µs/decision  {batch['allocs'] / n:8.0f} allocs  "
          f"{batch['bytes'] / n / 1024:7.1f} KiB")
    if compact:
        judged = opa_bench(bundle, "data.custodes.batch.judged", paths["batch"], data, args.count)
        print(f"(b) batch of {n} ({args.mix})  opa bench data.custodes.batch.judged    "
              f"{judged['ns'] / n / 1e3:9.1f} µs/decision  {judged['allocs'] / n:8.0f} allocs  "
              f"{judged['bytes'] / n / 1024:7.1f} KiB")
    if args.rounds:
        served_paths = ["custodes/batch/decisions"] + (["custodes/batch/judged"] if compact else [])
        for gogc in args.gogc or [None]:
            env = {"GOGC": gogc} if gogc else {}
            if args.gomaxprocs:
                env["GOMAXPROCS"] = args.gomaxprocs
            settings = " ".join(f"{k}={v}" for k, v in env.items())
            served = http_rounds(bundle, registry, requests, args.rounds, served_paths, env)
            for path, one in served.items():
                cpu = "n/a" if one["cpu_us"] is None else f"{one['cpu_us']:.1f}"
                print(f"(c) HTTP {path.rsplit('/', 1)[-1]:9s} batch of {n}, {args.rounds} rounds{' ' + settings if settings else ''}: "
                      f"{one['wall_us']:.1f} µs/decision (median {one['wall_median_us']:.1f}); OPA evaluating "
                      f"{one['eval_us']:.1f}, handler {one['handler_us']:.1f}, so HTTP/JSON "
                      f"{one['wall_us'] - one['eval_us']:.1f}; OPA CPU {cpu} µs/decision; "
                      f"{one['answer_bytes']:.0f} B/decision answered")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=POLICIES, help="policies directory (default: policies/)")
    parser.add_argument("--baseline", metavar="REV", help="also measure policies/ at this git revision, same run")
    parser.add_argument("--mix", choices=BENCH_MIXES, default="traffic")
    parser.add_argument("--batch", type=int, default=500, help="requests per batch (default 500)")
    parser.add_argument("--count", type=int, default=3, help="opa bench runs; the fastest counts (default 3)")
    parser.add_argument("--rounds", type=int, default=10, help="HTTP rounds (0: skip the server)")
    parser.add_argument("--gogc", type=lambda v: v.split(","), metavar="LIST",
                        help="run the server once per GOGC value, e.g. 100,400,off (default: the environment's)")
    parser.add_argument("--gomaxprocs", metavar="N", help="GOMAXPROCS for the server")
    args = parser.parse_args()
    if not OPA.is_file():
        raise SystemExit(f"OPA binary missing at {OPA}; run `make install`")
    requests, registry = bench_mix(args.batch, args.mix)
    version = subprocess.run([str(OPA), "version"], capture_output=True, text=True).stdout.split()[1]
    sims = sum(r.get("use_case") == "sim_registration_verification" for r in requests)
    print(f"mix {args.mix}: {len(requests)} requests ({sims} SIM registrations); {os.cpu_count()} CPUs; OPA {version}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.baseline:
            baseline = git_bundle(args.baseline, work / "baseline")
            measure(f"baseline {args.baseline}", baseline, work, requests, registry, args)
            shutil.rmtree(work / "baseline")
        measure("working tree" if args.bundle == POLICIES else str(args.bundle), args.bundle, work, requests,
                registry, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
