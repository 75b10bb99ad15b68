"""The OPA client fails closed: only a well-formed decision with allow == true allows."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from custodes.policy.client import POLICY_UNAVAILABLE, PolicyClient
from custodes.settings import OpaSettings

INPUT = {"request": {"id": "evt-1", "use_case": "sim_registration_verification"}}
REASON = {"code": "c", "requirement": "KE-01", "legal_ref": "l", "message": "m"}


def _client(handler, retries: int = 1) -> PolicyClient:
    settings = OpaSettings(url="http://opa.invalid", retries=retries, retry_backoff_s=0.0, timeout_s=0.5)
    return PolicyClient(settings, transport=httpx.MockTransport(handler))


async def test_allow_only_when_opa_says_allow_true() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={
            "result": {"allow": True, "decision_id": "d1", "reasons": [REASON], "obligations": {"max_fmr": 0.01}},
            "provenance": {"bundles": {"custodes": {"revision": "r7"}}},
        })

    decision = await _client(handler).decide(INPUT)
    assert decision.allow is True
    assert decision.policy_revision == "custodes@r7"
    assert decision.obligations == {"max_fmr": 0.01}
    assert calls[0].url.path == "/v1/data/custodes/decision"


@pytest.mark.parametrize("allow_value", ["true", 1, None, "yes"])
async def test_truthy_but_not_true_allow_denies(allow_value) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": {"allow": allow_value, "decision_id": "d", "reasons": [REASON],
                                                    "obligations": {"x": 1}}})

    decision = await _client(handler).decide(INPUT)
    assert decision.allow is False


@pytest.mark.parametrize(
    ("response", "calls_expected"),
    [
        (httpx.Response(500, text="internal error"), 3),
        (httpx.Response(200, json={}), 3),  # undefined decision
        (httpx.Response(200, text="not json"), 3),
        # a well-formed answer with a malformed decision is not retried: it would not change
        (httpx.Response(200, json={"result": "yes"}), 1),
        (httpx.Response(200, json={"result": {"allow": True, "reasons": [REASON]}}), 1),  # no decision_id
        (httpx.Response(200, json={"result": {"allow": True, "decision_id": "d", "reasons": []}}), 1),  # no reason
    ],
    ids=["http-500", "undefined", "not-json", "not-an-object", "no-decision-id", "no-reasons"],
)
async def test_unusable_answers_deny_with_policy_unavailable(response: httpx.Response, calls_expected: int) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return response

    decision = await _client(handler, retries=2).decide(INPUT)
    assert decision.allow is False
    assert [r.code for r in decision.reasons] == [POLICY_UNAVAILABLE]
    assert len(calls) == calls_expected


async def test_unreachable_opa_denies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    decision = await _client(handler).decide(INPUT)
    assert decision.allow is False
    assert decision.reasons[0].code == POLICY_UNAVAILABLE
    assert "unreachable" in decision.reasons[0].message


async def test_slow_opa_denies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    decision = await _client(handler, retries=0).decide(INPUT)
    assert decision.allow is False
    assert "timed out" in decision.reasons[0].message


async def test_retry_recovers_after_transient_failure() -> None:
    answers = [httpx.Response(503), httpx.Response(200, json={
        "result": {"allow": True, "decision_id": "d", "reasons": [REASON]}})]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    decision = await _client(handler, retries=1).decide(INPUT)
    assert decision.allow is True


async def test_batch_returns_one_decision_per_input_in_order() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/data/custodes/batch/judged"  # the compact answer; a list is read too
        requests = json.loads(request.content)["input"]["requests"]
        return httpx.Response(200, json={"result": [
            {"allow": r["id"] == "a", "decision_id": f"d-{r['id']}", "reasons": [REASON]} for r in requests
        ]})

    inputs = [{"request": {"id": "a"}}, {"request": {"id": "b"}}]
    decisions = await _client(handler).decide_many(inputs)
    assert [(d.decision_id, d.allow) for d in decisions] == [("d-a", True), ("d-b", False)]


@pytest.mark.parametrize(
    "response",
    [httpx.Response(503), httpx.Response(200, json={"result": [{"allow": True, "decision_id": "x", "reasons": [REASON]}]})],
    ids=["unavailable", "wrong-length"],
)
async def test_failed_batch_denies_every_input(response: httpx.Response) -> None:
    decisions = await _client(lambda request: response, retries=0).decide_many(
        [{"request": {"id": "a"}}, {"request": {"id": "b"}}])
    assert [d.allow for d in decisions] == [False, False]
    assert {d.reasons[0].code for d in decisions} == {POLICY_UNAVAILABLE}
    assert decisions[0].decision_id != decisions[1].decision_id


async def test_malformed_entry_denies_only_its_own_input() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": [
            {"allow": True, "decision_id": "ok", "reasons": [REASON]}, {"allow": True}]})

    decisions = await _client(handler).decide_many([{"request": {"id": "a"}}, {"request": {"id": "b"}}])
    assert [d.allow for d in decisions] == [True, False]
    assert decisions[1].reasons[0].code == POLICY_UNAVAILABLE


async def test_denial_keeps_its_obligations() -> None:
    """A refused authorisation denies AND obliges deletion of what was derived under it (EU-04)."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": {"allow": False, "decision_id": "d", "reasons": [REASON],
                                                    "obligations": {"delete_outputs": True}}})

    decision = await _client(handler).decide(INPUT)
    assert decision.allow is False
    assert decision.obligations == {"delete_outputs": True}


# The compact batch answer (data.custodes.batch.judged): each distinct document once, and per
# request [index into documents, decision_id].

JUDGED = "custodes/batch/judged"
ALLOWED = {"allow": True, "jurisdictions": ["KE"], "use_case": "sim_registration_verification",
           "obligations": {"max_fmr": 0.01}, "reasons": [REASON], "policy_revision": "packs-1"}
DENIED = {"allow": False, "jurisdictions": ["KE"], "use_case": "sim_registration_verification",
          "obligations": {}, "reasons": [{**REASON, "code": "missing_legal_mandate"}], "policy_revision": "packs-1"}


def _judged_client(handler, retries: int = 0) -> PolicyClient:
    settings = OpaSettings(url="http://opa.invalid", batch_path=JUDGED, retries=retries, retry_backoff_s=0.0,
                           timeout_s=0.5)
    return PolicyClient(settings, transport=httpx.MockTransport(handler))


def _inputs(*ids: str) -> list[dict]:
    return [{"request": {"id": i}} for i in ids]


def _answer(documents: list, decisions: list) -> httpx.Response:
    return httpx.Response(200, json={"result": {"documents": documents, "decisions": decisions},
                                     "provenance": {"bundles": {"custodes": {"revision": "r9"}}}})


async def test_compact_batch_gives_each_input_its_document_and_its_own_id() -> None:
    paths = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        requests = json.loads(request.content)["input"]["requests"]
        return _answer([ALLOWED, DENIED], [[0 if r["id"] != "b" else 1, f"dec-{r['id']}"] for r in requests])

    decisions = await _judged_client(handler).decide_many(_inputs("a", "b", "c"))
    assert paths == ["/v1/data/custodes/batch/judged"]
    assert [(d.decision_id, d.allow) for d in decisions] == [("dec-a", True), ("dec-b", False), ("dec-c", True)]
    assert decisions[0].obligations == {"max_fmr": 0.01} and decisions[0].jurisdictions == ["KE"]
    assert decisions[1].reasons[0].code == "missing_legal_mandate"
    assert {d.policy_revision for d in decisions} == {"custodes@r9"}
    # the same as the one-document-per-request answer, but for decided_at
    expanded = [{**[ALLOWED, DENIED][i], "decision_id": f"dec-{x}"} for i, x in ((0, "a"), (1, "b"), (0, "c"))]
    full = await _client(lambda request: httpx.Response(200, json={
        "result": expanded, "provenance": {"bundles": {"custodes": {"revision": "r9"}}}})).decide_many(
        _inputs("a", "b", "c"))
    assert [d.model_dump(exclude={"decided_at"}) for d in decisions] == \
        [d.model_dump(exclude={"decided_at"}) for d in full]


@pytest.mark.parametrize(
    "result",
    [
        {"documents": [ALLOWED], "decisions": [[0, "dec-a"]]},  # too few entries
        {"documents": [ALLOWED], "decisions": [[0, "dec-a"], [0, "dec-b"], [0, "dec-c"]]},  # too many
        {"documents": [ALLOWED]},
        {"documents": ALLOWED, "decisions": [[0, "dec-a"], [0, "dec-b"]]},
        {"decisions": [[0, "dec-a"], [0, "dec-b"]]},
        {},
    ],
    ids=["too-few", "too-many", "no-decisions", "documents-not-a-list", "no-documents", "empty"],
)
async def test_malformed_compact_batch_denies_every_input(result: dict) -> None:
    decisions = await _judged_client(lambda request: httpx.Response(200, json={"result": result})).decide_many(
        _inputs("a", "b"))
    assert [d.allow for d in decisions] == [False, False]
    assert {d.reasons[0].code for d in decisions} == {POLICY_UNAVAILABLE}
    assert decisions[0].decision_id != decisions[1].decision_id


@pytest.mark.parametrize(
    "entry",
    [[1, "dec-x"], [-1, "dec-x"], [True, "dec-x"], [0.0, "dec-x"], [0, ""], [0, 7], [0, "d" * 257], [0], "0",
     None, [0, "dec-x", "extra"], [2, "dec-x"]],
    ids=["no-such-document", "negative", "bool-index", "float-index", "empty-id", "id-not-a-string", "id-too-long",
         "short", "not-a-list", "null", "long", "malformed-document"],
)
async def test_malformed_compact_entry_denies_only_its_own_input(entry: object) -> None:
    # document 1 is malformed (no reasons) but only the entry naming it may suffer; document 2 is not an object
    documents = [ALLOWED, {"allow": True, "reasons": []}, "yes"] if entry != [2, "dec-x"] else \
        [ALLOWED, ALLOWED, {"allow": True, "reasons": []}]
    if entry == [1, "dec-x"]:
        documents = [ALLOWED]
    decisions = await _judged_client(lambda request: _answer(documents, [[0, "dec-a"], entry, [0, "dec-c"]])
                                     ).decide_many(_inputs("a", "b", "c"))
    assert [d.allow for d in decisions] == [True, False, True]
    assert [d.decision_id for d in (decisions[0], decisions[2])] == ["dec-a", "dec-c"]
    assert decisions[1].reasons[0].code == POLICY_UNAVAILABLE


async def test_compact_document_that_is_not_an_object_denies_the_inputs_naming_it() -> None:
    decisions = await _judged_client(lambda request: _answer([ALLOWED, ["allow", True]], [[1, "dec-a"], [0, "dec-b"],
                                                                                           [1, "dec-c"]])
                                     ).decide_many(_inputs("a", "b", "c"))
    assert [d.allow for d in decisions] == [False, True, False]
    assert "not an object" in decisions[0].reasons[0].message


async def test_compact_allow_must_be_exactly_true() -> None:
    decisions = await _judged_client(lambda request: _answer([{**ALLOWED, "allow": "true"}], [[0, "dec-a"]])
                                     ).decide_many(_inputs("a"))
    assert decisions[0].allow is False


async def test_concurrent_batches_each_get_their_own_decisions() -> None:
    """The gate pipelines chunks: several decide_many calls in flight on one client."""
    async def answer(request: httpx.Request) -> httpx.Response:
        requests = json.loads(request.content)["input"]["requests"]
        await asyncio.sleep(0.01 * (len(requests) % 3))  # answers come back out of order
        # the document a request gets depends on its id, so mixing batches up would show
        documents = [{**ALLOWED, "reasons": [{**REASON, "message": r["id"]}]} for r in requests[::-1]]
        return _answer(documents, [[len(requests) - 1 - i, f"dec-{r['id']}"] for i, r in enumerate(requests)])

    client = _judged_client(answer)
    batches = [_inputs(*(f"b{b}-{i}" for i in range(size))) for b, size in enumerate((5, 1, 3, 4, 2, 6))]
    results = await asyncio.gather(*(client.decide_many(batch) for batch in batches))
    for batch, decisions in zip(batches, results, strict=True):
        ids = [i["request"]["id"] for i in batch]
        assert [d.decision_id for d in decisions] == [f"dec-{i}" for i in ids]
        assert [d.reasons[0].message for d in decisions] == ids
    await client.close()
