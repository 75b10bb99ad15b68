"""The OPA client fails closed: only a well-formed decision with allow == true allows."""

from __future__ import annotations

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
        assert request.url.path == "/v1/data/custodes/batch/decisions"
        requests = __import__("json").loads(request.content)["input"]["requests"]
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
