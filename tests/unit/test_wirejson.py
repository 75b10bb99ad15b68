"""wirejson.dumps writes what pydantic's to_json writes, once parsed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import to_json

from custodes import wirejson
from custodes.events import PolicyReason

SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)), timezone(timedelta(0))])))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=10)


@given(VALUES)
def test_dumps_reads_back_as_to_json(value) -> None:
    assert json.loads(wirejson.dumps(value)) == json.loads(to_json(value))


def test_utc_is_written_z_and_models_as_pydantic_writes_them() -> None:
    moment = datetime(2026, 3, 1, 10, 15, 2, tzinfo=UTC)
    reason = PolicyReason(code="c", requirement="EU-01", legal_ref="EU AI Act Art 5(1)(h)", message="m")
    value = {"at": moment, "reason": reason}
    assert wirejson.dumps(value) == to_json(value)
    assert b'"2026-03-01T10:15:02Z"' in wirejson.dumps(value)


def test_what_orjson_refuses_pydantic_writes() -> None:
    value = {"big": 2**80, 3: "non-string key"}
    assert wirejson.dumps(value) == to_json(value)
