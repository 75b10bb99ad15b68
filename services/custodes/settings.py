"""Typed settings for every custodes process.

One tree, read from the environment with the prefix ``CUSTODES_`` and ``__`` as the
nesting delimiter (``CUSTODES_KAFKA__BOOTSTRAP_SERVERS``). Every service is built by a
factory that takes this object, so tests build exactly what production runs.

Contract:
- all network listeners default to 127.0.0.1;
- ``CUSTODES_CLICKHOUSE_URL`` (http/https) switches the audit store from embedded chDB
  to a ClickHouse server; unset means ``chdb://<state_dir>/clickhouse``;
- unknown keys are an error (``extra="forbid"``), so a typo never passes silently.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topics(_Section):
    """Kafka topic names. Each consumed topic's dead letters go to ``<topic>.dlq``."""

    sim_registrations: str = "custodes.events.sim_registration"
    camera_faces: str = "custodes.events.camera_face"
    recognition_requests: str = "custodes.recognition.requests"
    identification_requests: str = Field("custodes.recognition.identification_requests",
                                         description="allowed 1:N work (camera faces) for a later 1:N service")
    audit_records: str = "custodes.audit.records"
    registry_authorisations: str = Field("custodes.registry.authorisations",
                                         description="compacted: key = authorisation id, empty value = withdrawn")
    registry_deployments: str = Field("custodes.registry.deployments",
                                      description="compacted: key = deployment id, empty value = withdrawn")
    registry_watchlists: str = Field("custodes.registry.watchlists",
                                     description="compacted: key = watchlist id, empty value = withdrawn")

    def consumed(self) -> list[str]:
        """The topics a custodes service reads; each has a ``<topic>.dlq``."""
        return [self.sim_registrations, self.camera_faces, self.recognition_requests, self.audit_records,
                *self.registry()]

    def registry(self) -> list[str]:
        """The registry topics the gate mirrors into OPA (authorisations, deployments, watchlists)."""
        return [self.registry_authorisations, self.registry_deployments, self.registry_watchlists]

    def all(self) -> list[str]:
        names = [self.sim_registrations, self.camera_faces, self.recognition_requests, self.identification_requests,
                 self.audit_records, *self.registry()]
        return names + [f"{n}.dlq" for n in self.consumed()]

    def compacted(self) -> set[str]:
        return set(self.registry())


class KafkaSettings(_Section):
    bootstrap_servers: str = "127.0.0.1:39092"
    controller_port: int = 39093
    heap: str = "512m"
    max_message_bytes: int = Field(8 * 1024 * 1024, description="largest event (two images by value)")
    topics: Topics = Topics()


class OpaSettings(_Section):
    url: str = "http://127.0.0.1:38181"
    decision_path: str = "custodes/decision"
    batch_path: str = Field(
        "custodes/batch/judged",
        description="many requests judged in one call; the compact answer (each distinct decision document once)",
    )
    timeout_s: float = Field(2.0, description="per HTTP call; a slower answer is a denial")
    retries: int = Field(2, description="extra attempts before denying with policy_unavailable")
    retry_backoff_s: float = 0.2


class GateSettings(_Section):
    group_id: str = "custodes-gate"
    max_batch: int = Field(
        4000, ge=1, le=10_000,
        description="events consumed at once (offsets committed together); judged in pipelined chunks of opa_chunk",
    )
    batch_timeout_ms: int = Field(20, ge=1, description="longest wait to fill a batch")
    fetch_bytes: int = Field(
        32 * 1024 * 1024, ge=1024 * 1024,
        description="bytes fetched from a partition at once (at least kafka.max_message_bytes), so that a batch "
                    "of events carrying face crops by value is not cut short by the fetch")
    batching: bool = Field(True, description="False: one OPA call per event (the benchmark's baseline)")
    opa_chunk: int = Field(
        500, ge=1, le=10_000,
        description="events judged in one OPA call: larger chunks spread each call's fixed cost (HTTP, the "
                    "documents of its distinct keys) over more events, smaller ones pipeline more finely")
    opa_in_flight: int = Field(4, ge=1, le=64, description="OPA calls a gate has open at once (chunks pipelined)")
    gc_gen0: int = Field(
        50_000, ge=0,
        description="allocations between young-generation collections in a gate process (Python's default: 700); "
                    "0 leaves Python's collector as it is (custodes.gate.service.tune_collector)")
    heap_keep_mib: int = Field(
        256, ge=0,
        description="MiB of freed memory a gate process keeps for its next batches instead of returning it to "
                    "the kernel, which would map and zero it again; buffers up to 32 MiB come from that heap. "
                    "0 leaves glibc's malloc as it is (custodes.gate.service.tune_allocator)")


class RecognitionSettings(_Section):
    group_id: str = "custodes-recognition"


class TritonSettings(_Section):
    host: str = "127.0.0.1"
    http_port: int = 38000
    grpc_port: int = 38001
    metrics_port: int = 38002
    timeout_s: float = 30.0

    @property
    def http_url(self) -> str:
        return f"{self.host}:{self.http_port}"

    @property
    def grpc_url(self) -> str:
        return f"{self.host}:{self.grpc_port}"


class LedgerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 38710
    table: str = "audit_records"
    database: str = "custodes"


class Settings(BaseSettings):
    """Everything a custodes process needs to know, with local-stack defaults."""

    model_config = SettingsConfigDict(
        env_prefix="CUSTODES_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    state_dir: Path = Field(PROJECT_ROOT / ".stack", description="data, logs and pid files of the local stack")
    tools_dir: Path = Field(PROJECT_ROOT / ".tools", description="pinned binaries, jars, models and test images")
    policies_dir: Path = PROJECT_ROOT / "policies"
    clickhouse_url: str | None = Field(
        None, description="http(s)://user:pass@host:port/db of a ClickHouse server; unset = embedded chDB"
    )
    kafka: KafkaSettings = KafkaSettings()
    opa: OpaSettings = OpaSettings()
    gate: GateSettings = GateSettings()
    triton: TritonSettings = TritonSettings()
    recognition: RecognitionSettings = RecognitionSettings()
    ledger: LedgerSettings = LedgerSettings()

    @property
    def store_dsn(self) -> str:
        """The clickhouse-connect DSN of the audit store."""
        if self.clickhouse_url:
            return self.clickhouse_url
        return f"chdb:///{(self.state_dir / 'clickhouse').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.tools_dir / "models"

    @property
    def images_dir(self) -> Path:
        return self.tools_dir / "images"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
