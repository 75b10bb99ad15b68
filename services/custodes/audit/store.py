"""The audit store: the one module that talks to ClickHouse (embedded chDB or a server).

Contract:
- :func:`open_store` opens the store named by ``Settings().store_dsn``; the table is
  ``Settings().ledger.database``.``table``. Every driver error leaves this module as an
  :class:`AuditStoreError` whose message says what to do.
- :meth:`AuditStore.insert` is idempotent per ``record_id``: however often a record is
  inserted, the table holds one row for it. The store assumes it is the only writer
  (the ledger service); ids already present are skipped, and each insert carries a
  deduplication token derived from its record ids, so a retried identical insert after a
  crash or a lost reply is dropped by ClickHouse itself.
- Embedded chDB allows one process per data directory: a second opener gets an
  :class:`AuditStoreError` naming the process that holds it.
- Every query binds server-side parameters; inserts name their columns.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from custodes.audit.errors import AuditStoreError
from custodes.audit.records import AuditRecord
from custodes.settings import Settings

__all__ = ["COLUMNS", "AuditStore", "AuditStoreError", "dedup_token", "open_store"]

COLUMNS: tuple[str, ...] = (
    "record_id", "kind", "event_id", "event_type", "event_time", "recorded_at", "service",
    "jurisdiction", "use_case", "purpose", "requester_org", "requester_type", "decision_id",
    "policy_revision", "allowed", "reason_codes", "reasons", "obligations", "outcome", "score",
    "threshold", "max_fmr", "model_id", "model_version", "model_sha256", "input_sha256", "details",
)
_JSON_COLUMNS = frozenset({"reasons", "obligations", "details"})
_SELECT = ", ".join(COLUMNS)
_MIGRATIONS_TABLE = "schema_migrations"
# clickhouse-connect escapes Identifier parameters like strings and ClickHouse does not
# unescape them, so names needing escapes (\\ ' ` tab newline) would be mangled.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")


def dedup_token(record_ids: Iterable[str]) -> str:
    """The insert deduplication token of a batch: the same set of ids gives the same token."""
    digest = hashlib.sha256()
    for record_id in sorted(set(record_ids)):
        digest.update(record_id.encode())
        digest.update(b"\x00")
    return f"audit-{digest.hexdigest()}"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str) if value else ("[]" if isinstance(value, list) else "{}")


def _row(record: AuditRecord) -> list[Any]:
    row: list[Any] = []
    for column in COLUMNS:
        if column == "reason_codes":
            row.append([r["code"] for r in record.reasons])
        elif column in _JSON_COLUMNS:
            row.append(_json(getattr(record, column)))
        else:
            row.append(getattr(record, column))
    return row


def _record(row: Sequence[Any]) -> AuditRecord:
    data = dict(zip(COLUMNS, row, strict=True))
    del data["reason_codes"]
    for name in _JSON_COLUMNS:
        data[name] = json.loads(data[name])
    return AuditRecord.model_validate(data)


class AuditStore:
    """An open audit store. Thread-safe; close it (or use ``with``) to release chDB's lock."""

    def __init__(self, client: Client, database: str, table: str, location: str) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.database = database
        self.table = table
        self.location = location

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _call(self, what: str) -> Iterator[Client]:
        with self._lock:
            try:
                yield self._client
            except ClickHouseError as ex:
                raise AuditStoreError(self._explain(what, ex)) from ex

    def _explain(self, what: str, ex: ClickHouseError) -> str:
        text = str(ex)
        if "UNKNOWN_TABLE" in text or "UNKNOWN_DATABASE" in text:
            return (
                f"{what}: the audit table {self.database}.{self.table} does not exist in the store at "
                f"{self.location}; start the ledger service (python -m custodes.audit.service), which migrates it"
            )
        return f"{what} failed on the audit store at {self.location}: {text.strip()}"

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"db": self.database, "table": self.table, **extra}

    def migrate(self) -> list[str]:
        """Apply the pending numbered migrations in order; returns the names applied (none: a no-op)."""
        applied = self._applied()
        done: list[str] = []
        for version, name in _migrations():
            if version in applied:
                continue
            self._run_script(f"{name}.up.sql")
            with self._call(f"recording migration {name}") as client:
                client.insert(
                    _MIGRATIONS_TABLE,
                    [[self.table, version, name]],
                    column_names=["target", "version", "name"],
                    database=self.database,
                )
            done.append(name)
        return done

    def rollback(self, to_version: int = 0) -> list[str]:
        """Revert applied migrations newer than ``to_version``, newest first; returns their names."""
        applied = self._applied()
        undone: list[str] = []
        for version, name in reversed(_migrations()):
            if version <= to_version or version not in applied:
                continue
            self._run_script(f"{name}.down.sql")
            with self._call(f"reverting migration {name}") as client:
                client.command(
                    "DELETE FROM {db:Identifier}.{mt:Identifier} WHERE target = {table:String} AND version = {v:UInt32}",
                    parameters=self._params(mt=_MIGRATIONS_TABLE, v=version),
                )
            undone.append(name)
        return undone

    def _applied(self) -> set[int]:
        with self._call("preparing migrations") as client:
            client.command("CREATE DATABASE IF NOT EXISTS {db:Identifier}", parameters=self._params())
            client.command(
                "CREATE TABLE IF NOT EXISTS {db:Identifier}.{mt:Identifier} "
                "(target String, version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')) "
                "ENGINE = MergeTree ORDER BY (target, version)",
                parameters=self._params(mt=_MIGRATIONS_TABLE),
            )
            result = client.query(
                "SELECT version FROM {db:Identifier}.{mt:Identifier} WHERE target = {table:String}",
                parameters=self._params(mt=_MIGRATIONS_TABLE),
            )
        return {int(row[0]) for row in result.result_rows}

    def _run_script(self, filename: str) -> None:
        sql = resources.files("custodes.audit").joinpath("migrations", filename).read_text()
        for statement in _statements(sql):
            with self._call(f"migration {filename}") as client:
                client.command(statement, parameters=self._params())

    def insert(self, records: Iterable[AuditRecord]) -> int:
        """Store the records not stored yet; returns how many were new. Idempotent per record_id."""
        batch: dict[str, AuditRecord] = {}
        for record in records:
            batch.setdefault(record.record_id, record)
        if not batch:
            return 0
        with self._call("inserting audit records") as client:
            present = client.query(
                "SELECT DISTINCT record_id FROM {db:Identifier}.{table:Identifier} WHERE record_id IN {ids:Array(String)}",
                parameters=self._params(ids=list(batch)),
            )
            for (record_id,) in present.result_rows:
                batch.pop(record_id, None)
            if not batch:
                return 0
            client.insert(
                self.table,
                [_row(r) for r in batch.values()],
                column_names=list(COLUMNS),
                database=self.database,
                settings={"insert_deduplicate": 1, "insert_deduplication_token": dedup_token(batch)},
            )
        return len(batch)

    def recent(self, limit: int = 50, since: datetime | None = None, event_id: str | None = None, *,
               until: datetime | None = None, kind: str | None = None,
               jurisdictions: Sequence[str] = ()) -> list[AuditRecord]:
        """The newest records by event time (newest first), optionally in ``[since, until)``, of one
        kind, in some jurisdictions, or for one event."""
        where = ["1"]
        params = self._params(limit=max(0, int(limit)))
        for name, when, op in (("since", since, ">="), ("until", until, "<")):
            if when is not None:
                where.append(f"event_time {op} {{{name}:DateTime64(6, 'UTC')}}")
                # The driver formats datetime parameters to whole seconds; a string keeps microseconds.
                params[name] = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if kind is not None:
            where.append("kind = {kind:String}")
            params["kind"] = kind
        if jurisdictions:
            where.append("jurisdiction IN {jurisdictions:Array(String)}")
            params["jurisdictions"] = list(jurisdictions)
        if event_id is not None:
            where.append("event_id = {event_id:String}")
            params["event_id"] = event_id
        sql = (
            f"SELECT {_SELECT} FROM {{db:Identifier}}.{{table:Identifier}} WHERE {' AND '.join(where)} "
            "ORDER BY event_time DESC, record_id DESC LIMIT {limit:UInt32}"
        )
        with self._call("reading audit records") as client:
            result = client.query(sql, parameters=params)
        return [_record(row) for row in result.result_rows]

    def count(self) -> int:
        """How many records the table holds."""
        with self._call("counting audit records") as client:
            return int(client.command("SELECT count() FROM {db:Identifier}.{table:Identifier}", parameters=self._params()))

    def ping(self) -> bool:
        """Whether the store answers."""
        with self._lock:
            return bool(self._client.ping())

    def close(self) -> None:
        """Release the connection (and chDB's directory lock). Idempotent."""
        with self._lock:
            self._client.close()


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("custodes.audit").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".up.sql"):
            name = entry.name.removesuffix(".up.sql")
            found.append((int(name.split("_", 1)[0]), name))
    return sorted(found)


def _statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def _chdb_path(dsn: str) -> Path:
    # Settings writes chdb:///<absolute path>, i.e. four slashes; "//x" is a distinct POSIX
    # spelling that chDB compares literally, so normalise to one leading slash.
    path = urlparse(dsn).path
    return Path("/" + path.lstrip("/")) if path.startswith("/") else Path(path).resolve()


def _lock_holder(path: Path) -> str | None:
    """``pid N`` (or ``another process``) when a live process holds chDB's lock on ``path``."""
    status = path / "status"
    try:
        fd = os.open(status, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            first = status.read_text(errors="replace").splitlines()[:1]
            return first[0].strip().lower().replace("pid:", "pid") if first else "another process"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _redact(dsn: str) -> str:
    parsed = urlparse(dsn)
    return parsed._replace(netloc=parsed.hostname + (f":{parsed.port}" if parsed.port else "")).geturl() if parsed.hostname else dsn


def open_store(settings: Settings) -> AuditStore:
    """Open the audit store of ``settings`` (not migrated: call :meth:`AuditStore.migrate`)."""
    dsn = settings.store_dsn
    database, table = settings.ledger.database, settings.ledger.table
    for what, name in (("database", database), ("table", table)):
        if not _NAME.match(name):
            raise AuditStoreError(
                f"ledger {what} name {name!r} is not allowed: use letters, digits, _ and - "
                f"(set CUSTODES_LEDGER__{what.upper()})"
            )
    if dsn.startswith("chdb:"):
        path = _chdb_path(dsn)
        location = str(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            client = clickhouse_connect.get_client(interface="chdb", path=str(path), tz_mode="aware")
        except (ClickHouseError, OSError) as ex:
            if holder := _lock_holder(path):
                raise AuditStoreError(
                    f"the audit store at {location} is in use by another process ({holder}; the ledger service?); "
                    "read it through the ledger's HTTP API, or stop that process first"
                ) from ex
            raise AuditStoreError(f"cannot open the audit store at {location}: {str(ex).strip()}") from ex
    else:
        location = _redact(dsn)
        try:
            client = clickhouse_connect.get_client(dsn=dsn, tz_mode="aware", autogenerate_session_id=False)
        except ClickHouseError as ex:
            raise AuditStoreError(
                f"cannot reach the ClickHouse server at {location} ({str(ex).strip()}); "
                "check that it runs and CUSTODES_CLICKHOUSE_URL"
            ) from ex
    return AuditStore(client, database, table, location)
