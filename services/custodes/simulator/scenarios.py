"""The traffic mix: who asks for what, where, and what REQUIREMENTS.md says should happen.

Contract: each scenario of the mix is drawn with probability ``weight / sum(weights)``; its
``expected`` outcome is the simulator's reading of REQUIREMENTS.md (section 2), not a copy
of the policy packs, so a run compares the two (``allow:match``, ``allow:no_match``,
``allow`` for a 1:N search, or ``deny:<why>``). Every value is from the vocabulary of
REQUIREMENTS.md section 1. :data:`SCENARIOS` are SIM registrations (1:1);
:data:`CAMERA_SCENARIOS` are camera faces (1:N), each tied to an authorisation of a given
state (``custodes.simulator.authorisations``) or to none, and to its jurisdiction's
deployment record (``custodes.simulator.registry``) unless the scenario is about its absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["CAMERA_SCENARIOS", "JURISDICTIONS", "PLACES", "SCENARIOS", "CameraScenario", "Jurisdiction", "Scenario"]


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    operators: tuple[str, ...]
    legal_mandate: str
    mandate_from: datetime | None = None


JURISDICTIONS: dict[str, Jurisdiction] = {j.code: j for j in (
    Jurisdiction("KE", ("safaricom", "airtel-ke", "telkom-ke"), "KE-SIM-REGISTRATION-REGULATIONS",
                 datetime(2015, 1, 1, tzinfo=UTC)),
    Jurisdiction("NG", ("mtn-ng", "glo", "airtel-ng", "9mobile"), "NG-NCC-SIM-REGISTRATION-REGULATIONS",
                 datetime(2020, 12, 15, tzinfo=UTC)),
    Jurisdiction("CN", ("china-mobile", "china-unicom", "china-telecom"), "CN-MIIT-REAL-NAME-REGISTRATION",
                 datetime(2019, 12, 1, tzinfo=UTC)),
    Jurisdiction("DE", ("telekom-de", "vodafone-de", "o2-de"), "DE-TKG-172-PREPAID-IDENTIFICATION"),
    Jurisdiction("FR", ("orange-fr", "sfr", "bouygues", "free-mobile"), "FR-PREPAID-IDENTIFICATION"),
    Jurisdiction("BR", ("vivo", "claro-br", "tim-br"), "BR-ANATEL-PREPAID-REGISTRATION"),
    Jurisdiction("ZA", ("vodacom", "mtn-za", "cell-c"), "ZA-RICA-SIM-REGISTRATION"),
)}


@dataclass(frozen=True)
class Place:
    """Where a jurisdiction's cameras are, and who operates them."""

    latitude: float
    longitude: float
    areas: tuple[str, ...]
    police: str


PLACES: dict[str, Place] = {
    "DE": Place(52.5251, 13.3694, ("berlin-hauptbahnhof", "alexanderplatz"), "polizei-berlin"),
    "FR": Place(48.8809, 2.3553, ("gare-du-nord", "chatelet-les-halles"), "prefecture-de-police"),
    "GB": Place(51.5308, -0.1238, ("kings-cross-concourse", "oxford-circus"), "metropolitan-police"),
    "US-WA": Place(47.6097, -122.3331, ("westlake-center", "pike-place"), "seattle-police"),
    "US-OR-portland": Place(45.5189, -122.6794, ("pioneer-square", "lloyd-center"), "portland-police-bureau"),
    "US-CA-san_francisco": Place(37.7840, -122.4075, ("powell-street", "union-square"), "sfpd"),
}


@dataclass(frozen=True)
class Scenario:
    """One kind of SIM registration in the mix; ``expected`` is what REQUIREMENTS.md says should happen."""

    name: str
    weight: float
    kind: str
    expected: str
    jurisdictions: tuple[str, ...]
    genuine: bool = True
    requester_types: tuple[str, ...] = ("telecom_operator",)
    site_type: str = "telecom_outlet"
    mandate: bool = True
    consent_rate: float = 0.3
    consent_kinds: tuple[str, ...] = ("explicit", "written", "separate")
    liveness_rate: float = 0.5
    occurred_before_mandate: bool = False


@dataclass(frozen=True)
class CameraScenario:
    """One kind of camera face event in the mix (1:N), with the authorisation state it carries."""

    name: str
    weight: float
    kind: str
    expected: str
    jurisdictions: tuple[str, ...]
    use_case: str = "live_identification"
    purpose: str = "serious_crime_suspect"
    requester_type: str = "law_enforcement"
    site_types: tuple[str, ...] = ("public_space", "transport")
    authorisation: str | None = "granted"
    annex_ii_offence: bool | None = True
    deployment: bool = True


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("sim_genuine_under_mandate", 24, "sim_registration", "allow:match", ("KE", "NG", "DE", "FR")),
    Scenario("sim_impostor_under_mandate", 12, "sim_registration", "allow:no_match", ("KE", "NG", "DE", "FR"),
             genuine=False),
    Scenario("sim_genuine_with_liveness_cn", 6, "sim_registration", "allow:match", ("CN",), liveness_rate=1.0),
    Scenario("sim_impostor_with_liveness_cn", 3, "sim_registration", "allow:no_match", ("CN",), genuine=False,
             liveness_rate=1.0),
    Scenario("sim_without_liveness_cn", 3, "sim_registration", "deny:liveness_required", ("CN",), liveness_rate=0.0),
    Scenario("sim_explicit_consent_no_mandate", 8, "sim_registration", "allow:match", ("DE", "FR"),
             mandate=False, consent_rate=1.0, consent_kinds=("explicit",)),
    Scenario("sim_no_mandate_no_consent", 10, "sim_registration", "deny:no_legal_basis", ("KE", "NG", "DE", "FR"),
             mandate=False, consent_rate=0.0),
    Scenario("sim_requester_not_operator", 6, "sim_registration", "deny:requester_not_telecom_operator",
             ("KE", "NG", "DE"), requester_types=("private", "employer")),
    Scenario("sim_unknown_jurisdiction", 5, "sim_registration", "deny:unknown_jurisdiction", ("BR", "ZA")),
    Scenario("sim_prohibited_site", 3, "sim_registration", "deny:prohibited_site", ("CN",), site_type="hotel_room",
             liveness_rate=1.0),
    Scenario("sim_before_mandate", 3, "sim_registration", "deny:mandate_not_in_force", ("NG",),
             occurred_before_mandate=True),
)

_LIVE = ("GB", "US-WA")  # live identification enabled by law (GB-01, US-WA-03)
_EU = ("DE", "FR")  # no national law enables live identification (EU-08); post-identification under EU-16/EU-19

CAMERA_SCENARIOS: tuple[CameraScenario, ...] = (
    CameraScenario("cam_live_authorised_suspect", 8, "camera_face", "allow", _LIVE),
    CameraScenario("cam_live_authorised_missing_person", 4, "camera_face", "allow", _LIVE,
                   purpose="victim_or_missing_person_search", annex_ii_offence=None),
    CameraScenario("cam_post_authorised_suspect", 4, "camera_face", "allow", _EU, use_case="post_identification"),
    CameraScenario("cam_post_urgent_pending", 3, "camera_face", "allow", _EU, use_case="post_identification",
                   authorisation="pending_urgent"),
    CameraScenario("cam_live_without_deployment", 3, "camera_face", "deny:missing_deployment_record", _LIVE,
                   deployment=False),
    CameraScenario("cam_live_no_enabling_law", 3, "camera_face", "deny:no_enabling_law", _EU),
    CameraScenario("cam_live_expired_authorisation", 3, "camera_face", "deny:authorisation_expired", _EU,
                   authorisation="expired"),
    CameraScenario("cam_live_refused_authorisation", 3, "camera_face", "deny:authorisation_refused",
                   (*_EU, "US-WA"), authorisation="refused"),
    CameraScenario("cam_live_offence_not_annex_ii", 3, "camera_face", "deny:offence_not_annex_ii", _EU,
                   annex_ii_offence=False),
    CameraScenario("cam_private_retail_portland", 3, "camera_face", "deny:private_use_banned", ("US-OR-portland",),
                   requester_type="private", site_types=("retail",), authorisation=None, purpose="public_security",
                   annex_ii_offence=None),
    CameraScenario("cam_city_police_san_francisco", 2, "camera_face", "deny:city_ban", ("US-CA-san_francisco",),
                   use_case="post_identification", authorisation=None),
    CameraScenario("cam_emotion_at_work", 2, "camera_face", "deny:emotion_recognition_at_work", _EU,
                   use_case="emotion_recognition", purpose="employee_attendance", requester_type="employer",
                   site_types=("workplace",), authorisation=None, annex_ii_offence=None),
    CameraScenario("cam_biometric_categorisation", 2, "camera_face", "deny:biometric_categorisation", _EU,
                   use_case="biometric_categorisation", purpose="marketing", requester_type="private",
                   site_types=("retail",), authorisation=None, annex_ii_offence=None),
)
