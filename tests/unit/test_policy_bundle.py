"""Bundle signing keys, revisions and the OPA server configuration (no OPA process)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from custodes.policy.bundle import make_revision, server_config, source_digest
from custodes.policy.errors import SigningKeyError
from custodes.policy.keys import (
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    ensure_keypair,
    load_signing_key,
    load_verification_key,
    verification_key,
)

NOW = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)


def _policies(root: Path) -> Path:
    (root / "custodes" / "decision").mkdir(parents=True)
    (root / ".manifest").write_text('{"roots": ["custodes"]}')
    (root / "custodes" / "decision" / "decision.rego").write_text("package custodes.decision\n\nallow := false\n")
    return root


def test_keypair_is_made_once_private_and_named_by_its_public_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    first = ensure_keypair(keys)
    again = ensure_keypair(keys)
    assert first == again
    assert (keys / PRIVATE_KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert keys.stat().st_mode & 0o777 == 0o700
    assert re.fullmatch(r"custodes-[0-9a-f]{16}", first.keyid)
    assert first.algorithm == "ES256"
    assert load_verification_key(keys / PUBLIC_KEY_NAME) == first.verification
    assert ensure_keypair(tmp_path / "elsewhere").keyid != first.keyid


def test_rsa_keys_sign_with_rs256(tmp_path: Path) -> None:
    key = tmp_path / "rsa.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(key)],
                   check=True, capture_output=True)
    key.chmod(0o600)
    assert load_signing_key(key).algorithm == "RS256"


def test_a_signing_key_others_can_read_is_refused(tmp_path: Path) -> None:
    key = ensure_keypair(tmp_path / "keys").private_key
    key.chmod(0o644)
    with pytest.raises(SigningKeyError, match=f"chmod 600 {re.escape(str(key))}"):
        load_signing_key(key)


def test_a_missing_or_foreign_key_file_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="cannot read the signing key"):
        load_signing_key(tmp_path / "absent.pem")
    with pytest.raises(SigningKeyError, match="not a PEM public key"):
        verification_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    ed25519 = ("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
               "-----END PUBLIC KEY-----\n")
    with pytest.raises(SigningKeyError, match="unsupported key type"):
        verification_key(ed25519)


def test_revision_names_commit_sources_and_time(tmp_path: Path) -> None:
    policies = _policies(tmp_path / "repo" / "policies")
    outside = make_revision(policies, NOW)
    assert re.fullmatch(r"[0-9a-f]{12}-20260301T123005Z", outside)
    git = ["git", "-C", str(tmp_path / "repo"), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "policies"], check=True)
    clean = make_revision(policies, NOW)
    assert re.fullmatch(r"[0-9a-f]{7}-[0-9a-f]{12}-20260301T123005Z", clean)
    assert clean.split("-", 1)[1] == outside
    (policies / "custodes" / "decision" / "decision.rego").write_text("package custodes.decision\n\nallow := true\n")
    dirty = make_revision(policies, NOW)
    assert re.fullmatch(r"[0-9a-f]{7}-dirty-[0-9a-f]{12}-20260301T123005Z", dirty)
    assert dirty.split("-")[2] != clean.split("-")[1]


def test_source_digest_ignores_tests_and_scenarios(tmp_path: Path) -> None:
    policies = _policies(tmp_path / "policies")
    before = source_digest(policies)
    (policies / "custodes" / "decision" / "decision_test.rego").write_text("package custodes.decision_test\n")
    (policies / "scenarios").mkdir()
    (policies / "scenarios" / "ke_allowed.json").write_text("{}")
    (policies / "README.md").write_text("docs")
    assert source_digest(policies) == before
    (policies / "custodes" / "decision" / "data.json").write_text('{"x": 1}')
    assert source_digest(policies) != before


def test_server_config_verifies_with_an_explicit_keyid(tmp_path: Path) -> None:
    key = ensure_keypair(tmp_path / "keys")
    config = server_config(tmp_path / "bundle.tar.gz", key.verification)
    assert config == {
        "bundles": {"custodes": {"resource": (tmp_path / "bundle.tar.gz").as_uri(), "signing": {"keyid": key.keyid}}},
        "keys": {key.keyid: {"algorithm": "ES256", "key": key.verification.public_pem}},
    }
    json.dumps(config)
