"""The simulated stream: a seeded, reproducible sequence of Kafka messages.

Contract:
- message ``i`` depends only on the :class:`Options`, ``i``, the settings' topics and the
  test images, never on the wall clock: the same options give byte-identical messages
  (key, value, headers). The seed alone fixes what each event is (id, scenario, photos,
  bad input); its time is ``epoch + i / rate``, so the stream simulates traffic at that rate;
- events are built with the ``custodes.events`` models, so every message not marked
  ``bad_input`` satisfies the event contract; a ``bad_input`` message breaks it on purpose
  (:mod:`custodes.simulator.badinput`) and is expected to be dead-lettered
  (``reject:<reason code>``);
- camera face events (1:N) join the mix unless ``Options.cameras`` is false, on the
  settings' camera topic (or ``Options.camera_topic``); each refers to an authorisation of
  :meth:`Simulation.authorisations` in the state its scenario names (granted, expired,
  pending with an urgent start, refused) or to none, searches the watchlist of that
  authorisation (``custodes.simulator.registry``), and names its jurisdiction's deployment
  record unless its scenario is about a missing one; the case's offence is the one the
  authorisation covers (Annex II scenarios) or one outside Annex II;
- :meth:`Simulation.registry_messages` are the deployments, watchlists and authorisations,
  in that order, for the compacted registry topics (key = record id); a stream sends them
  first (:func:`custodes.simulator.produce.simulate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count as naturals
from pathlib import Path
from random import Random
from typing import get_args

from custodes.events import (
    CameraFaceEvent,
    Consent,
    FaceImage,
    IdDocument,
    LivenessEvidence,
    Outlet,
    SimRegistrationEvent,
)
from custodes.events.sim_factory import sim_event
from custodes.events.vocabulary import DocumentType, LivenessMethod
from custodes.policy.registry import Authorisation, Deployment, Watchlist
from custodes.settings import Settings
from custodes.simulator.authorisations import ANNEX_II_OFFENCES, AUTHORITY_OF, authorisation_pool
from custodes.simulator.badinput import BAD_INPUTS, EXPECTED_REJECTION, corrupt
from custodes.simulator.faces import FaceSet
from custodes.simulator.registry import deployment_pool, watchlist_of, watchlist_pool
from custodes.simulator.scenarios import CAMERA_SCENARIOS, JURISDICTIONS, PLACES, SCENARIOS, CameraScenario, Scenario

__all__ = ["DEFAULT_EPOCH", "REGISTRY_KINDS", "Message", "Options", "Simulation", "event_message"]

DEFAULT_EPOCH = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
DOCUMENT_TYPES: tuple[DocumentType, ...] = get_args(DocumentType)
LIVENESS_METHODS: tuple[LivenessMethod, ...] = get_args(LivenessMethod)
ORGANISATIONS = {"private": ("quickloans-ltd", "corner-electronics", "mall-security-co"),
                 "employer": ("acme-logistics", "metro-staffing")}
OTHER_OFFENCES = ("fraud", "shoplifting", "tax_evasion")

Event = SimRegistrationEvent | CameraFaceEvent
REGISTRY_KINDS = frozenset({"deployment", "watchlist", "authorisation"})


@dataclass(frozen=True)
class Options:
    """What decides the stream (besides settings and images)."""

    seed: int = 0
    rate: float = 20.0
    epoch: datetime = DEFAULT_EPOCH
    bad_rate: float = 0.05
    bad_kinds: tuple[str, ...] = BAD_INPUTS
    scenarios: tuple[Scenario, ...] = SCENARIOS
    camera_scenarios: tuple[CameraScenario, ...] = CAMERA_SCENARIOS
    cameras: bool = True
    camera_topic: str | None = None
    max_side: int | None = 640

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError("rate must be > 0 events per second")
        if not 0 <= self.bad_rate <= 1:
            raise ValueError("bad_rate must be between 0 and 1")
        if self.epoch.tzinfo is None:
            raise ValueError("epoch must be timezone-aware")
        unknown = set(self.bad_kinds) - set(BAD_INPUTS)
        if unknown or not self.bad_kinds:
            raise ValueError(f"bad_kinds must be a non-empty subset of {', '.join(BAD_INPUTS)}")

    def mix(self) -> tuple[Scenario | CameraScenario, ...]:
        return self.scenarios + (self.camera_scenarios if self.cameras else ())


@dataclass(frozen=True)
class Message:
    """One Kafka message and what the simulator meant by it."""

    index: int
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    kind: str
    scenario: str
    jurisdiction: str
    requester_type: str
    site_type: str
    consent: bool
    expected: str
    bad_input: str | None = None
    authorisation: str | None = None

    @property
    def event_id(self) -> str:
        return self.key.decode()

    @property
    def is_registry(self) -> bool:
        """A registry record sent before the events, not an event."""
        return self.kind in REGISTRY_KINDS


class Simulation:
    """The stream for ``options`` under ``settings`` (topics and test images)."""

    def __init__(self, settings: Settings, options: Options) -> None:
        self.options = options
        self.topics = settings.kafka.topics
        self.faces = FaceSet(settings.images_dir / "face_recognition", options.max_side,
                             settings.state_dir / "simulator")
        self._authorisations = authorisation_pool(options.seed, options.epoch)
        self._deployments = deployment_pool(options.seed, options.epoch, PLACES)
        self._watchlists = watchlist_pool(options.seed, self.authorisations())
        self._camera_topic = options.camera_topic or self.topics.camera_faces
        self._mix = list(options.mix())
        self._weights = [s.weight for s in self._mix]

    def authorisations(self) -> list[Authorisation]:
        """Every authorisation of the run, state by state (:data:`AUTHORISATION_STATES` order)."""
        return [a for pool in self._authorisations.values() for a in pool]

    def deployments(self) -> list[Deployment]:
        """One complete deployment record per camera jurisdiction."""
        return list(self._deployments)

    def watchlists(self) -> list[Watchlist]:
        """One watchlist per authorisation, listing its targets."""
        return list(self._watchlists)

    def registry_messages(self) -> list[Message]:
        """The deployments, watchlists and authorisations as registry records (JSON value, key = id)."""
        records: list[tuple[str, str, Deployment | Watchlist | Authorisation, str]] = [
            *((self.topics.registry_deployments, "deployment", d, "deployment") for d in self._deployments),
            *((self.topics.registry_watchlists, "watchlist", w, "watchlist") for w in self._watchlists),
            *((self.topics.registry_authorisations, "authorisation", a, f"authorisation_{a.state}")
              for a in self.authorisations()),
        ]
        return [
            Message(index=-1, topic=topic, key=record.id.encode(), value=record.model_dump_json().encode(),
                    headers=_headers(kind), kind=kind, scenario=scenario, jurisdiction="", requester_type="",
                    site_type="", consent=False, expected="registry")
            for topic, kind, record, scenario in records
        ]

    def events(self, limit: int | None = None) -> Iterator[Message]:
        """Messages 0, 1, … (``limit`` of them, or without end)."""
        indices = naturals() if limit is None else range(limit)
        return (self.event(i) for i in indices)

    def event(self, index: int) -> Message:
        """Message ``index`` of the stream."""
        rng = Random(f"custodes-sim/{self.options.seed}/{index}")
        scenario = rng.choices(self._mix, self._weights)[0]
        occurred = self.options.epoch + timedelta(seconds=index / self.options.rate)
        event: Event
        if isinstance(scenario, CameraScenario):
            event, topic = self._camera_face(index, occurred, scenario, rng), self._camera_topic
            authorisation = scenario.authorisation
        else:
            event, topic = self._sim_registration(index, occurred, scenario, rng), self.topics.sim_registrations
            authorisation = None
        bad = rng.choice(self.options.bad_kinds) if rng.random() < self.options.bad_rate else None
        if bad is None:
            return event_message(event, topic, index=index, scenario=scenario.name, expected=scenario.expected,
                                 authorisation=authorisation)
        return event_message(event, topic, index=index, scenario=scenario.name,
                             expected=f"reject:{EXPECTED_REJECTION[bad]}", bad_input=bad,
                             value=corrupt(bad, event, rng), authorisation=authorisation)

    def _sim_registration(self, index: int, occurred: datetime, scenario: Scenario,
                          rng: Random) -> SimRegistrationEvent:
        seed = self.options.seed
        jurisdiction = JURISDICTIONS[rng.choice(scenario.jurisdictions)]
        selfie, portrait = rng.choice(self.faces.genuine_pairs if scenario.genuine else self.faces.impostor_pairs)
        requester_type = rng.choice(scenario.requester_types)
        orgs = jurisdiction.operators if requester_type == "telecom_operator" else ORGANISATIONS[requester_type]
        if scenario.occurred_before_mandate and jurisdiction.mandate_from is not None:
            occurred = jurisdiction.mandate_from - timedelta(days=rng.randint(30, 400), seconds=rng.randint(0, 86_399))
        event_id = f"sim-{seed}-{index:06d}"
        event = sim_event(
            event_id, selfie, portrait, jurisdiction=jurisdiction.code, operator_org=rng.choice(orgs),
            operator_type=requester_type, legal_mandate=jurisdiction.legal_mandate if scenario.mandate else None,
            occurred_at=occurred, outlet_id=f"outlet-{jurisdiction.code.lower()}-{rng.randint(1, 250):03d}",
            subscriber_ref=_pseudonym("sub", seed, index),
        )
        consent = rng.random() < scenario.consent_rate
        return event.model_copy(update={
            "outlet": Outlet(id=event.outlet.id, site_type=scenario.site_type),
            "consent": Consent(kind=rng.choice(scenario.consent_kinds), id=f"consent-{event_id}",
                               recorded_at=occurred - timedelta(seconds=rng.randint(30, 900)),
                               notice_ref=f"notice-{jurisdiction.code.lower()}-sim-v{rng.randint(1, 4)}")
            if consent else Consent(),
            "subject_age": rng.randint(16, 85),
            "id_document": IdDocument(document_type=rng.choice(DOCUMENT_TYPES), portrait=event.id_document.portrait),
            "liveness": LivenessEvidence(method=rng.choice(LIVENESS_METHODS), result="bona_fide",
                                         score=round(rng.uniform(0.85, 1.0), 3), detector="vendor-pad-2.3",
                                         checked_at=occurred)
            if rng.random() < scenario.liveness_rate else None,
        })

    def _camera_face(self, index: int, occurred: datetime, scenario: CameraScenario, rng: Random) -> CameraFaceEvent:
        seed = self.options.seed
        code = rng.choice(scenario.jurisdictions)
        place = PLACES[code]
        authorisation, camera_id = camera_authorisation(rng, scenario, code, self._authorisations)
        photo = rng.choice(self.faces.genuine_pairs + self.faces.impostor_pairs)[0]
        offence = case_offence(rng, scenario, authorisation)
        org = place.police if scenario.requester_type == "law_enforcement" else rng.choice(
            ORGANISATIONS[scenario.requester_type])
        identification = scenario.use_case.endswith("identification")
        return CameraFaceEvent.model_validate({
            "event_id": f"cam-{seed}-{index:06d}",
            "occurred_at": occurred,
            "jurisdiction": code,
            "camera": {"id": camera_id, "site_type": rng.choice(scenario.site_types), "signage": rng.random() < 0.8,
                       "location": {"latitude": round(place.latitude + rng.uniform(-0.01, 0.01), 5),
                                    "longitude": round(place.longitude + rng.uniform(-0.01, 0.01), 5),
                                    "area": rng.choice(place.areas)}},
            "requester": {"org": org, "type": scenario.requester_type},
            "use_case": scenario.use_case,
            "purpose": scenario.purpose,
            "image_kind": "frame",
            "image": _face_image(photo),
            "case": {"ref": f"case-{code.lower()}-{seed}-{rng.randint(1, 9999):04d}", "offence": offence}
            if offence else None,
            "authorisation_ref": authorisation.id if authorisation else None,
            "deployment_id": f"dep-{code.lower()}-{seed}" if scenario.deployment else None,
            "watchlist_id": None if not identification else (
                watchlist_of(authorisation) if authorisation else f"wl-{code.lower()}-{seed}"),
        })


def camera_authorisation(rng: Random, scenario: CameraScenario, code: str,
                         pool: dict[str, list[Authorisation]]) -> tuple[Authorisation | None, str]:
    """The authorisation a camera scenario's search runs under in jurisdiction ``code`` (one of
    ``pool``'s in the scenario's state, from the jurisdiction's authority, naming an offence
    where the scenario asks about one), None where it needs none; and the camera: one the
    authorisation names, else one of the place's."""
    authorisation = None
    if scenario.authorisation is not None:
        authority = AUTHORITY_OF[code].name
        covers_offence = scenario.annex_ii_offence is not None
        authorisation = rng.choice([a for a in pool[scenario.authorisation]
                                    if a.authority == authority and (a.offence is not None) == covers_offence])
    camera_id = (rng.choice(authorisation.camera_ids) if authorisation
                 else f"cam-{code.lower()}-{rng.randint(1, 40):03d}")
    return authorisation, camera_id


def case_offence(rng: Random, scenario: CameraScenario, authorisation: Authorisation | None) -> dict | None:
    """The offence of a camera scenario's case: none where the scenario does not ask about
    one; the authorisation's where it asks for an Annex II offence and the authorisation names
    one; else one drawn (Annex II or not, as the scenario asks) with a maximum sentence."""
    if scenario.annex_ii_offence is None:
        return None
    if scenario.annex_ii_offence and authorisation is not None and authorisation.offence is not None:
        return {"category": authorisation.offence.category,
                "max_sentence_years": int(authorisation.offence.max_sentence_years or 0)}
    category = rng.choice(ANNEX_II_OFFENCES if scenario.annex_ii_offence else OTHER_OFFENCES)
    return {"category": category, "max_sentence_years": rng.choice([5, 8, 10, 15])}


def event_message(event: Event, topic: str, *, index: int, scenario: str, expected: str,
                  bad_input: str | None = None, value: bytes | None = None,
                  authorisation: str | None = None) -> Message:
    """The message carrying ``event`` (its JSON, or ``value`` when broken on purpose), described for summaries."""
    if isinstance(event, SimRegistrationEvent):
        requester, site, consent = event.operator.type, event.outlet.site_type, event.consent.kind is not None
    else:
        requester, site, consent = event.requester.type, event.camera.site_type, False
    return Message(index=index, topic=topic, key=event.event_id.encode(),
                   value=event.model_dump_json().encode() if value is None else value,
                   headers=_headers(scenario if bad_input is None else f"{scenario}+{bad_input}"),
                   kind=event.event_type, scenario=scenario, jurisdiction=event.jurisdiction,
                   requester_type=requester, site_type=site, consent=consent, expected=expected,
                   bad_input=bad_input, authorisation=authorisation)


def _face_image(path: Path) -> FaceImage:
    return FaceImage(media_type="image/jpeg", data=path.read_bytes())


def _pseudonym(prefix: str, seed: int, index: int) -> str:
    return f"{prefix}-" + hashlib.sha256(f"{seed}/{index}".encode()).hexdigest()[:24]


def _headers(label: str) -> tuple[tuple[str, bytes], ...]:
    return (("content-type", b"application/json"), ("x-custodes-simulated", label.encode()))
