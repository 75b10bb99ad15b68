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
    assert decision.obligations == {}


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, text="internal error"),
        httpx.Response(200, json={}),  # undefined decision
        httpx.Response(200, json={"result": "yes"}),
        httpx.Response(200, json={"result": {"allow": True, "reasons": [REASON]}}),  # no decision_id
        httpx.Response(200, json={"result": {"allow": True, "decision_id": "d", "reasons": []}}),  # no reason
        httpx.Response(200, text="not json"),
    ],
    ids=["http-500", "undefined", "not-an-object", "no-decision-id", "no-reasons", "not-json"],
)
async def test_unusable_answers_deny_with_policy_unavailable(response: httpx.Response) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return response

    decision = await _client(handler, retries=2).decide(INPUT)
    assert decision.allow is False
    assert [r.code for r in decision.reasons] == [POLICY_UNAVAILABLE]
    assert len(calls) == 3, "one try plus two retries"


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
