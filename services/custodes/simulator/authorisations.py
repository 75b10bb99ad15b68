"""Authorisations for the simulated traffic: granted, expired, pending (urgent start) and refused.

Contract: :func:`authorisation_pool` gives the same records for the same seed and epoch,
timed around the epoch (the start of the simulated traffic) so each state means what its
name says at event time (EU-04: an urgent start must be authorised within 24 h). They are
``custodes.policy.registry.Authorisation`` records, keyed by id, as OPA reads them at
``data.custodes.registry.authorisations`` (:func:`custodes.simulator.registry.registry_document`).
Of each authority's authorisations in a state, the even-numbered ones cover an offence (a
suspect search) and the odd-numbered ones none (a missing-person search); their
``targets`` are the subject refs of the watchlist searched under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from custodes.policy.registry import Authorisation

__all__ = [
    "AUTHORISATION_STATES",
    "AUTHORITIES",
    "AUTHORITY_OF",
    "Authority",
    "authorisation_pool",
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
                    targets=sorted({f"subj-{code}-{seed}-{rng.randint(1, 500):04d}" for _ in range(rng.randint(1, 3))}),
                    camera_ids=cameras,
                    offence={"category": rng.choice(ANNEX_II_OFFENCES), "max_sentence_years": rng.choice([5, 10, 15])}
                    if n % 2 == 0 else None,
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
