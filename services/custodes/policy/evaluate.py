"""Judging decision inputs with the real OPA (``opa eval``) against a bundle on disk.

Contract:
- :func:`evaluate_many` evaluates every input against one bundle (a directory such as
  ``policies/`` or a built ``.tar.gz``) in batches of :data:`BATCH` per ``opa eval``
  process, and returns one decision document per input, in order; ``None`` where the
  bundle leaves the decision undefined.
- A registry document (``{"authorisations": {...}}``) is loaded as
  ``data.custodes.registry``, as the gate pushes it to the OPA server.
- Anything OPA cannot evaluate (a compile error in the bundle, a registry or input that
  is not an object) raises :class:`EvaluationError` with OPA's own message.
- Signatures are not checked here: this is for judging candidates (``opa eval`` never
  verifies); the server in the stack verifies what it serves.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from custodes.policy.bundle import BUNDLE_IGNORE
from custodes.policy.errors import EvaluationError
from custodes.policy.opa_cli import run_opa

__all__ = ["BATCH", "REGISTRY_PATH", "decision_ref", "evaluate_many", "evaluate_one", "load_input", "load_registry"]

BATCH = 5000
REGISTRY_PATH = ("custodes", "registry")


def decision_ref(decision_path: str) -> str:
    """``custodes/decision`` → ``data.custodes.decision``."""
    return "data." + ".".join(p for p in decision_path.strip("/").split("/") if p)


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text()
    except OSError as exc:
        raise EvaluationError(f"cannot read the {what} {path}: {exc.strerror}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise EvaluationError(f"the {what} {path} is not JSON: {exc}") from exc


def load_input(path: Path) -> dict[str, Any]:
    """A decision input file: ``{"request": {...}}`` (the gate's ``details.policy_input``)."""
    document = _read_json(path, "input file")
    if not isinstance(document, dict) or not isinstance(document.get("request"), dict):
        raise EvaluationError(
            f"the input file {path} is not a decision input: expected a JSON object {{\"request\": {{...}}}} "
            "(as the gate sends and audits it in details.policy_input)"
        )
    return document


def load_registry(path: Path) -> dict[str, Any]:
    """A registry document file: ``{"authorisations": {<id>: {...}}}``."""
    document = _read_json(path, "registry file")
    if not isinstance(document, dict) or not isinstance(document.get("authorisations"), dict):
        raise EvaluationError(
            f"the registry file {path} is not a registry document: expected {{\"authorisations\": {{<id>: {{...}}}}}}"
        )
    return document


def _chunks(items: Sequence[dict], size: int) -> Iterator[Sequence[dict]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _errors(stdout: bytes, stderr: bytes) -> str:
    try:
        errors = json.loads(stdout)["errors"]
        lines = []
        for error in errors:
            where = error.get("location") or {}
            prefix = f"{where.get('file', '')}:{where.get('row', '')}: " if where.get("file") else ""
            lines.append(prefix + str(error.get("message", error)))
        return "\n".join(lines)
    except (ValueError, KeyError, TypeError):
        return (stderr or stdout).decode(errors="replace").strip()[-2000:]


def evaluate_many(opa: Path, bundle: Path, inputs: Sequence[dict], *, registry: dict | None = None,
                  decision_path: str = "custodes/decision", batch: int = BATCH) -> list[dict | None]:
    """The decision document of each input (``None`` where undefined), in order."""
    if not bundle.exists():
        raise EvaluationError(f"no bundle at {bundle}: give a policy directory (with .manifest) or a bundle .tar.gz")
    query = f"{{i: d | some i, r in input.inputs; d := {decision_ref(decision_path)} with input as r}}"
    decisions: list[dict | None] = []
    with tempfile.TemporaryDirectory(prefix="custodes-eval-") as tmp:
        args = ["eval", "--bundle", str(bundle.resolve()), "--format", "json", "--stdin-input"]
        for pattern in BUNDLE_IGNORE:
            args += ["--ignore", pattern]
        if registry is not None:
            document: dict = registry
            for key in reversed(REGISTRY_PATH):
                document = {key: document}
            Path(tmp, "registry.json").write_text(json.dumps(document))
            args += ["--data", str(Path(tmp, "registry.json"))]
        for chunk in _chunks(inputs, max(1, batch)):
            done = run_opa(opa, [*args, query], cwd=Path(tmp), stdin=json.dumps({"inputs": list(chunk)}).encode())
            if done.returncode != 0:
                why = _errors(done.stdout, done.stderr)
                raise EvaluationError(f"OPA could not evaluate with the bundle {bundle}:\n{why}")
            try:
                value = json.loads(done.stdout)["result"][0]["expressions"][0]["value"]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise EvaluationError(f"unexpected answer from `opa eval`: {done.stdout[:300]!r}") from exc
            decisions.extend(v if isinstance(v := value.get(str(i)), dict) else None for i in range(len(chunk)))
    return decisions


def evaluate_one(opa: Path, bundle: Path, policy_input: dict, *, registry: dict | None = None,
                 decision_path: str = "custodes/decision") -> dict:
    """The decision document for one input; raises when the bundle leaves it undefined."""
    [decision] = evaluate_many(opa, bundle, [policy_input], registry=registry, decision_path=decision_path)
    if decision is None:
        raise EvaluationError(f"the bundle {bundle} defines no decision at {decision_ref(decision_path)} for this input")
    return decision
