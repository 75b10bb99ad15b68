"""Authorisations for the simulated traffic: granted, expired, pending (urgent start) and refused.

Contract: :func:`authorisation_pool` gives the same records for the same seed and epoch,
timed around the epoch (the start of the simulated traffic) so each state means what its
name says at event time (EU-04: an urgent start must be authorised within 24 h). They are
``custodes.policy.registry.Authorisation`` records, keyed by id, as OPA reads them at
``data.custodes.registry.authorisations`` (:func:`registry_document`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

import httpx

from custodes.policy.registry import Authorisation

__all__ = [
    "AUTHORISATION_STATES",
    "AUTHORITIES",
    "AUTHORITY_OF",
    "Authority",
    "authorisation_pool",
    "push_to_opa",
    "registry_document",
]

AUTHORISATION_STATES: tuple[str, ...] = ("granted", "expired", "pending_urgent", "refused")
ANNEX_II_OFFENCES: tuple[str, ...] = (
    "terrorism", "human_trafficking", "child_sexual_exploitation", "murder_or_grievous_bodily_injury",
    "kidnapping_or_hostage_taking", "drug_trafficking", "weapons_trafficking", "rape",
)


@dataclass(frozen=True)
class Authority:
    jurisdiction: str
    kind: str
    name: str


AUTHORITIES: tuple[Authority, ...] = (
    Authority("DE", "judicial", "Amtsgericht Berlin-Tiergarten"),
    Authority("FR", "judicial", "Tribunal judiciaire de Paris"),
    Authority("GB", "administrative", "Metropolitan Police Service authorising officer"),
    Authority("US-WA", "warrant", "King County Superior Court"),
)
AUTHORITY_OF: dict[str, Authority] = {a.jurisdiction: a for a in AUTHORITIES}


def authorisation_pool(seed: int, epoch: datetime, per_state: int = 2) -> dict[str, list[Authorisation]]:
    """``per_state`` authorisations of each of :data:`AUTHORISATION_STATES` for each authority,
    by state; deterministic in (seed, epoch)."""
    rng = Random(f"custodes-sim/{seed}/authorisations")
    pool: dict[str, list[Authorisation]] = {state: [] for state in AUTHORISATION_STATES}
    for authority in AUTHORITIES:
        code = authority.jurisdiction.lower()
        for state in AUTHORISATION_STATES:
            for n in range(per_state):
                requested = epoch - timedelta(hours=rng.randint(2, 20))
                cameras = sorted({f"cam-{code}-{rng.randint(1, 40):03d}" for _ in range(3)})
                fields = dict(
                    id=f"auth-{seed}-{code}-{state.replace('_', '-')}-{n}",
                    kind=authority.kind,
                    authority=authority.name,
                    requested_at=requested,
                    targets=[f"wl-{code}-{seed}-{rng.randint(1, 500):04d}"],
                    camera_ids=cameras,
                    offence={"category": rng.choice(ANNEX_II_OFFENCES), "max_sentence_years": rng.choice([5, 10, 15])},
                )
                pool[state].append(Authorisation(**{**fields, **_timing(state, requested, rng)}))
    return pool


def _timing(state: str, requested: datetime, rng: Random) -> dict:
    if state == "granted":
        return dict(state="granted", granted_at=requested + timedelta(hours=1), valid_from=requested,
                    valid_until=requested + timedelta(days=rng.randint(7, 30)))
    if state == "expired":
        start = requested - timedelta(days=rng.randint(10, 40))
        return dict(state="granted", requested_at=start, granted_at=start + timedelta(hours=2), valid_from=start,
                    valid_until=start + timedelta(days=3))
    if state == "pending_urgent":
        return dict(state="pending", urgent_start_at=requested - timedelta(hours=rng.randint(0, 1)))
    return dict(state="refused")


def registry_document(authorisations: Iterable[Authorisation]) -> dict:
    """The registry as OPA reads it: ``{"authorisations": {id: record}}``."""
    return {"authorisations": {a.id: a.to_opa() for a in authorisations}}


def push_to_opa(opa_url: str, authorisations: Iterable[Authorisation], timeout_s: float = 5.0) -> None:
    """PUT each authorisation at ``data.custodes.registry.authorisations[id]`` (others stay).

    For an OPA that no gate feeds: a running gate mirrors the registry topic into OPA and
    replaces the whole registry document on its next change. Raises ``httpx.HTTPError``.
    """
    with httpx.Client(base_url=opa_url, timeout=timeout_s) as client:
        for a in authorisations:
            client.put(f"/v1/data/custodes/registry/authorisations/{a.id}", json=a.to_opa()).raise_for_status()
