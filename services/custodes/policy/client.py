"""Asks OPA for decisions. Fails closed.

Contract: ``PolicyClient.decide(input)`` always returns a ``PolicyDecision`` and never
raises for anything OPA does. OPA unreachable, slow (past ``timeout_s``), answering an
HTTP error, or leaving the decision undefined or malformed — after ``retries`` extra
attempts — gives ``allow=False`` with the reason ``policy_unavailable``. Only a
well-formed decision document with ``allow`` exactly ``true`` allows.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import UTC, datetime

import httpx
from pydantic import ValidationError

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
                requirement="FAIL-CLOSED",
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

    async def close(self) -> None:
        await self._http.aclose()

    async def healthy(self) -> bool:
        try:
            response = await self._http.get("/health", params={"bundles": "true"})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def decide(self, policy_input: dict) -> PolicyDecision:
        attempts = 1 + max(0, self._settings.retries)
        why = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self._settings.retry_backoff_s * attempt)
            try:
                return await self._ask(policy_input)
            except _Unusable as exc:
                why = str(exc)
                log.warning("OPA gave no usable decision (attempt %d/%d): %s", attempt + 1, attempts, why)
        return unavailable_decision(policy_input, f"OPA at {self._settings.url} gave no usable decision: {why}")

    async def _ask(self, policy_input: dict) -> PolicyDecision:
        try:
            response = await self._http.post(self._path, params={"provenance": "true"}, json={"input": policy_input})
        except httpx.TimeoutException as exc:
            raise _Unusable(f"timed out after {self._settings.timeout_s}s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise _Unusable(f"unreachable ({type(exc).__name__}: {exc})") from exc
        if response.status_code != 200:
            raise _Unusable(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as exc:
            raise _Unusable("answer is not JSON") from exc
        result = body.get("result")
        if not isinstance(result, dict):
            raise _Unusable(f"decision {self._path} is undefined")
        revision = _bundle_revision(body.get("provenance") or {})
        try:
            return PolicyDecision(
                allow=result.get("allow") is True,
                decision_id=result["decision_id"],
                policy_revision=revision,
                jurisdictions=result.get("jurisdictions", []),
                use_case=result.get("use_case"),
                obligations=result.get("obligations", {}) if result.get("allow") is True else {},
                reasons=result.get("reasons", []),
                decided_at=datetime.now(UTC),
            )
        except (KeyError, ValidationError) as exc:
            raise _Unusable(f"malformed decision document: {exc}") from exc


class _Unusable(Exception):
    pass


def _bundle_revision(provenance: dict) -> str:
    bundles = provenance.get("bundles") or {}
    revisions = sorted(f"{name.rstrip('/').rsplit('/', 1)[-1]}@{b.get('revision', '')}" for name, b in bundles.items())
    return ",".join(revisions) or f"opa-{provenance.get('version', 'unknown')}"
