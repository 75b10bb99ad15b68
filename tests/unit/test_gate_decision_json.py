"""The gate serialises each template of a compact batch answer once (``DecisionJson``), and what
it writes is exactly what serialising every decision would write."""

from __future__ import annotations

import json

import httpx
import pytest

from custodes.events import PolicyDecision
from custodes.gate.service import DecisionJson, work_payload
from custodes.policy.client import PolicyClient
from custodes.settings import OpaSettings

REASON = {"code": "c", "requirement": "KE-01", "legal_ref": "l", "message": "m"}
ALLOWED = {"allow": True, "jurisdictions": ["KE"], "use_case": "sim_registration_verification",
           "obligations": {"max_fmr": 0.01, "review_quorum": 1}, "reasons": [REASON]}
DENIED = {"allow": False, "jurisdictions": ["KE"], "use_case": "sim_registration_verification",
          "obligations": {}, "reasons": [{**REASON, "code": "missing_legal_mandate"}]}


async def _compact(documents: list[dict], entries: list[list]) -> list[PolicyDecision]:
    """Decisions as the gate gets them from OPA's compact batch answer."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": {"documents": documents, "decisions": entries},
                                         "provenance": {"bundles": {"custodes": {"revision": "r1"}}}})

    settings = OpaSettings(url="http://opa.invalid", batch_path="custodes/batch/judged", retries=0)
    client = PolicyClient(settings, transport=httpx.MockTransport(handler))
    try:
        return await client.decide_many([{"request": {"id": str(i)}} for i in range(len(entries))])
    finally:
        await client.close()


def _same_as_serialising_each(as_json: DecisionJson, decisions: list[PolicyDecision]) -> None:
    for decision in decisions:
        assert as_json.parts(decision)[0] == decision.model_dump_json().encode()
        assert as_json.parts(decision)[1] == [r.model_dump() for r in decision.reasons]
        assert json.loads(work_payload(b"{}", as_json.parts(decision)[0])) == \
            {"event": {}, "decision": json.loads(decision.model_dump_json())}


async def test_copies_of_a_template_are_serialised_once_and_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    decisions = await _compact([ALLOWED, DENIED], [[i % 2, f"dec-{i:04d}"] for i in range(100)])
    serialised = []
    original = PolicyDecision.model_dump_json

    def counting(self: PolicyDecision, **kwargs: object) -> str:
        serialised.append(self.decision_id)
        return original(self, **kwargs)

    as_json = DecisionJson()
    monkeypatch.setattr(PolicyDecision, "model_dump_json", counting)
    written = [as_json.parts(d)[0] for d in decisions]
    assert serialised == ["dec-0000", "dec-0001"]  # once per template
    monkeypatch.undo()
    assert written == [d.model_dump_json().encode() for d in decisions]
    _same_as_serialising_each(DecisionJson(), decisions)


async def test_a_changed_copy_is_serialised_anew() -> None:
    allowed, other = await _compact([ALLOWED], [[0, "dec-a"], [0, "dec-b"]])
    # a copy sharing the template's reasons list, but not its answer or obligations
    denied = other.model_copy(update={"allow": False})
    stricter = other.model_copy(update={"obligations": {"max_fmr": 0.001, "review_quorum": 1}})
    # equal to the template's obligations (1.0 == 1), yet written otherwise: compared by identity
    alike = other.model_copy(update={"obligations": {"max_fmr": 0.01, "review_quorum": 1.0}})
    assert alike.obligations == allowed.obligations
    _same_as_serialising_each(DecisionJson(), [allowed, denied, stricter, alike, other])


async def test_a_decision_naming_its_id_twice_is_serialised_whole() -> None:
    # the marker '"decision_id":"dec-a"' also appears inside the obligations: no single place to splice
    document = {**ALLOWED, "obligations": {"previous": {"decision_id": "dec-a"}}}
    decisions = await _compact([document], [[0, "dec-a"], [0, "dec-b"]])
    _same_as_serialising_each(DecisionJson(), decisions)


def test_decisions_not_from_a_template_are_serialised_as_they_are() -> None:
    decisions = [PolicyDecision.model_validate({**ALLOWED, "decision_id": f"dec-{i}", "policy_revision": "r",
                                                "decided_at": "2026-11-28T10:00:00Z"}) for i in range(3)]
    _same_as_serialising_each(DecisionJson(), decisions)
