"""The fast paths of image checking agree with the slow ones they replace: the JPEG header
reader with Pillow (whatever it accepts, Pillow opens as the same JPEG of the same size with
scan data after the header; anything else falls back to Pillow), and pybase64 with the
standard library's strict base64 decoding (the same, except that pybase64 also refuses
non-canonical text such as stray padding, which RFC 4648 base64 never has)."""

from __future__ import annotations

import base64
import binascii
import io
import random
from pathlib import Path

import pybase64
import pytest
from PIL import Image

from custodes.events.images import _header, _inspect, _plain_jpeg_size


def _jpeg(source: Path, *, mode: str = "RGB", side: int = 96, **save: object) -> bytes:
    image = Image.open(source).convert(mode)
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def plain(images: Path) -> dict[str, bytes]:
    """JPEGs the fast reader must read itself (else the property below would hold vacuously)."""
    source = images / "obama.jpg"
    return {
        "baseline": _jpeg(source, quality=85),
        "progressive": _jpeg(source, progressive=True),
        "grey": _jpeg(source, mode="L"),
        "cmyk": _jpeg(source, mode="CMYK"),
        "16-bit tables": _jpeg(source, qtables=[[300] * 64]),
        "restart interval": _jpeg(source, restart_marker_blocks=2),
        "comment": _jpeg(source, comment=b"custodes"),
    }


@pytest.fixture(scope="module")
def rich(images: Path) -> dict[str, bytes]:
    """JPEGs whose headers carry blocks Pillow parses (EXIF, ICC): read by Pillow."""
    source = images / "obama.jpg"
    exif = Image.Exif()
    exif[0x010F] = "custodes"
    icc = b"\0" * 128
    return {"exif": _jpeg(source, exif=exif.tobytes()), "icc": _jpeg(source, icc_profile=icc)}


def _pillow(data: bytes) -> tuple[int, int] | None:
    try:
        found, width, height = _header(data, ["JPEG"])
    except Exception:  # noqa: BLE001 - any refusal
        return None
    return (width, height) if found == "JPEG" else None


def test_plain_headers_are_read_without_pillow_and_as_pillow_reads_them(plain: dict[str, bytes]) -> None:
    for name, data in plain.items():
        size = _plain_jpeg_size(data)
        assert size is not None, name
        assert size == _pillow(data), name


def test_headers_with_parsed_blocks_are_left_to_pillow(rich: dict[str, bytes]) -> None:
    for name, data in rich.items():
        assert _plain_jpeg_size(data) is None, name
        assert _pillow(data) is not None, name
        _inspect(data, "image/jpeg")


def _mutations(data: bytes, rng: random.Random) -> bytes:
    header = max(data.find(b"\xff\xda") + 16, 16)  # most mutations where the header is
    at = rng.randrange(0, header if rng.random() < 0.9 else len(data))
    kind = rng.randrange(6)
    if kind == 0:
        return data[:at]
    if kind == 1:
        return data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
    if kind == 2:
        return data[:at] + bytes([rng.randrange(256)]) + data[at:]
    if kind == 3:
        return data[:at] + data[at + rng.randrange(1, 8):]
    if kind == 4:
        return data[:at] + b"\xff" * rng.randrange(1, 4) + data[at:]
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:] if at < len(data) else data


def test_whatever_the_fast_reader_accepts_pillow_opens_alike(plain: dict[str, bytes], rich: dict[str, bytes]) -> None:
    rng = random.Random(20261127)
    accepted = refused = 0
    for data in [*plain.values(), *rich.values()]:
        for _ in range(600):
            mutated = _mutations(data, rng)
            size = _plain_jpeg_size(mutated)
            if size is None:
                refused += 1
                continue
            accepted += 1
            assert _pillow(mutated) == size, mutated[:64]
    assert accepted > 500 and refused > 500  # both sides of the property were exercised


def _strict(decode, text: str) -> bytes | None:
    try:
        return decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


@pytest.mark.parametrize("text", ["", "Zg==", "Zm8=", "Zm9v", "abc", "ab=c", "a b c d", "abcd\n", "abc=", "ab==",
                                  "a===", "====", "ab\x00=", "Zg==Zg==", "é", "Zm9v\r\n", "-_8=", "+/8=", "Zm9v" * 1000])
def test_pybase64_decodes_strictly_as_the_standard_library_does(text: str) -> None:
    assert _strict(pybase64.b64decode, text) == _strict(base64.b64decode, text)


def test_pybase64_reads_what_the_standard_library_reads_or_refuses_non_canonical_text() -> None:
    rng = random.Random(4648)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n."
    for _ in range(3000):
        text = base64.b64encode(rng.randbytes(rng.randrange(0, 40))).decode()
        if text and rng.random() < 0.7:
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(alphabet) + text[at + rng.randrange(0, 2):]
        fast, slow = _strict(pybase64.b64decode, text), _strict(base64.b64decode, text)
        if fast is not None:
            assert fast == slow, text
        elif slow is not None:  # only stricter: what the standard library alone reads is not canonical base64
            assert base64.b64encode(slow).decode() != text, text
