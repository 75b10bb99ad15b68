"""Signed bundles against real OPA servers started by these tests (own processes, free ports).

OPA must serve a bundle signed with the configured key and refuse one that is unsigned,
signed with another key, or changed after signing; keyid is always set; every decision
names the bundle revision.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from custodes.policy.bundle import (
    BuiltBundle,
    build_bundle,
    bundle_files,
    server_config,
    signature_claims,
    verify_bundle,
)
from custodes.policy.client import POLICY_UNAVAILABLE, PolicyClient
from custodes.policy.errors import BundleVerificationError
from custodes.policy.keys import SigningKey, ensure_keypair
from custodes.settings import OpaSettings, Settings
from custodes.stack.components import Opa
from custodes.stack.processes import free_port

pytestmark = pytest.mark.opa

ALLOW_INPUT = {"request": {
    "id": "evt-signed-1", "time": "2026-03-01T12:00:00Z", "jurisdiction": "KE",
    "use_case": "sim_registration_verification", "purpose": "sim_registration",
    "requester": {"org": "demo-telecom", "type": "telecom_operator"},
    "legal_mandate": "KE-SIM-REGISTRATION-REGULATIONS",
}}


@dataclass
class Served:
    url: str
    log: str
    refused: bool
    exit_code: int | None


@contextmanager
def _opa_server(opa: Path, config: dict, workdir: Path, until_exit: bool = False,
                timeout_s: float = 20.0) -> Iterator[Served]:
    """An OPA server with ``config``. ``refused``: it logged a failed bundle load (and, with
    ``until_exit``, exited) instead of becoming healthy."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.json").write_text(json.dumps(config))
    url = f"http://127.0.0.1:{free_port()}"
    log_path = workdir / "opa.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(opa), "run", "--server", "--skip-version-check", "--addr", url.removeprefix("http://"),
             "--log-level", "error", "--log-format", "text", "--config-file", str(workdir / "config.json"),
             "--ready-timeout", "3"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + timeout_s
        refused = False
        while not refused:
            if time.monotonic() > deadline:
                pytest.fail(f"OPA neither became healthy nor refused the bundle in {timeout_s}s:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/health?bundles=true", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            failed = "Bundle load failed" in log_path.read_text()
            refused = proc.poll() is not None or (failed and not until_exit)
            time.sleep(0.1)
        yield Served(url, log_path.read_text(), refused, proc.poll())
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningKey, SigningKey]:
    """The key OPA trusts, and another one."""
    return (ensure_keypair(tmp_path_factory.mktemp("trusted")), ensure_keypair(tmp_path_factory.mktemp("other")))


@pytest.fixture(scope="module")
def signed(opa: Path, keys: tuple[SigningKey, SigningKey], tmp_path_factory: pytest.TempPathFactory) -> BuiltBundle:
    return build_bundle(opa, Settings().policies_dir, tmp_path_factory.mktemp("signed") / "bundle.tar.gz", keys[0])


def _rewrite(bundle: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    """Copy ``bundle`` with members replaced (bytes), removed (None) or added (new names)."""
    pending = dict(change)
    with tarfile.open(bundle, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            name = member.name.lstrip("/")
            data = src.extractfile(member).read() if member.isfile() else b""
            if name in pending:
                data = pending.pop(name)
                if data is None:
                    continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        for name, data in pending.items():
            info = tarfile.TarInfo("/" + name)
            info.size = len(data or b"")
            dst.addfile(info, io.BytesIO(data or b""))
    return out


def _assert_refused(opa: Path, bundle: Path, key: SigningKey, workdir: Path, opa_says: str, we_say: str,
                    until_exit: bool = False) -> None:
    with _opa_server(opa, server_config(bundle, key.verification), workdir, until_exit=until_exit) as served:
        assert served.refused, f"OPA served a bundle it must refuse:\n{served.log}"
        assert opa_says in served.log
        if until_exit:
            assert served.exit_code not in (None, 0), "OPA must stop, so the stack reports the failure"
    with pytest.raises(BundleVerificationError, match=we_say):
        verify_bundle(opa, bundle, key.verification)


async def test_signed_bundle_is_served_and_decisions_name_its_revision(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    verify_bundle(opa, signed.path, keys[0].verification)
    with _opa_server(opa, server_config(signed.path, keys[0].verification), tmp_path) as served:
        assert not served.refused, served.log
        client = PolicyClient(OpaSettings(url=served.url, retries=0))
        try:
            decision = await client.decide(ALLOW_INPUT)
        finally:
            await client.close()
        assert POLICY_UNAVAILABLE not in {r.code for r in decision.reasons}
        assert decision.policy_revision == f"custodes@{signed.revision}"
        registry = httpx.put(f"{served.url}/v1/data/custodes/registry", json={"authorisations": {}})
        assert registry.status_code == 204, "the gate must still be able to push the registry beside the bundle"


async def test_compact_batch_gives_the_client_the_same_decisions_as_the_full_one(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    """decide_many over data.custodes.batch.judged (each distinct document once) and over
    data.custodes.batch.decisions (one document per request) decides every input alike."""
    alike = [{"request": {**ALLOW_INPUT["request"], "id": f"evt-{i}", "time": f"2026-03-01T12:00:{i:02d}Z"}}
             for i in range(20)]
    others = [{"request": {**ALLOW_INPUT["request"], "id": "evt-x", "legal_mandate": None}},
              {"request": {**ALLOW_INPUT["request"], "jurisdiction": "XX"}}, {"request": "not-a-request"}, {}]
    inputs = alike[:10] + others + alike[10:]
    with _opa_server(opa, server_config(signed.path, keys[0].verification), tmp_path) as served:
        assert not served.refused, served.log
        decided = {}
        for path in ("custodes/batch/judged", "custodes/batch/decisions"):
            client = PolicyClient(OpaSettings(url=served.url, retries=0, batch_path=path))
            try:
                decided[path] = await asyncio.gather(client.decide_many(inputs), client.decide_many(inputs[::-1]))
            finally:
                await client.close()
    (judged, judged_reversed), (full, _) = decided.values()
    assert [d.model_dump(exclude={"decided_at"}) for d in judged] == [d.model_dump(exclude={"decided_at"}) for d in full]
    assert [d.decision_id for d in judged_reversed] == [d.decision_id for d in judged[::-1]]
    assert POLICY_UNAVAILABLE not in {r.code for d in judged for r in d.reasons}
    assert [d.allow for d in judged[:10]] == [True] * 10 and not any(d.allow for d in judged[10:14])
    assert len({d.decision_id for d in judged}) == len(inputs)
    assert {d.policy_revision for d in judged} == {f"custodes@{signed.revision}"}


def test_unsigned_bundle_is_refused(opa: Path, keys: tuple[SigningKey, SigningKey], tmp_path: Path) -> None:
    unsigned = tmp_path / "unsigned.tar.gz"
    built = subprocess.run([str(opa), "build", "--bundle", ".", "--ignore", "*_test.rego", "-o", str(unsigned)],
                           cwd=Settings().policies_dir, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    _assert_refused(opa, unsigned, keys[0], tmp_path / "opa", "missing .signatures.json", "not signed",
                    until_exit=True)


def test_signature_stripped_from_a_signed_bundle_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    stripped = _rewrite(signed.path, tmp_path / "stripped.tar.gz", {".signatures.json": None})
    _assert_refused(opa, stripped, keys[0], tmp_path / "opa", "missing .signatures.json", "not signed")


def test_bundle_signed_with_another_key_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], tmp_path: Path) -> None:
    foreign = build_bundle(opa, Settings().policies_dir, tmp_path / "foreign.tar.gz", keys[1])
    _assert_refused(opa, foreign.path, keys[0], tmp_path / "opa", "failed to verify JWT signature", "another key")


def test_bundle_signed_with_another_key_claiming_the_trusted_keyid_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], tmp_path: Path) -> None:
    trusted, other = keys
    impostor = SigningKey(other.private_key, type(other.verification)(
        other.verification.public_pem, trusted.keyid, other.algorithm))
    forged = build_bundle(opa, Settings().policies_dir, tmp_path / "forged.tar.gz", impostor)
    assert signature_claims(forged.path)[0]["kid"] == trusted.keyid
    _assert_refused(opa, forged.path, trusted, tmp_path / "opa", "failed to verify JWT signature", "another key")


def test_bundle_with_data_changed_after_signing_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    with tarfile.open(signed.path, "r:gz") as archive:
        data = json.load(archive.extractfile("/data.json"))
    data["tampered"] = True
    tampered = _rewrite(signed.path, tmp_path / "tampered.tar.gz", {"data.json": json.dumps(data).encode()})
    _assert_refused(opa, tampered, keys[0], tmp_path / "opa", "digest mismatch", "changed after signing")


def test_bundle_with_a_policy_changed_after_signing_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    name = next(f for f in signed.files if f.endswith(".rego"))
    with tarfile.open(signed.path, "r:gz") as archive:
        source = archive.extractfile("/" + name).read()
    tampered = _rewrite(signed.path, tmp_path / "tampered.tar.gz", {name: source + b"\n# edited\n"})
    _assert_refused(opa, tampered, keys[0], tmp_path / "opa", "digest mismatch", "changed after signing")


def test_bundle_with_a_policy_added_after_signing_is_refused(
        opa: Path, keys: tuple[SigningKey, SigningKey], signed: BuiltBundle, tmp_path: Path) -> None:
    extra = b"package custodes.rules\n\npermit contains {\"code\": \"backdoor\"} if true\n"
    tampered = _rewrite(signed.path, tmp_path / "added.tar.gz", {"custodes/rules/backdoor.rego": extra})
    _assert_refused(opa, tampered, keys[0], tmp_path / "opa", "not included in bundle signature", "added after signing")


def test_keyid_is_always_set(keys: tuple[SigningKey, SigningKey], signed: BuiltBundle) -> None:
    header, payload = signature_claims(signed.path)
    assert header["kid"] == keys[0].keyid and keys[0].keyid.startswith("custodes-")
    assert header["alg"] == keys[0].algorithm == "ES256"
    assert {f["name"] for f in payload["files"]} == {f for f in bundle_files(signed.path) if f != ".signatures.json"}
    config = server_config(signed.path, keys[0].verification)
    assert config["bundles"]["custodes"]["signing"]["keyid"] == keys[0].keyid
    assert set(config["keys"]) == {keys[0].keyid}
    nameless = type(keys[0].verification)(keys[0].verification.public_pem, "", "ES256")
    with pytest.raises(BundleVerificationError, match="keyid"):
        server_config(signed.path, nameless)


def test_built_bundle_leaves_out_tests(signed: BuiltBundle) -> None:
    assert not [f for f in signed.files if f.endswith("_test.rego")]
    assert {".manifest", ".signatures.json", "data.json"} <= set(signed.files)


async def test_stack_component_builds_signs_and_serves_the_bundle(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", opa={"url": f"http://127.0.0.1:{free_port()}"})
    component = Opa(settings)
    component.preflight(settings)
    component.prepare(settings)
    key_file = settings.state_dir / "keys" / "bundle-signing.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (settings.state_dir / "keys").stat().st_mode & 0o777 == 0o700
    argv = component.argv(settings)
    assert "--config-file" in argv and "--bundle" not in argv
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        healthy, detail = False, ""
        while time.monotonic() < deadline and not healthy and proc.poll() is None:
            healthy, detail = component.health(settings)
            time.sleep(0.1)
        assert healthy, detail
        assert detail.startswith("serving signed bundle custodes@")
        client = PolicyClient(settings.opa)
        try:
            decision = await client.decide(ALLOW_INPUT)
        finally:
            await client.close()
        assert decision.policy_revision == detail.removeprefix("serving signed bundle ")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
