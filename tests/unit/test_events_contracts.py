"""The contract package: public names, vocabulary, prohibited labels, images and times."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import get_args

import pytest
from pydantic import ValidationError

import custodes.events as events
from custodes.events import CAMERA_FACE, SIM_REGISTRATION, FaceImage, ImageReference, RejectReason, Rejection
from custodes.events.examples import example_payload, tiny_image
from custodes.events.ingest import read
from custodes.events.vocabulary import (
    ANNEX_II_OFFENCES,
    Purpose,
    RequesterType,
    SiteType,
    UseCase,
    find_prohibited_field,
)


def test_public_names_are_sorted_and_importable() -> None:
    assert events.__all__ == sorted(events.__all__, key=lambda n: (not n.isupper(), n))
    for name in events.__all__:
        assert getattr(events, name) is not None
    for name in ("SimRegistrationEvent", "FaceImage", "PolicyDecision", "PolicyReason", "RecognitionRequest",
                 "Consent", "IdDocument", "Outlet", "Requester"):
        assert name in events.__all__


def test_vocabulary_sizes_match_requirements_section_1() -> None:
    assert (len(get_args(UseCase)), len(get_args(SiteType)), len(get_args(RequesterType)),
            len(get_args(Purpose)), len(ANNEX_II_OFFENCES)) == (8, 12, 6, 12, 16)


@pytest.mark.parametrize("key", ["race", "Race", "predicted_race", "raceLabel", "ethnicity", "ethnic-group",
                                 "emotion", "detectedEmotions", "mood", "religion", "religious_belief",
                                 "political_opinion", "trade_union", "unionMembership", "sexual_orientation",
                                 "SexualOrientation", "sex_life", "facial_expression"])
def test_prohibited_labels_are_found_at_any_depth(key: str) -> None:
    payload = {"a": [{"b": 1}, {"c": {key: None}}]}
    assert find_prohibited_field(payload) == ("a", 1, "c", key)


@pytest.mark.parametrize("key", ["trace_id", "grace_period", "embrace", "orientation", "image_orientation",
                                 "sex", "age", "union", "expression", "motion"])
def test_innocent_keys_are_not_prohibited(key: str) -> None:
    assert find_prohibited_field({key: "emotion"}) is None


def test_prohibited_values_of_vocabulary_are_allowed() -> None:
    doc = example_payload("camera_face", "1.0") | {"use_case": "emotion_recognition"}
    assert read(CAMERA_FACE, json.dumps(doc).encode()).use_case == "emotion_recognition"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing ``width`` x ``height`` pixels, followed by a few bytes of data."""
    return _png_header(width, height) + _chunk(b"IDAT", zlib.compress(bytes(64))) + _chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("media_type", "data", "error"),
    [
        ("image/png", _png_claiming(7_000, 7_000), "image_too_large"),
        ("image/png", _png_claiming(20_000, 20_000), "image_too_large"),
        ("image/png", _png_header(64, 64), "image_undecodable"),
        ("image/jpeg", tiny_image("image/jpeg")[:120], "image_undecodable"),
        ("image/jpeg", b"", "image_undecodable"),
        ("image/jpeg", b"GIF89a" + bytes(64), "image_undecodable"),
        ("image/png", tiny_image("image/jpeg"), "image_undecodable"),
    ],
    ids=["too-many-pixels", "decompression-bomb", "header-only", "truncated-header", "empty", "not-an-image",
         "wrong-media-type"],
)
def test_image_is_checked_without_decoding_it(media_type: str, data: bytes, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FaceImage.model_validate({"media_type": media_type, "data": base64.b64encode(data).decode()})
    assert caught.value.errors()[0]["type"] == error


def test_image_is_raw_bytes_in_code_and_base64_on_the_wire() -> None:
    image = FaceImage(media_type="image/png", data=tiny_image("image/png"))
    assert json.loads(image.model_dump_json())["data"] == base64.b64encode(tiny_image("image/png")).decode()
    assert FaceImage.model_validate_json(image.model_dump_json()) == image
    assert image.model_dump()["data"] == tiny_image("image/png")
    assert len(image.sha256) == 64 and "data" not in repr(image)


def test_camera_image_by_value_or_by_reference() -> None:
    by_reference = read(CAMERA_FACE, json.dumps(example_payload("camera_face", "1.0")).encode())
    assert isinstance(by_reference.image, ImageReference)
    doc = example_payload("camera_face", "1.0")
    doc["image"] = {"media_type": "image/jpeg", "data": base64.b64encode(tiny_image()).decode()}
    assert isinstance(read(CAMERA_FACE, json.dumps(doc).encode()).image, FaceImage)
    doc["image"]["sha256"] = "0" * 64
    assert read(CAMERA_FACE, json.dumps(doc).encode()).code is RejectReason.UNKNOWN_FIELD


@pytest.mark.parametrize("when", ["2026-03-01", "2026-03-01T10:15Z", "2026-03-01 10:15:02Z", "1772360102",
                                  "2026-03-01T10:15:02", "٢٠٢٦-03-01T10:15:02Z", "2026-02-30T10:15:02Z"])
def test_times_are_rfc3339_with_an_offset(when: str) -> None:
    doc = example_payload("sim_registration", "1.1") | {"occurred_at": when}
    rejection = read(SIM_REGISTRATION, json.dumps(doc).encode())
    assert isinstance(rejection, Rejection) and rejection.code is RejectReason.SCHEMA_VIOLATION


def test_a_number_is_not_a_time() -> None:
    doc = example_payload("sim_registration", "1.1") | {"occurred_at": 1772360102}
    assert read(SIM_REGISTRATION, json.dumps(doc).encode()).code is RejectReason.WRONG_TYPE


@pytest.mark.parametrize("raw", [b"NaN", b'{"a": Infinity}', b"\xff\xfe", b"[" * 10_000, b'{"a": "\\ud800"}'])
def test_anything_is_a_rejection_never_an_exception(raw: bytes) -> None:
    rejection = read(SIM_REGISTRATION, raw)
    assert isinstance(rejection, Rejection) and rejection.code is not RejectReason.INTERNAL_ERROR
    json.dumps(rejection.detail).encode()


def test_rejection_detail_is_bounded_and_encodable() -> None:
    rejection = Rejection("schema_violation", "\ud800" + "x" * 5000, field="a\ud800")
    assert rejection.code is RejectReason.SCHEMA_VIOLATION and len(rejection.detail) == 1000
    rejection.detail.encode("utf-8")
    rejection.field.encode("utf-8")
    with pytest.raises(ValueError):
        Rejection("not_a_reason", "x")
