"""The registry mirror: folds authorisation, deployment and watchlist records and pushes the whole document to OPA."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from custodes.policy.registry import Authorisation, Deployment, RegistryMirror, Watchlist
from tests.unit.gate_harness import registry_topics_empty

GRANTED = Authorisation(id="auth-1", kind="judicial", authority="AG Berlin", state="granted",
                        valid_from="2026-01-01T00:00:00Z", valid_until="2026-02-01T00:00:00+01:00",
                        camera_ids=["cam-1"], offence={"category": "terrorism", "max_sentence_years": 10})


class FakeOpa:
    def __init__(self, has_document: bool = True, fail: bool = False) -> None:
        self.puts: list[dict] = []
        self.has_document = has_document
        self.fail = fail

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            raise httpx.ConnectError("refused", request=request)
        if request.method == "PUT":
            self.puts.append(json.loads(request.content))
            self.has_document = True
            return httpx.Response(204)
        return httpx.Response(200, json={"result": {}} if self.has_document else {})


def _mirror(opa: FakeOpa) -> RegistryMirror:
    return RegistryMirror("http://opa.invalid", transport=httpx.MockTransport(opa))


def test_times_are_rfc3339_for_opa() -> None:
    doc = GRANTED.to_opa()
    assert doc["valid_from"] == "2026-01-01T00:00:00Z"
    assert doc["valid_until"] == "2026-02-01T00:00:00+01:00"
    assert "id" not in doc


async def test_records_fold_into_one_document_and_withdrawals_remove() -> None:
    opa = FakeOpa()
    mirror = _mirror(opa)
    mirror.apply("auth-1", GRANTED.model_dump_json().encode())
    assert await mirror.push()
    assert set(opa.puts[-1]["authorisations"]) == {"auth-1"}
    mirror.apply("auth-1", None)
    assert await mirror.push()
    assert opa.puts[-1] == {"authorisations": {}, "deployments": {}, "watchlists": {}}


async def test_push_is_skipped_when_nothing_changed() -> None:
    opa = FakeOpa()
    mirror = _mirror(opa)
    await mirror.push()
    await mirror.push()
    assert len(opa.puts) == 1


async def test_failed_push_is_retried_later() -> None:
    opa = FakeOpa(fail=True)
    mirror = _mirror(opa)
    assert not await mirror.push()
    opa.fail = False
    assert await mirror.push()
    assert len(opa.puts) == 1


async def test_a_restarted_opa_without_the_document_gets_it_again() -> None:
    opa = FakeOpa()
    mirror = _mirror(opa)
    await mirror.push()
    opa.has_document = False
    assert not await mirror._opa_has_document()
    await mirror.push(force=True)
    assert len(opa.puts) == 2


def test_invalid_record_raises_for_the_dead_letter_path() -> None:
    with pytest.raises(ValueError):
        _mirror(FakeOpa()).apply("x", b'{"id": "x", "kind": "vibes"}')


async def test_deployments_and_watchlists_fold_into_their_sections() -> None:
    opa = FakeOpa()
    mirror = _mirror(opa)
    mirror.apply("dep-1", Deployment(id="dep-1", dpia_id="dpia-1", accountability_report_date="2025-09-01")
                 .model_dump_json().encode(), "deployments")
    watchlist = Watchlist(id="wl-1", entries=[{"subject_ref": "subj-1", "category": "missing_person"}])
    mirror.apply("wl-1", watchlist.model_dump_json().encode(), "watchlists")
    assert await mirror.push()
    document = opa.puts[-1]
    assert document["watchlists"] == {"wl-1": {"entries": [{"subject_ref": "subj-1", "category": "missing_person",
                                                            "legal_basis": None, "image_source": None,
                                                            "approved_by": None}]}}
    deployment = document["deployments"]["dep-1"]
    assert deployment == mirror.deployment("dep-1")
    assert set(deployment) == {"fria_id", "dpia_id", "eu_db_registration_id", "policy_document_id", "pia_id",
                               "authorising_officer", "location_rationale", "accountability_report_id",
                               "accountability_report_date"}
    assert (deployment["dpia_id"], deployment["accountability_report_date"], deployment["fria_id"]) == (
        "dpia-1", "2025-09-01", None)
    assert mirror.deployment("dep-unknown") is None and mirror.deployment(None) is None
    mirror.apply("dep-1", b"", "deployments")
    assert mirror.deployment("dep-1") is None


async def test_settled_waits_for_a_push_in_progress() -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(204)

    mirror = RegistryMirror("http://opa.invalid", transport=httpx.MockTransport(slow))
    pushing = asyncio.create_task(mirror.push())
    await asyncio.sleep(0.01)
    settled = asyncio.create_task(mirror.settled())
    await asyncio.sleep(0.01)
    assert not settled.done()
    release.set()
    await asyncio.wait_for(settled, 1)
    assert await pushing


async def test_caught_up_once_every_partition_is_folded_to_where_it_ended_when_first_asked() -> None:
    mirror = RegistryMirror("http://opa.invalid")
    asked: list[int] = []

    async def ends() -> dict:
        asked.append(1)
        return {("reg.auth", 0): 5, ("reg.auth", 1): 0, ("reg.deployments", 0): 1}

    mirror.pushed_through({("reg.auth", 0): 2})  # read before anyone asked
    first, second = asyncio.create_task(mirror.catch_up(ends)), asyncio.create_task(mirror.catch_up(ends))
    await asyncio.sleep(0.01)
    mirror.pushed_through({("reg.auth", 0): 5})
    await asyncio.sleep(0.01)
    assert not first.done() and not second.done(), "the deployments partition is not read yet"
    mirror.pushed_through({("reg.deployments", 0): 1})
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert asked == [1], "the ends are learnt once"
    mirror.pushed_through({("reg.auth", 0): 3})  # an older position changes nothing: caught up stays
    await asyncio.wait_for(mirror.catch_up(ends), 1)
    assert asked == [1]
    await mirror.close()


async def test_empty_registry_topics_are_read_at_once() -> None:
    mirror = RegistryMirror("http://opa.invalid")
    await asyncio.wait_for(mirror.catch_up(registry_topics_empty), 1)
    await mirror.close()
