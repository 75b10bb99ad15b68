"""The registry behind the simulated camera traffic: deployments, watchlists and authorisations.

Contract: for the same seed and epoch the same records —
- one complete deployment record per camera jurisdiction (``dep-<code>-<seed>``: every field
  the packs may ask for, an accountability report dated 1 to 10 months before the epoch),
  so a camera event that names it is never denied for missing paperwork;
- one watchlist per authorisation (``wl-<authorisation id>``) whose entries are exactly
  the authorisation's ``targets``, each with a GB-01 category, legal basis, image source
  and approver;
- the authorisations of :func:`custodes.simulator.authorisations.authorisation_pool`.
:func:`registry_document` is the document OPA reads at ``data.custodes.registry``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from random import Random
from typing import get_args

import httpx

from custodes.events.vocabulary import WatchlistCategory
from custodes.policy.registry import Authorisation, Deployment, Watchlist, WatchlistEntry

__all__ = ["deployment_pool", "push_to_opa", "registry_document", "watchlist_of", "watchlist_pool"]

CATEGORIES: tuple[str, ...] = get_args(WatchlistCategory)
IMAGE_SOURCES: tuple[str, ...] = ("custody_record", "provided_by_family", "case_evidence")


def deployment_pool(seed: int, epoch: datetime, jurisdictions: Iterable[str]) -> list[Deployment]:
    """A complete deployment record for each jurisdiction, deterministic in (seed, epoch)."""
    rng = Random(f"custodes-sim/{seed}/deployments")
    pool = []
    for code in jurisdictions:
        slug = code.lower()
        pool.append(Deployment(
            id=f"dep-{slug}-{seed}",
            fria_id=f"fria-{slug}-{seed}",
            dpia_id=f"dpia-{slug}-{seed}",
            eu_db_registration_id=f"EU-DB-{rng.randint(1000, 9999)}",
            policy_document_id=f"apd-{slug}-{seed}",
            pia_id=f"pia-{slug}-{seed}",
            authorising_officer=f"officer-{rng.randint(100, 999)}",
            location_rationale=f"{code}: intelligence on wanted and missing persons at these sites",
            accountability_report_id=f"ar-{slug}-{seed}",
            accountability_report_date=(epoch - timedelta(days=rng.randint(30, 300))).date(),
        ))
    return pool


def watchlist_of(authorisation: Authorisation) -> str:
    """The id of the watchlist searched under ``authorisation``."""
    return f"wl-{authorisation.id}"


def watchlist_pool(seed: int, authorisations: Iterable[Authorisation]) -> list[Watchlist]:
    """One watchlist per authorisation, listing exactly its targets."""
    rng = Random(f"custodes-sim/{seed}/watchlists")
    return [
        Watchlist(id=watchlist_of(a), entries=[
            WatchlistEntry(subject_ref=target, category=rng.choice(CATEGORIES),
                           legal_basis=f"{a.authority}: {a.id}", image_source=rng.choice(IMAGE_SOURCES),
                           approved_by=f"insp-{rng.randint(1, 99)}")
            for target in a.targets])
        for a in authorisations
    ]


def registry_document(authorisations: Iterable[Authorisation], deployments: Iterable[Deployment] = (),
                      watchlists: Iterable[Watchlist] = ()) -> dict:
    """The registry as OPA reads it: ``{"authorisations": {id: record}, "deployments": …, "watchlists": …}``."""
    return {"authorisations": {a.id: a.to_opa() for a in authorisations},
            "deployments": {d.id: d.to_opa() for d in deployments},
            "watchlists": {w.id: w.to_opa() for w in watchlists}}


def push_to_opa(opa_url: str, authorisations: Iterable[Authorisation], timeout_s: float = 5.0,
                deployments: Iterable[Deployment] = (), watchlists: Iterable[Watchlist] = ()) -> None:
    """PUT each record at ``data.custodes.registry.<section>[id]`` (others stay).

    For an OPA that no gate feeds: a running gate mirrors the registry topics into OPA and
    replaces the whole registry document on its next change. A deployment reaches a decision
    only through the gate (it puts the record into the request). Raises ``httpx.HTTPError``.
    """
    document = registry_document(authorisations, deployments, watchlists)
    with httpx.Client(base_url=opa_url, timeout=timeout_s) as client:
        for section, records in document.items():
            for record_id, record in records.items():
                client.put(f"/v1/data/custodes/registry/{section}/{record_id}", json=record).raise_for_status()
