"""Signed policy bundles: build, verify, and the OPA server configuration that serves them.

Contract:
- :func:`build_bundle` turns a policy directory into ``bundle.tar.gz`` with ``opa build``,
  signed with the given key; the JWT header always carries the key's ``kid`` and the
  ``.manifest`` the revision. Tests and scenarios (:data:`BUNDLE_IGNORE`) are left out.
  The output is replaced atomically, so a reader never sees half a bundle.
- :func:`make_revision` is ``<git short sha>[-dirty]-<12 hex of the sources' SHA-256>-<UTC
  time>`` (the git part only inside a git work tree; ``-dirty`` when the policy
  directory differs from HEAD), so a decision's revision names the exact sources.
- :func:`verify_bundle` asks OPA itself (``opa run --bundle`` with the verification key)
  and raises :class:`BundleVerificationError` saying what is wrong (unsigned, another
  key, changed after signing) and how to fix it.
- :func:`server_config` is the OPA configuration that serves one signed bundle file as
  bundle :data:`BUNDLE_NAME` with verification on and an explicit keyid; OPA then
  reports the revision in every decision's provenance (``custodes@<revision>``).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from custodes.policy.errors import BundleError, BundleVerificationError
from custodes.policy.keys import SigningKey, VerificationKey
from custodes.policy.opa_cli import run_opa

__all__ = [
    "BUNDLE_IGNORE",
    "BUNDLE_NAME",
    "BuiltBundle",
    "build_bundle",
    "bundle_files",
    "make_revision",
    "read_manifest",
    "server_config",
    "signature_claims",
    "source_digest",
    "verify_bundle",
]

BUNDLE_NAME = "custodes"
BUNDLE_IGNORE: tuple[str, ...] = ("*_test.rego", "scenarios", "samples")
_LOADED_SUFFIXES = frozenset({".rego", ".json", ".yaml", ".yml"})


@dataclass(frozen=True)
class BuiltBundle:
    """A signed bundle on disk."""

    path: Path
    revision: str
    keyid: str
    algorithm: str
    files: tuple[str, ...]


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in BUNDLE_IGNORE)


def source_digest(policies_dir: Path) -> str:
    """SHA-256 over the relative paths and bytes of the files a build would read."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(policies_dir):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        for name in sorted(files):
            path = Path(root, name)
            if _ignored(name) or (path.suffix not in _LOADED_SUFFIXES and name != ".manifest"):
                continue
            digest.update(path.relative_to(policies_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _git(policies_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(policies_dir), *args], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def make_revision(policies_dir: Path, now: datetime | None = None) -> str:
    """The revision stamped into a bundle built from ``policies_dir`` now."""
    parts = []
    if sha := _git(policies_dir, "rev-parse", "--short=7", "HEAD"):
        parts.append(sha + ("-dirty" if _git(policies_dir, "status", "--porcelain", "--", ".") else ""))
    parts.append(source_digest(policies_dir)[:12])
    parts.append((now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return "-".join(parts)


def build_bundle(opa: Path, policies_dir: Path, output: Path, key: SigningKey, revision: str | None = None) -> BuiltBundle:
    """Build and sign ``policies_dir`` into ``output``; see the module contract."""
    if not (policies_dir / ".manifest").is_file():
        raise BundleError(f"{policies_dir} is not a policy bundle directory (.manifest missing)")
    revision = revision or make_revision(policies_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(fd)
    try:
        args = ["build", "--bundle", ".", "--output", tmp, "--revision", revision,
                "--signing-key", str(key.private_key.resolve()), "--signing-alg", key.algorithm,
                "--verification-key-id", key.keyid]
        for pattern in BUNDLE_IGNORE:
            args += ["--ignore", pattern]
        done = run_opa(opa, args, cwd=policies_dir)
        if done.returncode != 0:
            raise BundleError(f"`opa build` of {policies_dir} failed:\n{_opa_message(done)}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return BuiltBundle(path=output, revision=revision, keyid=key.keyid, algorithm=key.algorithm,
                       files=tuple(bundle_files(output)))


def bundle_files(bundle: Path) -> list[str]:
    """The files of a bundle archive (no leading slash), in archive order."""
    try:
        with tarfile.open(bundle, "r:gz") as archive:
            return [m.name.lstrip("/") for m in archive.getmembers() if m.isfile()]
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"cannot read the bundle {bundle}: {exc}") from exc


def _member(bundle: Path, name: str) -> bytes | None:
    if bundle.is_dir():
        path = bundle / name
        return path.read_bytes() if path.is_file() else None
    try:
        with tarfile.open(bundle, "r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.lstrip("/").removeprefix("./") == name:
                    extracted = archive.extractfile(member)
                    return extracted.read() if extracted else None
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"cannot read the bundle {bundle}: {exc}") from exc
    return None


def read_manifest(bundle: Path) -> dict[str, Any]:
    """The ``.manifest`` of a bundle archive or directory (``{}`` when it has none)."""
    raw = _member(bundle, ".manifest")
    if raw is None:
        return {}
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise BundleError(f"the .manifest of {bundle} is not JSON: {exc}") from exc
    return manifest if isinstance(manifest, dict) else {}


def signature_claims(bundle: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (JWT header, JWT payload) of a bundle's first signature; not verified."""
    raw = _member(bundle, ".signatures.json")
    if raw is None:
        raise BundleError(f"{bundle} is not signed (no .signatures.json)")
    try:
        token = json.loads(raw)["signatures"][0]
        header, payload = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in token.split(".")[:2])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BundleError(f"the .signatures.json of {bundle} is malformed: {exc}") from exc
    return header, payload


def _opa_message(done: subprocess.CompletedProcess[bytes]) -> str:
    return (done.stderr or done.stdout).decode(errors="replace").strip()[-2000:] or f"opa exited {done.returncode}"


_EXPLANATIONS = (
    ("missing .signatures.json", "the bundle is not signed"),
    ("failed to verify JWT signature", "it was signed with another key than keyid {keyid} ({algorithm})"),
    ("digest mismatch", "a file was changed after signing"),
    ("not included in bundle signature", "a file was added after signing"),
    ("not found in the target bundle", "a signed file was removed after signing"),
)


def verify_bundle(opa: Path, bundle: Path, key: VerificationKey) -> None:
    """Have OPA verify ``bundle`` against ``key``; raise :class:`BundleVerificationError` if it refuses."""
    if not bundle.is_file():
        raise BundleError(f"no bundle file at {bundle}")
    with tempfile.TemporaryDirectory(prefix="custodes-verify-") as tmp:
        public = Path(tmp, "public.pem")
        public.write_text(key.public_pem)
        done = run_opa(opa, ["run", "--bundle", str(bundle.resolve()), "--verification-key", str(public),
                             "--verification-key-id", key.keyid, "--signing-alg", key.algorithm,
                             "--history", str(Path(tmp, "history"))], cwd=Path(tmp))
    if done.returncode == 0:
        return
    detail = _opa_message(done)
    why = next((text for needle, text in _EXPLANATIONS if needle in detail), "OPA refused its signature")
    raise BundleVerificationError(
        f"the bundle {bundle} fails signature verification: {why.format(keyid=key.keyid, algorithm=key.algorithm)}.\n"
        f"OPA said: {detail}\n"
        "Rebuild and sign it with `custodes policy build` (it signs with the key OPA verifies with), "
        "or check which public key OPA is given."
    )


def server_config(bundle: Path, key: VerificationKey, name: str = BUNDLE_NAME) -> dict[str, Any]:
    """OPA configuration serving the signed ``bundle`` file with verification on (explicit keyid)."""
    if not key.keyid:
        raise BundleVerificationError("refusing to configure OPA without a keyid (GHSA-g2pf-6v5v-qcc8)")
    return {
        "bundles": {name: {"resource": bundle.resolve().as_uri(), "signing": {"keyid": key.keyid}}},
        "keys": {key.keyid: {"algorithm": key.algorithm, "key": key.public_pem}},
    }
