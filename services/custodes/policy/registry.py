"""The registry OPA judges against: authorisations, deployments and watchlists, kept in sync by the gate.

Contract: the sources of truth are three compacted Kafka topics (``Topics.registry()``),
one per section, each keyed by the record's id with the record as JSON as value (an empty
value withdraws it): ``registry_authorisations`` (:class:`Authorisation`),
``registry_deployments`` (:class:`Deployment`) and ``registry_watchlists``
(:class:`Watchlist`). ``RegistryMirror`` folds those records into one document
``{"authorisations": {id: …}, "deployments": {id: …}, "watchlists": {id: …}}`` and pushes
it whole to OPA at ``data.custodes.registry``: at start, after every change, and whenever
OPA has lost it (a restarted OPA holds no pushed data). The packs read authorisations and
watchlists there; a deployment reaches them inside the request
(``request.deployment``, :meth:`RegistryMirror.deployment`), and is in the document too so
that what the gate judged against can be read back from OPA.
Until OPA (or the mirror) has a record, rules that need it do not find it and deny.
A compacted topic may still hold a superseded record before the one replacing it (a grant,
then its revocation), so a mirror part-way through its topics could allow more than the
registry does: the gate judges no event before the mirror has folded and pushed every
record that was on the topics when it first came to judge (:meth:`RegistryMirror.catch_up`).
After that, a change reaches OPA as soon as the gate has read it. Only committed records
count: a record of an aborted transaction was never written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Literal

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

Offsets = dict[tuple[str, int], int]
"""Kafka offsets by (topic, partition)."""


class AuthorisedOffence(BaseModel):
    """The offence an authorisation covers (its category must be the case's: EU-16)."""

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
    offence: AuthorisedOffence | None = None

    def to_opa(self) -> dict:
        """The OPA form: times as RFC 3339 strings (``time.parse_rfc3339_ns`` reads them)."""
        return self.model_dump(mode="json", exclude={"id"})


class Deployment(BaseModel):
    """A deployment record (the paperwork a use rests on) as the packs read it at ``request.deployment``.

    Every field is optional: which ones a use needs is the law's question, answered by the
    packs (EU-03, EU-18, GB-01, GB-05, US-WA-01, CN-02), never by this model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128, examples=["dep-kx-2026-03"])
    fria_id: str | None = Field(None, max_length=256, description="fundamental-rights impact assessment (EU-03)")
    dpia_id: str | None = Field(None, max_length=256, description="data-protection impact assessment (EU-18, GB-05)")
    eu_db_registration_id: str | None = Field(None, max_length=256, description="EU database registration (EU-03)")
    policy_document_id: str | None = Field(None, max_length=256, description="appropriate policy document (GB-05)")
    pia_id: str | None = Field(None, max_length=256, description="personal-information impact assessment (CN-02)")
    authorising_officer: str | None = Field(None, max_length=256, description="who authorised the deployment (GB-01)")
    location_rationale: str | None = Field(None, max_length=1024, description="why here (GB-01)")
    accountability_report_id: str | None = Field(None, max_length=256, description="accountability report (US-WA-01)")
    accountability_report_date: date | None = Field(None, description="its date; at most 2 years old (US-WA-01)")

    def to_opa(self) -> dict:
        """The OPA form: every field of the record (None where absent), dates as YYYY-MM-DD."""
        return self.model_dump(mode="json", exclude={"id"})


class WatchlistEntry(BaseModel):
    """One person on a watchlist, as GB-01 and EU-02 read it (never an image or a template)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject_ref: str = Field(min_length=1, max_length=128, description="keyed pseudonym; authorisation targets")
    category: str | None = Field(None, max_length=64, description="why the person is listed (GB-01)",
                                 examples=["wanted_by_courts"])
    legal_basis: str | None = Field(None, max_length=256)
    image_source: str | None = Field(None, max_length=64, examples=["custody_record"])
    approved_by: str | None = Field(None, max_length=128)


class Watchlist(BaseModel):
    """A watchlist as OPA sees it at ``data.custodes.registry.watchlists[id]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128, examples=["wl-missing-0007"])
    entries: list[WatchlistEntry] = Field(default_factory=list, max_length=100_000)

    def to_opa(self) -> dict:
        return self.model_dump(mode="json", exclude={"id"})


RegistrySection = Literal["authorisations", "deployments", "watchlists"]
SECTION_MODELS: dict[str, type[Authorisation | Deployment | Watchlist]] = {
    "authorisations": Authorisation, "deployments": Deployment, "watchlists": Watchlist}
"""The model of each section of the registry document."""


class RegistryMirror:
    """The registry document, folded from registry records, and its push to OPA."""

    def __init__(self, opa_url: str, timeout_s: float = 2.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._sections: dict[str, dict[str, dict]] = {section: {} for section in SECTION_MODELS}
        self._http = httpx.AsyncClient(base_url=opa_url, timeout=timeout_s, transport=transport)
        self._dirty = True
        self._lock = asyncio.Lock()
        self._ends: Offsets | None = None  # the registry topics' ends when the gate first came to judge
        self._folded: Offsets = {}  # per partition, the offset after the last record folded and pushed
        self._caught_up = asyncio.Event()  # set once, when _folded reaches _ends
        self._learning_ends = asyncio.Lock()

    def apply(self, key: str, value: bytes | None, section: RegistrySection = "authorisations") -> None:
        """Fold one registry record of ``section``; an empty value withdraws the record ``key``.

        Raises ``ValueError`` (pydantic's ``ValidationError``) for a record its model refuses.
        """
        records = self._sections[section]
        if not value:
            records.pop(key, None)
        else:
            record = SECTION_MODELS[section].model_validate_json(value)
            records[record.id] = record.to_opa()
        self._dirty = True

    def pushed_through(self, positions: Offsets) -> None:
        """Every record before ``positions`` (per partition, the offset after the last one) is
        folded, and a push has been made since (:meth:`push`: in OPA, or retried)."""
        for partition, position in positions.items():
            self._folded[partition] = max(self._folded.get(partition, 0), position)
        self._check_caught_up()

    def _check_caught_up(self) -> None:
        if self._ends is not None and all(self._folded.get(p, 0) >= end for p, end in self._ends.items()):
            self._caught_up.set()

    async def catch_up(self, ends: Callable[[], Awaitable[Offsets]], warn_every_s: float = 10.0) -> None:
        """Return once the mirror has folded and pushed every record the registry topics held
        when it was first asked (``ends``: per partition, the offset after its last record then,
        0 or absent where it held none, learnt once; not the log's end, which a transaction
        marker or records compacted away can put beyond any record the mirror could fold);
        meanwhile no event is judged, and a warning says why every ``warn_every_s``."""
        if self._caught_up.is_set():
            return
        async with self._learning_ends:
            if self._ends is None:
                self._ends = dict(await ends())
                self._check_caught_up()
        while not self._caught_up.is_set():
            try:
                await asyncio.wait_for(self._caught_up.wait(), warn_every_s)
            except TimeoutError:
                behind = {f"{t}[{p}]": end - self._folded.get((t, p), 0) for (t, p), end in self._ends.items()
                          if self._folded.get((t, p), 0) < end}
                log.warning("no event judged until the registry is read to where it ended before the first "
                            "judgement; records still to read: %s", behind)

    def deployment(self, deployment_id: str | None) -> dict | None:
        """The deployment record as the packs read it at ``request.deployment``; None when unknown."""
        record = self._sections["deployments"].get(deployment_id) if deployment_id is not None else None
        return dict(record) if record is not None else None

    def document(self) -> dict:
        return {section: dict(records) for section, records in self._sections.items()}

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

    async def settled(self) -> None:
        """Return once no push is in progress (starts none): what was folded before is in OPA, or
        failed to get there and is retried."""
        async with self._lock:
            pass

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
