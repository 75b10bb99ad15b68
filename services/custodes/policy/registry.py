"""The registry OPA judges against: authorisations (and later watchlists), kept in sync by the gate.

Contract: the source of truth is the compacted Kafka topic ``registry_authorisations``
(key = authorisation id, value = an ``Authorisation`` as JSON, empty value = withdrawn).
``RegistryMirror`` folds those records into one document and pushes it whole to OPA at
``data.custodes.registry``: at start, after every change, and whenever OPA has lost it
(a restarted OPA holds no pushed data).
Until OPA has the document, rules that need an authorisation do not find it and deny —
the registry can only ever be missing, never stale in the direction of allowing more.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)


class Offence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str = Field(description="Annex II slug, e.g. terrorism", examples=["terrorism"])
    max_sentence_years: float | None = Field(None, ge=0)


class Authorisation(BaseModel):
    """An authorisation as OPA sees it at ``data.custodes.registry.authorisations[id]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128)
    kind: Literal["judicial", "administrative", "warrant", "court_order"]
    authority: str = Field(min_length=1, description="who grants it", examples=["Amtsgericht Berlin"])
    state: Literal["granted", "pending", "refused"]
    requested_at: AwareDatetime | None = None
    granted_at: AwareDatetime | None = None
    urgent_start_at: AwareDatetime | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    targets: list[str] = Field(default_factory=list, description="watchlist entries it covers")
    camera_ids: list[str] = Field(default_factory=list, description="cameras it covers")
    offence: Offence | None = None

    def to_opa(self) -> dict:
        """The OPA form: times as RFC 3339 strings (``time.parse_rfc3339_ns`` reads them)."""
        return self.model_dump(mode="json", exclude={"id"})


class RegistryMirror:
    """The registry document, folded from registry records, and its push to OPA."""

    def __init__(self, opa_url: str, timeout_s: float = 2.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._authorisations: dict[str, dict] = {}
        self._http = httpx.AsyncClient(base_url=opa_url, timeout=timeout_s, transport=transport)
        self._dirty = True
        self._lock = asyncio.Lock()

    def apply(self, key: str, value: bytes | None) -> None:
        """Fold one registry record; an empty value withdraws the authorisation."""
        if not value:
            self._authorisations.pop(key, None)
        else:
            authorisation = Authorisation.model_validate_json(value)
            self._authorisations[authorisation.id] = authorisation.to_opa()
        self._dirty = True

    def document(self) -> dict:
        return {"authorisations": dict(self._authorisations)}

    async def push(self, force: bool = False) -> bool:
        """PUT the whole document to OPA if it changed (or ``force``); False if OPA did not take it."""
        async with self._lock:
            if not (self._dirty or force):
                return True
            try:
                response = await self._http.put("/v1/data/custodes/registry", json=self.document())
            except httpx.HTTPError as exc:
                log.warning("registry not pushed to OPA: %s", exc)
                self._dirty = True
                return False
            if response.status_code not in (200, 204):
                log.warning("registry not pushed to OPA: HTTP %s %s", response.status_code, response.text[:200])
                self._dirty = True
                return False
            self._dirty = False
            return True

    async def keep_in_sync(self, interval_s: float = 2.0) -> None:
        """Re-push when OPA lost the document (it restarted) or an earlier push failed."""
        while True:
            await asyncio.sleep(interval_s)
            await self.push(force=not await self._opa_has_document())

    async def _opa_has_document(self) -> bool:
        try:
            response = await self._http.get("/v1/data/custodes/registry")
            return response.status_code == 200 and "result" in response.json()
        except (httpx.HTTPError, ValueError):
            return False

    async def close(self) -> None:
        await self._http.aclose()
