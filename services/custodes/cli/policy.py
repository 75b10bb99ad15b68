"""``custodes policy``: evaluate, build (signed), verify and replay policy bundles.

Exit status: 0 when the command did its job (``eval`` prints any decision, allow or
deny, with 0); 1 when it could not (OPA, a key, the ledger or a file said no; the
message says what to do); 2 for a bad option.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from custodes.audit.errors import AuditStoreError
from custodes.cli.console import make_console
from custodes.policy.errors import PolicyToolError
from custodes.settings import Settings, get_settings

app = typer.Typer(no_args_is_help=True, help="Policy bundles: eval, build (signed), verify, replay, new-jurisdiction.")
console = make_console()
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def _actionable() -> Iterator[None]:
    """Turn the errors a person can act on into one red line and exit status 1."""
    try:
        yield
    except (PolicyToolError, AuditStoreError) as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _when(value: str) -> datetime:
    from custodes.policy.replay import parse_when

    try:
        return parse_when(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _opa(settings: Settings) -> Path:
    from custodes.policy.opa_cli import opa_binary

    return opa_binary(settings)


def _registry(path: Path | None) -> dict | None:
    from custodes.policy.evaluate import load_registry

    return load_registry(path) if path is not None else None


@app.command("eval")
def eval_(
    input_file: Path = typer.Option(..., "--input", "-i", help="decision input JSON {\"request\": {...}}; - for stdin",
                                    allow_dash=True),
    data: Path = typer.Option(None, "--data", "-d", help="registry document {\"authorisations\": {...}}, "
                              "loaded as data.custodes.registry"),
    bundle: Path = typer.Option(None, "--bundle", "-b", help="policy directory or bundle .tar.gz [default: policies/]"),
) -> None:
    """Print the decision document OPA gives for one input (exit 0 for allow and deny alike)."""
    from custodes.policy.evaluate import evaluate_one, load_input

    settings = get_settings()
    with _actionable():
        policy_input = load_input(Path("/dev/stdin") if str(input_file) == "-" else input_file)
        decision = evaluate_one(_opa(settings), bundle or settings.policies_dir, policy_input,
                                registry=_registry(data), decision_path=settings.opa.decision_path)
    typer.echo(json.dumps(decision, indent=2, sort_keys=True))


@app.command()
def build(
    policies: Path = typer.Option(None, "--policies", help="policy directory [default: policies/]"),
    output: Path = typer.Option(None, "--output", "-o", help="bundle file [default: <state dir>/bundles/custodes.tar.gz]"),
    signing_key: Path = typer.Option(None, "--signing-key", help="PEM private key (RSA or EC) [default: the stack's "
                                     "key in <state dir>/keys, made on first use]"),
    revision: str = typer.Option(None, help="bundle revision [default: <git sha>[-dirty]-<sources digest>-<UTC time>]"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Build a signed bundle (keyid in its signature), then have OPA verify it."""
    from custodes.policy.bundle import build_bundle, verify_bundle
    from custodes.policy.keys import PRIVATE_KEY_NAME, ensure_keypair, keys_dir, load_signing_key

    settings = get_settings()
    new_key = signing_key is None and not (keys_dir(settings) / PRIVATE_KEY_NAME).exists()
    with _actionable():
        opa = _opa(settings)
        key = load_signing_key(signing_key) if signing_key else ensure_keypair(keys_dir(settings))
        built = build_bundle(opa, policies or settings.policies_dir,
                             output or settings.state_dir / "bundles" / "custodes.tar.gz", key, revision)
        verify_bundle(opa, built.path, key.verification)
    if as_json:
        typer.echo(json.dumps({"bundle": str(built.path), "revision": built.revision, "keyid": built.keyid,
                               "algorithm": built.algorithm, "signing_key": str(key.private_key),
                               "files": list(built.files)}, indent=2))
        return
    lines = [f"made a new signing keypair in {keys_dir(settings)} (the private key never leaves it)"] * new_key
    lines += [f"built and verified {built.path}", f"  revision  {built.revision}",
              f"  signed    keyid {built.keyid} ({built.algorithm}) with {key.private_key}",
              f"  files     {', '.join(f for f in built.files if not f.startswith('.'))}"]
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command()
def verify(
    bundle: Path = typer.Argument(..., help="bundle .tar.gz"),
    public_key: Path = typer.Option(None, "--public-key", help="PEM public key [default: the stack's, "
                                    "<state dir>/keys/bundle-signing.pub.pem]"),
) -> None:
    """Check a bundle's signature the way the OPA server does (exit 1 when OPA refuses it)."""
    from custodes.policy.bundle import read_manifest, signature_claims, verify_bundle
    from custodes.policy.keys import PUBLIC_KEY_NAME, keys_dir, load_verification_key

    settings = get_settings()
    with _actionable():
        key = load_verification_key(public_key or keys_dir(settings) / PUBLIC_KEY_NAME)
        verify_bundle(_opa(settings), bundle, key)
        header, _ = signature_claims(bundle)
        revision = read_manifest(bundle).get("revision", "")
    console.print(f"verified {bundle}: revision {revision}, signed by keyid {header.get('kid', '?')} "
                  f"({header.get('alg', '?')})", markup=False, highlight=False, style="green")


@app.command()
def replay(
    bundle: Path = typer.Option(..., "--bundle", "-b", help="candidate: policy directory or bundle .tar.gz"),
    since: str = typer.Option(..., help="start of the period: 7d, 24h, 30m, 2w ago, or an ISO 8601 date/time (UTC)"),
    until: str = typer.Option(None, help="end of the period (exclusive) [default: now]"),
    jurisdiction: list[str] = typer.Option(None, "--jurisdiction", "-j", help="only these jurisdictions (repeatable)"),
    data: Path = typer.Option(None, "--data", "-d", help="registry document to judge with (data.custodes.registry)"),
    examples: int = typer.Option(3, min=0, max=100, help="examples kept per jurisdiction, use case and change"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Re-judge the audited decision inputs of a period with a candidate bundle; report what would change."""
    from custodes.policy.replay import render_report
    from custodes.policy.replay import replay as run_replay

    settings = get_settings()
    start, end = _when(since), _when(until) if until else None
    if end is not None and end <= start:
        raise typer.BadParameter("--until must be later than --since", param_hint="--until")
    with _actionable():
        report = run_replay(settings, _opa(settings), bundle, start, end, jurisdiction or (),
                            registry=_registry(data), registry_name=str(data) if data else "none",
                            examples=examples)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
    else:
        console.print(render_report(report))


@app.command("new-jurisdiction")
def new_jurisdiction(
    code: str = typer.Argument(..., help="jurisdiction code, e.g. BR"),
    policies: Path = typer.Option(None, "--policies", help="policy directory [default: policies/]"),
) -> None:
    """Scaffold a jurisdiction pack (data, tests, scenarios) and list the files created."""
    try:
        from custodes.policy.scaffold import new_jurisdiction as scaffold
    except ImportError as exc:
        why = escape(str(exc))
        errors.print(f"[red]error:[/red] the jurisdiction scaffold is not available in this build ({why})")
        raise typer.Exit(1) from exc
    settings = get_settings()
    with _actionable():
        try:
            created = scaffold(code, policies or settings.policies_dir)
        except (ValueError, OSError) as exc:
            raise PolicyToolError(str(exc)) from exc
    for path in created:
        console.print(str(path), markup=False, highlight=False)
    console.print(f"{len(created)} files created for {code}", markup=False, highlight=False, style="green")

