"""Bundle signing keys: made once per state directory, never committed.

Contract:
- :func:`ensure_keypair` returns the signing key in ``<state_dir>/keys``, creating an
  ECDSA P-256 pair on first use (private key 0600 in a 0700 directory, public key
  beside it); later calls, and concurrent first calls, return the same key.
- :func:`load_signing_key` reads any PEM private key (RSA or EC); a key that others may
  read or write is refused.
- Every key has a non-empty ``keyid`` derived from its public key
  (``custodes-<16 hex of SHA-256 of the DER SubjectPublicKeyInfo>``): a bundle signed by
  another key names another keyid, and OPA is always configured with an explicit keyid
  (GHSA-g2pf-6v5v-qcc8).
- The algorithm follows the key: RSA → RS256; EC P-256/P-384/P-521 → ES256/ES384/ES512.
- Keys are made and read with the ``openssl`` command.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from custodes.policy.errors import SigningKeyError
from custodes.settings import Settings

__all__ = [
    "PRIVATE_KEY_NAME",
    "PUBLIC_KEY_NAME",
    "SigningKey",
    "VerificationKey",
    "ensure_keypair",
    "keys_dir",
    "load_signing_key",
    "load_verification_key",
    "verification_key",
]

PRIVATE_KEY_NAME = "bundle-signing.pem"
PUBLIC_KEY_NAME = "bundle-signing.pub.pem"

_PEM_PUBLIC = re.compile(r"-----BEGIN PUBLIC KEY-----(.+?)-----END PUBLIC KEY-----", re.S)
_RSA = bytes.fromhex("06092a864886f70d010101")
_EC = bytes.fromhex("06072a8648ce3d0201")
_CURVES = {
    bytes.fromhex("06082a8648ce3d030107"): "ES256",
    bytes.fromhex("06052b81040022"): "ES384",
    bytes.fromhex("06052b81040023"): "ES512",
}


@dataclass(frozen=True)
class VerificationKey:
    """What OPA needs to verify a bundle: the public key, its keyid and its algorithm."""

    public_pem: str
    keyid: str
    algorithm: str


@dataclass(frozen=True)
class SigningKey:
    """A private key on disk and its public half."""

    private_key: Path
    verification: VerificationKey

    @property
    def keyid(self) -> str:
        return self.verification.keyid

    @property
    def algorithm(self) -> str:
        return self.verification.algorithm


def keys_dir(settings: Settings) -> Path:
    """Where the local stack keeps its bundle signing keypair."""
    return settings.state_dir / "keys"


def verification_key(public_pem: str) -> VerificationKey:
    """The keyid and algorithm of a PEM public key (SubjectPublicKeyInfo)."""
    match = _PEM_PUBLIC.search(public_pem)
    if not match:
        raise SigningKeyError("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)")
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
    except ValueError as exc:
        raise SigningKeyError("the PEM public key is not valid base64") from exc
    if _RSA in der:
        algorithm = "RS256"
    elif _EC in der:
        algorithm = next((alg for oid, alg in _CURVES.items() if oid in der), "")
        if not algorithm:
            raise SigningKeyError("unsupported EC curve; use P-256, P-384 or P-521")
    else:
        raise SigningKeyError("unsupported key type; OPA bundle signing here takes RSA or EC (P-256/384/521) keys")
    keyid = f"custodes-{hashlib.sha256(der).hexdigest()[:16]}"
    return VerificationKey(public_pem=match.group(0) + "\n", keyid=keyid, algorithm=algorithm)


def load_verification_key(path: Path) -> VerificationKey:
    """Read a PEM public key file."""
    try:
        return verification_key(path.read_text())
    except FileNotFoundError as exc:
        raise SigningKeyError(
            f"no public key at {path}; give one with --public-key, or make the stack's keypair with "
            "`custodes policy build` (or `custodes stack up`)"
        ) from exc
    except OSError as exc:
        raise SigningKeyError(f"cannot read the public key {path}: {exc.strerror}") from exc
    except SigningKeyError as exc:
        raise SigningKeyError(f"{path}: {exc}") from exc


def load_signing_key(path: Path) -> SigningKey:
    """Read a PEM private key; refuse it when others may read or write it."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key {path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise SigningKeyError(
            f"the signing key {path} is accessible to other users (mode {mode:04o}); run `chmod 600 {path}`"
        )
    public_pem = _openssl("pkey", "-in", str(path), "-pubout", what=f"reading the signing key {path}")
    try:
        return SigningKey(private_key=path, verification=verification_key(public_pem))
    except SigningKeyError as exc:
        raise SigningKeyError(f"{path}: {exc}") from exc


def ensure_keypair(directory: Path) -> SigningKey:
    """The keypair in ``directory``, made on first use (ECDSA P-256)."""
    private = directory / PRIVATE_KEY_NAME
    public = directory / PUBLIC_KEY_NAME
    if not private.exists():
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".new-", suffix=".pem")
        os.close(fd)
        try:
            _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", tmp,
                     what=f"making a signing key in {directory}")
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(tmp, private)
        finally:
            Path(tmp).unlink(missing_ok=True)
    key = load_signing_key(private)
    if not public.exists() or public.read_text() != key.verification.public_pem:
        public.write_text(key.verification.public_pem)
    return key


def _openssl(*args: str, what: str) -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SigningKeyError(f"{what} needs the openssl command; install it (Debian: apt-get install openssl)")
    try:
        done = subprocess.run([openssl, *args], capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SigningKeyError(f"{what}: openssl did not finish within 60s") from exc
    if done.returncode != 0:
        raise SigningKeyError(f"{what} failed: {done.stderr.strip()[:500] or f'openssl exited {done.returncode}'}")
    return done.stdout
