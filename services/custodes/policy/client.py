"""Asks OPA for decisions. Fails closed.

Contract: ``PolicyClient.decide(input)`` always returns a ``PolicyDecision`` and
``decide_many(inputs)`` one per input, in order; neither raises for anything OPA does. OPA unreachable, slow (past ``timeout_s``), answering an
HTTP error, or leaving the decision undefined or malformed — after ``retries`` extra
attempts — gives ``allow=False`` with the reason ``policy_unavailable``. Only a
well-formed decision document with ``allow`` exactly ``true`` allows. In a batch, a whole
failed call denies every input; a malformed entry denies only its own input.

A batch (``OpaSettings.batch_path``) may be answered in either of the bundle's forms: a list
of decision documents, one per request (``data.custodes.batch.decisions``), or the compact
``{"documents": [...], "decisions": [[index, decision_id], ...]}`` (``data.custodes.batch.judged``)
in which requests alike share one document: each document is validated once and each
request's decision is a copy of it with its own ``decision_id``. ``decide_many`` keeps no
state between calls, so several asyncio tasks may call it at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Annotated

import httpx
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from custodes import wirejson
from custodes.events import PolicyDecision, PolicyReason
from custodes.settings import OpaSettings

log = logging.getLogger(__name__)

POLICY_UNAVAILABLE = "policy_unavailable"


def unavailable_decision(policy_input: dict, why: str) -> PolicyDecision:
    """The fail-closed denial used whenever OPA gives no usable answer."""
    request = policy_input.get("request") or {}
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return PolicyDecision(
        allow=False,
        decision_id=f"unavail-{digest}",
        policy_revision="unavailable",
        use_case=request.get("use_case"),
        reasons=[
            PolicyReason(
                code=POLICY_UNAVAILABLE,
                requirement="CUSTODES-01",
                legal_ref="custodes: anything the policy engine cannot answer is denied",
                message=why,
            )
        ],
        decided_at=datetime.now(UTC),
    )


class PolicyClient:
    """An async OPA Data API client bound to one decision path."""

    def __init__(self, settings: OpaSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._http = httpx.AsyncClient(
            base_url=settings.url, timeout=settings.timeout_s, transport=transport,
            headers={"content-type": "application/json"},
        )
        self._path = f"/v1/data/{settings.decision_path.strip('/')}"
        self._batch_path = f"/v1/data/{settings.batch_path.strip('/')}"

    async def close(self) -> None:
        await self._http.aclose()

    async def healthy(self) -> bool:
        try:
            response = await self._http.get("/health", params={"bundles": "true"})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def decide(self, policy_input: dict) -> PolicyDecision:
        body = await self._post_with_retries(self._path, {"input": policy_input}, policy_input)
        if isinstance(body, PolicyDecision):
            return body
        try:
            return _decision(body.get("result"), _bundle_revision(body.get("provenance") or {}), self._path)
        except _Unusable as exc:
            return unavailable_decision(policy_input, f"OPA at {self._settings.url}: {exc}")

    async def decide_many(self, policy_inputs: list[dict]) -> list[PolicyDecision]:
        if not policy_inputs:
            return []
        batch = {"input": {"requests": [i.get("request") for i in policy_inputs]}}
        body = await self._post_with_retries(self._batch_path, batch, policy_inputs[0])
        if isinstance(body, PolicyDecision):
            return [unavailable_decision(i, body.reasons[0].message) for i in policy_inputs]
        results = body.get("result")
        revision = _bundle_revision(body.get("provenance") or {})
        if isinstance(results, dict):
            return self._expand(results, policy_inputs, revision)
        if not isinstance(results, list) or len(results) != len(policy_inputs):
            return self._all_unavailable(policy_inputs, "is undefined or has the wrong length")
        decisions = []
        for policy_input, result in zip(policy_inputs, results):
            try:
                decisions.append(_decision(result, revision, self._batch_path))
            except _Unusable as exc:
                decisions.append(unavailable_decision(policy_input, f"OPA at {self._settings.url}: {exc}"))
        return decisions

    def _expand(self, answer: dict, policy_inputs: list[dict], revision: str) -> list[PolicyDecision]:
        """The compact answer (documents, and per request [document index, decision_id]) as one
        decision per input: each document validated once, the first time a request names it."""
        documents, entries = answer.get("documents"), answer.get("decisions")
        if not isinstance(documents, list) or not isinstance(entries, list) or len(entries) != len(policy_inputs):
            return self._all_unavailable(policy_inputs, "is malformed or has the wrong length")
        validated: dict[int, PolicyDecision | str] = {}
        decisions = []
        for position, (policy_input, entry) in enumerate(zip(policy_inputs, entries)):
            decision: PolicyDecision | str
            if not (isinstance(entry, list) and len(entry) == 2 and type(entry[0]) is int
                    and 0 <= entry[0] < len(documents) and _is_decision_id(entry[1])):
                decision = f"malformed decision entry {position} in {self._batch_path}"
            else:
                index, decision_id = entry
                if index not in validated:
                    validated[index] = self._template(documents[index], revision)
                template = validated[index]
                decision = template if isinstance(template, str) else template.model_copy(
                    update={"decision_id": decision_id})
            decisions.append(decision if isinstance(decision, PolicyDecision)
                             else unavailable_decision(policy_input, f"OPA at {self._settings.url}: {decision}"))
        return decisions

    def _template(self, document: object, revision: str) -> PolicyDecision | str:
        """A compact answer's document as a decision (its decision_id set per request), or why not."""
        if not isinstance(document, dict):
            return f"decision {self._batch_path} has a document that is not an object"
        try:
            return _decision({**document, "decision_id": "pending"}, revision, self._batch_path)
        except _Unusable as exc:
            return str(exc)

    def _all_unavailable(self, policy_inputs: list[dict], why: str) -> list[PolicyDecision]:
        message = f"OPA at {self._settings.url}: batch decision {self._batch_path} {why}"
        return [unavailable_decision(i, message) for i in policy_inputs]

    async def _post_with_retries(self, path: str, body: dict, policy_input: dict) -> dict | PolicyDecision:
        """OPA's JSON answer, or (after all retries) the fail-closed denial explaining why not."""
        attempts = 1 + max(0, self._settings.retries)
        why = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self._settings.retry_backoff_s * attempt)
            try:
                return await self._post(path, body)
            except _Unusable as exc:
                why = str(exc)
                log.warning("OPA gave no usable answer (attempt %d/%d): %s", attempt + 1, attempts, why)
        return unavailable_decision(policy_input, f"OPA at {self._settings.url} gave no usable decision: {why}")

    async def _post(self, path: str, body: dict) -> dict:
        try:
            response = await self._http.post(path, params={"provenance": "true"}, content=wirejson.dumps(body))
        except httpx.TimeoutException as exc:
            raise _Unusable(f"timed out after {self._settings.timeout_s}s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise _Unusable(f"unreachable ({type(exc).__name__}: {exc})") from exc
        if response.status_code != 200:
            raise _Unusable(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = from_json(response.content)
        except ValueError as exc:
            raise _Unusable("answer is not JSON") from exc
        if not isinstance(answer, dict) or "result" not in answer:
            raise _Unusable(f"decision {path} is undefined")
        return answer


def _decision(result: object, revision: str, path: str) -> PolicyDecision:
    if not isinstance(result, dict):
        raise _Unusable(f"decision {path} is undefined or not an object")
    try:
        return PolicyDecision(
            allow=result.get("allow") is True,
            decision_id=result["decision_id"],
            policy_revision=revision,
            jurisdictions=result.get("jurisdictions", []),
            use_case=result.get("use_case"),
            obligations=result.get("obligations") or {},  # a denial may carry duties too (delete_outputs)
            reasons=result.get("reasons", []),
            decided_at=datetime.now(UTC),
        )
    except (KeyError, ValidationError) as exc:
        raise _Unusable(f"malformed decision document: {exc}") from exc


_DECISION_ID_FIELD = PolicyDecision.model_fields["decision_id"]
_DECISION_ID = TypeAdapter(Annotated[(_DECISION_ID_FIELD.annotation, *_DECISION_ID_FIELD.metadata)])


def _is_decision_id(value: object) -> bool:
    """``value`` is what ``PolicyDecision.decision_id`` accepts (a template's copy is not revalidated)."""
    try:
        _DECISION_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


class _Unusable(Exception):
    pass


def _bundle_revision(provenance: dict) -> str:
    bundles = provenance.get("bundles") or {}
    revisions = sorted(f"{name.rstrip('/').rsplit('/', 1)[-1]}@{b.get('revision', '')}" for name, b in bundles.items())
    return ",".join(revisions) or f"opa-{provenance.get('version', 'unknown')}"
