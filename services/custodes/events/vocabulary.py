"""The closed vocabulary of the wire contracts (REQUIREMENTS.md section 1).

Contract: a value outside these sets is a contract violation (the message is
dead-lettered), not a policy question. Offence categories are the exception: they are an
open slug because other jurisdictions reuse the Annex II slugs "where they fit" and name
offences of their own; ``ANNEX_II_OFFENCES`` is the Annex II list the policies test against.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

__all__ = [
    "ANNEX_II_OFFENCES",
    "JURISDICTION_PATTERN",
    "PROHIBITED_KEY_PATTERN",
    "PROHIBITED_LABELS",
    "SLUG_PATTERN",
    "AnnexIIOffence",
    "ConsentKind",
    "DocumentType",
    "ImageSource",
    "LivenessMethod",
    "LivenessResult",
    "Purpose",
    "RequesterType",
    "ReviewVerdictValue",
    "SiteType",
    "UseCase",
    "WatchlistCategory",
    "find_prohibited_field",
]

UseCase = Literal[
    "sim_registration_verification",
    "identity_verification",
    "live_identification",
    "post_identification",
    "workplace_monitoring",
    "emotion_recognition",
    "biometric_categorisation",
    "watchlist_enrolment",
]

SiteType = Literal[
    "public_space", "transport", "retail", "workplace", "education", "telecom_outlet", "border",
    "private_premises", "hotel_room", "bath", "changing_room", "toilet",
]

RequesterType = Literal[
    "law_enforcement", "public_authority", "city_bureau", "telecom_operator", "private", "employer"
]

Purpose = Literal[
    "victim_or_missing_person_search",
    "imminent_threat_prevention",
    "serious_crime_suspect",
    "deceased_identification",
    "sim_registration",
    "identity_verification",
    "access_control",
    "public_security",
    "employee_attendance",
    "marketing",
    "medical",
    "safety",
]

AnnexIIOffence = Literal[
    "terrorism",
    "human_trafficking",
    "child_sexual_exploitation",
    "drug_trafficking",
    "weapons_trafficking",
    "murder_or_grievous_bodily_injury",
    "organ_trafficking",
    "nuclear_materials_trafficking",
    "kidnapping_or_hostage_taking",
    "icc_crimes",
    "aircraft_or_ship_seizure",
    "rape",
    "environmental_crime",
    "organised_or_armed_robbery",
    "sabotage",
    "criminal_organisation",
]
ANNEX_II_OFFENCES: frozenset[str] = frozenset(get_args(AnnexIIOffence))

ConsentKind = Literal["explicit", "written", "separate"]
DocumentType = Literal["national_id", "passport", "driving_licence", "residence_permit"]

LivenessMethod = Literal["passive", "active", "hybrid"]
LivenessResult = Literal["bona_fide", "attack_detected", "inconclusive"]

WatchlistCategory = Literal[
    "wanted_by_courts",
    "crime_suspect",
    "court_order_subject",
    "missing_person",
    "at_risk_person",
    "intelligence_subject",
]
"""GB-01: watchlist composition comes from a closed list (College of Policing APP categories, check)."""

ImageSource = Literal[
    "custody_record",
    "identity_document_register",
    "provided_by_subject",
    "provided_by_family",
    "case_evidence",
    "public_web",
    "web_scrape",
    "bulk_cctv",
]
"""Where an enrolled image came from; ``web_scrape``/``bulk_cctv`` are prohibited sources (EU-10)."""

ReviewVerdictValue = Literal["confirmed", "rejected", "inconclusive"]

JURISDICTION_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3}(-[a-z][a-z0-9_]*)?)?$"
SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"

PROHIBITED_LABELS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("race",), ("races",), ("racial",), ("ethnicity",), ("ethnicities",), ("ethnic",),
        ("emotion",), ("emotions",), ("emotional",), ("mood",), ("sentiment",), ("facial", "expression"),
        ("religion",), ("religions",), ("religious",), ("philosophical", "beliefs"),
        ("political",), ("politics",), ("trade", "union"), ("union", "membership"),
        ("sexual", "orientation"), ("sexuality",), ("sex", "life"),
    }
)
"""Labels no message may carry under any key, at any depth, in any version (EU-11, EU-12:
AI Act Art 5(1)(f)-(g)); a key matches when its words contain one of these word sequences."""

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SEPARATOR = re.compile(r"[^A-Za-z0-9]+")
_LONGEST_LABEL = max(len(label) for label in PROHIBITED_LABELS)


def _key_words(key: str) -> list[str]:
    """The ASCII words of a key: split at anything not a letter or digit and at lower→upper
    (``skinColour`` → skin, colour), then lower-cased."""
    return [w.lower() for w in _WORD_SEPARATOR.split(_CAMEL_BOUNDARY.sub("_", key)) if w]


def _is_prohibited(key: str) -> bool:
    words = _key_words(key)
    return any(
        tuple(words[start:start + width]) in PROHIBITED_LABELS
        for width in range(1, _LONGEST_LABEL + 1)
        for start in range(len(words) - width + 1)
    )


def _word_pattern(word: str) -> str:
    # One word of _key_words: an upper-case run then a lower-case run (a lower→upper step splits words).
    return "(?:" + "|".join(word[:k].upper() + word[k:] for k in range(len(word) + 1)) + ")"


_START = r"(?:^|(?<=[^A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))"
_END = r"(?:$|(?=[^A-Za-z0-9])|(?<=[a-z0-9])(?=[A-Z]))"
_BETWEEN = r"(?:[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z]))"

PROHIBITED_KEY_PATTERN = _START + "(?:" + "|".join(
    _BETWEEN.join(_word_pattern(word) for word in label) for label in sorted(PROHIBITED_LABELS)
) + ")" + _END
"""A JSON Schema ``pattern`` (unanchored search) matching exactly the keys ``find_prohibited_field``
refuses; the schema documents carry it as ``propertyNames: {not: {pattern: …}}``."""


_VERDICTS: dict[str, bool] = {}  # key → prohibited?, for the keys messages repeat (bounded: keys are untrusted)
_CONTAINERS = (dict, list)


def find_prohibited_field(payload: Any) -> tuple[str | int, ...] | None:
    """The location of the first key in ``payload`` (decoded JSON) that names a prohibited
    label, depth first; None when there is none (the path is built only for a hit)."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            verdict = _VERDICTS.get(key)
            if verdict is None:
                verdict = _is_prohibited(str(key))
                if len(_VERDICTS) < 4096:
                    _VERDICTS[key] = verdict
            if verdict:
                return (key,)
            if isinstance(value, _CONTAINERS) and (below := find_prohibited_field(value)) is not None:
                return (key, *below)
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            if isinstance(item, _CONTAINERS) and (below := find_prohibited_field(item)) is not None:
                return (index, *below)
    return None
