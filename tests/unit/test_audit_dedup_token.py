"""The insert deduplication token of a batch."""

from __future__ import annotations

from custodes.audit.store import dedup_token


def test_token_depends_on_the_set_of_ids_not_their_order_or_repeats() -> None:
    assert dedup_token(["a", "b", "c"]) == dedup_token(["c", "a", "b", "a"])


def test_different_batches_get_different_tokens() -> None:
    assert dedup_token(["a", "b"]) != dedup_token(["a", "b", "c"])
    assert dedup_token(["ab"]) != dedup_token(["a", "b"])


def test_token_is_a_stable_short_string() -> None:
    token = dedup_token(["x"])
    assert token == dedup_token(("x",))
    assert token.startswith("audit-") and len(token) == len("audit-") + 64
