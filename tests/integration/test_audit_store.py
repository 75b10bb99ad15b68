"""The audit store against the real ClickHouse engine (embedded chDB in a temp dir)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custodes.audit.errors import AuditStoreError
from custodes.audit.records import AuditRecord
from custodes.audit.store import COLUMNS, AuditStore, _row, dedup_token, open_store
from custodes.settings import Settings

pytestmark = pytest.mark.clickhouse

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _records(n: int, start: int = 0, **extra: object) -> list[AuditRecord]:
    return [
        AuditRecord(
            kind="policy_decision",
            event_id=f"evt-{i}",
            event_type="sim_registration",
            event_time=T0 + timedelta(seconds=i),
            service="test",
            jurisdiction="KE" if i % 2 else "UG",
            use_case="sim_registration",
            allowed=bool(i % 3),
            reasons=[{"code": "consent_missing", "requirement": "R-3", "legal_ref": "s.30", "message": "m"}],
            obligations={"retain_days": 30},
            input_sha256=["0" * 64],
            details={"n": i},
            **extra,  # type: ignore[arg-type]
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", clickhouse_url=None)


@pytest.fixture
def store(settings: Settings) -> Iterator[AuditStore]:
    with open_store(settings) as opened:
        opened.migrate()
        yield opened


def _run(code: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    env_code = f"from custodes.settings import Settings\nsettings = Settings(state_dir={str(settings.state_dir)!r})\n"
    return subprocess.run(
        [sys.executable, "-c", env_code + textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_migrate_twice_is_a_no_op(settings: Settings) -> None:
    with open_store(settings) as store:
        assert store.migrate() == ["0001_audit_records"]
        assert store.migrate() == []
        store.insert(_records(3))
    with open_store(settings) as store:
        assert store.migrate() == []
        assert store.count() == 3


def test_migrations_are_paired_down_then_up(store: AuditStore) -> None:
    store.insert(_records(2))
    assert store.rollback() == ["0001_audit_records"]
    with pytest.raises(AuditStoreError, match="does not exist"):
        store.count()
    assert store.migrate() == ["0001_audit_records"]
    assert store.count() == 0


def test_inserting_the_same_records_twice_keeps_one_row_each(store: AuditStore) -> None:
    records = _records(50)
    assert store.insert(records) == 50
    assert store.insert(records) == 0
    assert store.insert(records + records[:10]) == 0
    assert store.count() == 50


def test_overlapping_batch_adds_only_the_new_records(store: AuditStore) -> None:
    assert store.insert(_records(10)) == 10
    assert store.insert(_records(10, start=5)) == 5
    assert store.count() == 15
    ids = [r.event_id for r in store.recent(100)]
    assert sorted(ids) == sorted(f"evt-{i}" for i in range(15))


def test_retried_identical_insert_is_dropped_by_the_dedup_token(store: AuditStore) -> None:
    records = _records(5)
    token = dedup_token(r.record_id for r in records)
    for _ in range(2):
        # A retry after a lost reply: the skip-if-present query is bypassed, the token is not.
        store._client.insert(
            store.table,
            [_row(r) for r in records],
            column_names=list(COLUMNS),
            database=store.database,
            settings={"insert_deduplication_token": token},
        )
    assert store.count() == 5


def test_records_round_trip_exactly(store: AuditStore) -> None:
    records = _records(3, outcome="error:timeout", score=0.5, threshold=0.6, max_fmr=1e-5)
    store.insert(records)
    assert store.recent(10) == sorted(records, key=lambda r: r.event_time, reverse=True)


def test_recent_filters_with_bound_parameters(store: AuditStore) -> None:
    hostile = "evt-1' OR 1=1 --"
    store.insert(_records(20) + [_records(1)[0].model_copy(update={"record_id": "h", "event_id": hostile})])
    assert [r.event_id for r in store.recent(10, event_id="evt-7")] == ["evt-7"]
    assert [r.record_id for r in store.recent(10, event_id=hostile)] == ["h"]
    assert store.recent(10, event_id="evt-1' OR '1'='1") == []
    since = store.recent(100, since=T0 + timedelta(seconds=15))
    assert {r.event_id for r in since} == {f"evt-{i}" for i in range(15, 20)}
    assert len(store.recent(3)) == 3
    assert store.count() == 21


def test_table_and_database_come_from_settings(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path, ledger={"database": "other-db", "table": "audit-v2"})
    with open_store(settings) as store:
        store.migrate()
        assert store.insert(_records(2)) == 2
        assert store.recent(5, since=T0 + timedelta(microseconds=1))[0].event_id == "evt-1"
        rows = store._client.query("SELECT count() FROM `other-db`.`audit-v2`").result_rows
        assert rows == [(2,)]


@pytest.mark.parametrize("table", ["weird`name", "a.b", "x'y", ""])
def test_names_that_need_escaping_are_refused(tmp_path: Path, table: str) -> None:
    with pytest.raises(AuditStoreError, match="CUSTODES_LEDGER__TABLE"):
        open_store(Settings(state_dir=tmp_path, ledger={"table": table}))


def test_data_survives_the_process_and_is_read_by_a_new_one(settings: Settings) -> None:
    with open_store(settings) as store:
        store.migrate()
        store.insert(_records(7))
    writer = _run(
        """
        from datetime import UTC, datetime
        from custodes.audit.records import AuditRecord
        from custodes.audit.store import open_store
        r = AuditRecord(kind="event_rejected", event_id="from-child", event_type="x",
                        event_time=datetime.now(UTC), service="child")
        with open_store(settings) as s:
            print(s.insert([r]))
        """,
        settings,
    )
    assert writer.returncode == 0, writer.stderr
    reader = _run(
        """
        import json
        from custodes.audit.store import open_store
        with open_store(settings) as s:
            print(json.dumps([s.count(), sorted(r.event_id for r in s.recent(100))]))
        """,
        settings,
    )
    assert reader.returncode == 0, reader.stderr
    count, ids = json.loads(reader.stdout.strip().splitlines()[-1])
    assert count == 8 and "from-child" in ids and "evt-6" in ids


def test_a_second_process_gets_an_actionable_lock_error(settings: Settings) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom custodes.settings import Settings\nfrom custodes.audit.store import open_store\n"
            f"s = open_store(Settings(state_dir={str(settings.state_dir)!r}))\n"
            "print('open', flush=True)\nsys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(AuditStoreError, match=rf"in use by another process \(pid {holder.pid}; the ledger"):
            open_store(settings)
    finally:
        holder.communicate("", timeout=60)
    with open_store(settings) as store:
        assert store.migrate() == ["0001_audit_records"]
