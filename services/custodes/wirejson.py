"""JSON writing on the hot paths (the gate's audit records and OPA requests).

Contract of :func:`dumps`: the compact JSON pydantic's ``to_json`` writes for the same value,
equal once parsed (datetimes RFC 3339 with UTC as ``Z``; any other object as
``to_jsonable_python`` makes it), several times faster on plain dicts and lists.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic_core import to_json, to_jsonable_python

__all__ = ["dumps"]


def dumps(value: Any) -> bytes:
    """``value`` as JSON bytes: by orjson, or by pydantic where orjson refuses (an integer
    beyond 64 bits, a key that is not a string)."""
    try:
        return orjson.dumps(value, default=to_jsonable_python, option=orjson.OPT_UTC_Z)
    except (TypeError, orjson.JSONEncodeError):
        return to_json(value)
