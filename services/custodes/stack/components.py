"""The real components of the local stack and how each is started and checked.

Infrastructure: Apache Kafka (KRaft, from Maven Central jars), OPA (built with
``go install``), Triton Inference Server (through nvidia-pytriton). The audit store is
ClickHouse embedded with chDB, owned by the ledger service. Then the custodes services:
ledger, gate, recognition. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from custodes.settings import PROJECT_ROOT, Settings
from custodes.stack.processes import port_open


class PreflightError(RuntimeError):
    """Something the stack needs is missing; the message says how to fix it."""


@dataclass
class Component:
    name: str
    kind: str  # "infrastructure" or "service"
    ports: list[tuple[str, int]]
    start_timeout_s: float = 60.0
    env: dict[str, str] = field(default_factory=dict)

    def preflight(self, settings: Settings) -> None:  # pragma: no cover - overridden
        pass

    def prepare(self, settings: Settings) -> None:
        pass

    def argv(self, settings: Settings) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def health(self, settings: Settings) -> tuple[bool, str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def endpoint(self) -> str:
        return ", ".join(f"{label} 127.0.0.1:{port}" for label, port in self.ports)


def _http_ok(url: str, timeout: float = 1.0) -> tuple[bool, str]:
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return False, f"no answer from {url} ({type(exc).__name__})"
    return response.status_code == 200, f"{url} → HTTP {response.status_code}"


def _host_port(hostport: str) -> tuple[str, int]:
    host, _, port = hostport.rpartition(":")
    return host, int(port)


def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


class Kafka(Component):
    def __init__(self, settings: Settings) -> None:
        host, port = _host_port(settings.kafka.bootstrap_servers)
        super().__init__("kafka", "infrastructure", [("broker", port), ("controller", settings.kafka.controller_port)],
                         start_timeout_s=90)

    def libs(self, settings: Settings) -> Path:
        return settings.tools_dir / "kafka" / "libs"

    def preflight(self, settings: Settings) -> None:
        java = shutil.which("java")
        if java is None:
            raise PreflightError("Java 17 or newer not found on PATH; install it (Debian: apt-get install openjdk-17-jre-headless)")
        major = java_major(java)
        if major is None or major < 17:
            raise PreflightError(f"Kafka 4.4 needs Java 17 or newer, found {major or 'an unknown version'} at {java}")
        if not (self.libs(settings) / ".installed").exists():
            raise PreflightError(f"Kafka jars missing in {self.libs(settings)}; run `make install`")

    def _dir(self, settings: Settings) -> Path:
        return settings.state_dir / "kafka"

    def prepare(self, settings: Settings) -> None:
        host, port = _host_port(settings.kafka.bootstrap_servers)
        base = self._dir(settings)
        data = base / "data"
        base.mkdir(parents=True, exist_ok=True)
        props = base / "server.properties"
        props.write_text("\n".join([
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{settings.kafka.controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{settings.kafka.controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            f"log.dirs={data}",
            "num.partitions=3",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            f"message.max.bytes={settings.kafka.max_message_bytes}",
            f"replica.fetch.max.bytes={settings.kafka.max_message_bytes}",
            "log.retention.hours=168",
            "",
        ]))
        (base / "log4j2.yaml").write_text(_LOG4J2)
        if not (data / "meta.properties").exists():
            cluster_id = _kafka_cluster_id()
            out = subprocess.run(
                ["java", "-cp", f"{self.libs(settings)}/*", "kafka.tools.StorageTool", "format",
                 "-t", cluster_id, "-c", str(props)],
                capture_output=True, text=True, timeout=120,
            )
            if out.returncode != 0:
                raise PreflightError(f"formatting Kafka storage in {data} failed:\n{out.stdout}{out.stderr}")

    def argv(self, settings: Settings) -> list[str]:
        base = self._dir(settings)
        return ["java", f"-Xmx{settings.kafka.heap}", f"-Xms{settings.kafka.heap}", "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={base / 'log4j2.yaml'}", "-Djava.awt.headless=true",
                "-cp", f"{self.libs(settings)}/*", "kafka.Kafka", str(base / "server.properties")]

    def health(self, settings: Settings) -> tuple[bool, str]:
        host, port = _host_port(settings.kafka.bootstrap_servers)
        if not port_open(host, port):
            return False, f"nothing listens on {host}:{port}"
        from custodes.stack.topics import broker_ready

        return broker_ready(settings)


def _kafka_cluster_id() -> str:
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


_LOG4J2 = """Configuration:
  status: warn
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
"""


class Opa(Component):
    """OPA serving the bundle built from ``policies/`` at start, signed with the stack's key
    (``<state>/keys``, made once) and verified by OPA against its public key and keyid."""

    READY_TIMEOUT_S = 20
    # Go collects when the heap reaches (1 + GOGC/100) × the live data: 5× instead of 2×, so
    # less often; `benchmarks/policy_eval.py --gogc 100,400` prints what it saves per decision.
    GOGC = "400"

    def __init__(self, settings: Settings) -> None:
        super().__init__("opa", "infrastructure", [("http", urlparse(settings.opa.url).port or 8181)])
        self.env = {"GOGC": _env("GOGC") or self.GOGC}

    def binary(self, settings: Settings) -> Path:
        from custodes.policy.opa_cli import opa_path

        return opa_path(settings)

    def _dir(self, settings: Settings) -> Path:
        return settings.state_dir / "opa"

    def preflight(self, settings: Settings) -> None:
        if not self.binary(settings).exists():
            raise PreflightError(f"OPA binary missing at {self.binary(settings)}; run `make install` (needs Go)")
        if not (settings.policies_dir / ".manifest").exists():
            raise PreflightError(f"no policy bundle at {settings.policies_dir} (.manifest missing)")
        if shutil.which("openssl") is None:
            raise PreflightError("the openssl command signs the policy bundle; install it (Debian: apt-get install openssl)")

    def prepare(self, settings: Settings) -> None:
        from custodes.policy.bundle import build_bundle, server_config, verify_bundle
        from custodes.policy.errors import PolicyToolError
        from custodes.policy.keys import ensure_keypair, keys_dir

        base = self._dir(settings)
        try:
            key = ensure_keypair(keys_dir(settings))
            built = build_bundle(self.binary(settings), settings.policies_dir, base / "custodes.tar.gz", key)
            verify_bundle(self.binary(settings), built.path, key.verification)
        except PolicyToolError as exc:
            raise PreflightError(f"opa: {exc}") from exc
        (base / "config.json").write_text(json.dumps(server_config(built.path, key.verification), indent=2))

    def argv(self, settings: Settings) -> list[str]:
        url = urlparse(settings.opa.url)
        return [str(self.binary(settings)), "run", "--server", "--skip-version-check",
                "--addr", f"{url.hostname}:{url.port}", "--log-level", "error", "--log-format", "text",
                "--config-file", str(self._dir(settings) / "config.json"),
                "--ready-timeout", str(self.READY_TIMEOUT_S)]

    def health(self, settings: Settings) -> tuple[bool, str]:
        from custodes.policy.bundle import BUNDLE_NAME

        healthy, detail = _http_ok(f"{settings.opa.url}/health?bundles=true")
        if not healthy:
            return healthy, detail
        try:
            url = f"{settings.opa.url}/v1/data/system/bundles/{BUNDLE_NAME}/manifest/revision"
            revision = httpx.get(url, timeout=1.0).json().get("result")
        except (httpx.HTTPError, ValueError, AttributeError):
            revision = None
        return True, f"serving signed bundle {BUNDLE_NAME}@{revision}" if revision else detail


class Triton(Component):
    def __init__(self, settings: Settings) -> None:
        t = settings.triton
        super().__init__("triton", "infrastructure",
                         [("http", t.http_port), ("grpc", t.grpc_port), ("metrics", t.metrics_port)],
                         start_timeout_s=180)
        # The Python-backend stub must load this interpreter's libpython, not Debian's.
        libdir = sysconfig.get_config_var("LIBDIR") or ""
        self.env = {"LD_LIBRARY_PATH": ":".join(p for p in [libdir, _env("LD_LIBRARY_PATH")] if p)}

    def preflight(self, settings: Settings) -> None:
        needed = [settings.models_dir / "faceplugin" / ".complete"]
        missing = [str(p.parent) for p in needed if not p.exists()]
        if missing:
            raise PreflightError(f"face models missing ({', '.join(missing)}); run `make install`")

    def argv(self, settings: Settings) -> list[str]:
        return [sys.executable, "-m", "custodes.recognition.triton_server"]

    def health(self, settings: Settings) -> tuple[bool, str]:
        from custodes.recognition.triton_server import MODEL_NAMES

        for model in MODEL_NAMES:
            ok, detail = _http_ok(f"http://{settings.triton.http_url}/v2/models/{model}/ready")
            if not ok:
                return False, f"model {model} not ready ({detail})"
        return True, f"models ready: {', '.join(MODEL_NAMES)}"


class PythonService(Component):
    """A custodes service run as ``python -m <module>``; ready when it writes its ready file."""

    def __init__(self, name: str, module: str, ports: list[tuple[str, int]] | None = None,
                 health_url: str | None = None) -> None:
        super().__init__(name, "service", ports or [], start_timeout_s=60)
        self.module = module
        self.health_url = health_url

    def argv(self, settings: Settings) -> list[str]:
        return [sys.executable, "-m", self.module]

    def health(self, settings: Settings) -> tuple[bool, str]:
        if self.health_url:
            return _http_ok(self.health_url)
        ready = settings.state_dir / "run" / f"{self.name}.ready"
        return ready.exists(), f"{'ready' if ready.exists() else 'waiting for'} {ready.name}"


def _env(name: str) -> str:
    import os

    return os.environ.get(name, "")


def components(settings: Settings) -> list[Component]:
    """All components in start order."""
    return [
        Kafka(settings),
        Opa(settings),
        Triton(settings),
        PythonService("ledger", "custodes.audit.service", [("http", settings.ledger.port)],
                      health_url=f"http://{settings.ledger.host}:{settings.ledger.port}/healthz"),
        PythonService("gate", "custodes.gate.service"),
        PythonService("recognition", "custodes.recognition.service"),
    ]


__all__ = ["Component", "PreflightError", "components", "PROJECT_ROOT"]
