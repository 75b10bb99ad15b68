"""Images on the wire: by value (:class:`FaceImage`) or by reference (:class:`ImageReference`).

Contract of a by-value image, checked whenever one is validated, without face processing:
- ``data`` is standard base64 (RFC 4648, no line breaks) of at most ``MAX_IMAGE_BYTES``
  (``image_too_large``; the encoded length is checked before decoding);
- the bytes parse as the declared ``media_type`` and have at most ``MAX_IMAGE_PIXELS``
  (header and container integrity only, never a full decode): otherwise
  ``image_undecodable`` / ``image_too_large``.
Whether it shows a face only the detector knows (``no_face``, at the recognition service).
Images never reach the ledger or a log line: only their SHA-256 does.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import struct
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pybase64
from PIL import Image
from pydantic import Discriminator, Field, PlainSerializer, PlainValidator, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError, PydanticKnownError

from custodes.events.base import ContractModel, Sha256Hex

__all__ = [
    "MAX_IMAGE_BASE64_CHARS",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "AnyImage",
    "FaceImage",
    "ImageReference",
    "MediaType",
]

MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_IMAGE_BASE64_CHARS = 4 * -(-MAX_IMAGE_BYTES // 3)
MAX_IMAGE_PIXELS = 40_000_000

MediaType = Literal["image/jpeg", "image/png"]
_FORMAT_OF: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _too_large(detail: str) -> PydanticCustomError:
    return PydanticCustomError("image_too_large", "image too large: {detail}", {"detail": detail})


def _undecodable(detail: str) -> PydanticCustomError:
    return PydanticCustomError("image_undecodable", "image undecodable: {detail}", {"detail": detail})


def _image_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        if len(value) > MAX_IMAGE_BASE64_CHARS:
            raise _too_large(f"{len(value)} base64 characters > {MAX_IMAGE_BASE64_CHARS}")
        try:
            raw = pybase64.b64decode(value, validate=True)  # as base64.b64decode(validate=True), SIMD-fast
        except (binascii.Error, ValueError):
            raise _undecodable("data is not standard base64 without line breaks") from None
    else:
        raise PydanticKnownError("string_type")
    if len(raw) > MAX_IMAGE_BYTES:
        raise _too_large(f"{len(raw)} bytes > {MAX_IMAGE_BYTES}")
    return raw


def _to_base64(data: bytes) -> str:
    return pybase64.b64encode(data).decode("ascii")


ImageData = Annotated[
    bytes,
    PlainValidator(_image_bytes),
    PlainSerializer(_to_base64, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "contentEncoding": "base64", "maxLength": MAX_IMAGE_BASE64_CHARS}),
]
"""Raw bytes in code; base64 in JSON. In Python, ``bytes`` are taken as raw, ``str`` as base64."""


def _inspect(data: bytes, media_type: str) -> None:
    if not data:
        raise _undecodable("no bytes")
    declared = _FORMAT_OF[media_type]
    if declared == "JPEG" and _plain_jpeg_size(data) is not None:
        return  # a plain JPEG header, read without Pillow (which reads it alike: tests/unit/test_images_fast_paths.py)
    try:
        found, width, height = _header(data, [declared])
    except PydanticCustomError:
        raise
    except Exception:  # noqa: BLE001 - not the declared format: ask every format, for a precise reason
        try:
            found, width, height = _header(data, None)
        except PydanticCustomError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large("decompression bomb") from None
        except Exception as exc:  # noqa: BLE001 - any failure to parse untrusted bytes means undecodable
            raise _undecodable(f"not a readable {declared} ({type(exc).__name__})") from None
    if found != declared:
        raise _undecodable(f"declared {media_type} but the bytes are {found}")
    if not width or not height:
        raise _undecodable(f"{width}x{height} pixels")


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_SKIPPED = frozenset({0xC4, 0xCC, 0xDC, 0xDD, 0xFE, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xEF})
_SEGMENT = struct.Struct(">BBH")  # 0xFF, marker, length (the length's own 2 bytes included)
_FRAME = struct.Struct(">BHHB")  # precision, height, width, components


def _plain_jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG whose header is plain: SOI, then well-formed segments only
    (tables, restart interval, comments, JFIF/Adobe and other simple APPn), one 8-bit frame of
    1, 3 or 4 components, a start of scan, and scan data after it, the size within the pixel
    budget. None for anything else — EXIF, ICC, MPF or Photoshop blocks, fill bytes, lossless
    or hierarchical frames, a truncated header —, which Pillow then reads (slower).

    Every header this accepts Pillow opens as the same JPEG of the same size with scan data
    after it (the property ``tests/unit/test_images_fast_paths.py`` checks on mutated images)."""
    end = len(data)
    if end < 4 or data[0] != 0xFF or data[1] != 0xD8 or data[2] != 0xFF:
        return None
    pos, size, segment = 2, None, _SEGMENT.unpack_from
    while pos + 4 <= end:
        mark, marker, length = segment(data, pos)
        body, pos = pos + 4, pos + 2 + length
        if mark != 0xFF or length < 2 or pos > end:
            return None
        if marker in _SKIPPED:
            continue
        if marker == 0xDB:  # quantisation tables, each 1 + 64 or 1 + 128 bytes, filling the segment
            offset = body
            while offset < pos:
                offset += 65 if data[offset] < 16 else 129
            if offset != pos:
                return None
        elif marker == 0xDA:  # start of scan: the header is complete
            return size if size is not None and pos < end else None
        elif marker in _SOF:
            if length < 8 or size is not None:
                return None
            precision, height, width, layers = _FRAME.unpack_from(data, body)
            if precision != 8 or layers not in (1, 3, 4) or length != 8 + 3 * layers:
                return None
            if not width or not height or width * height > MAX_IMAGE_PIXELS:
                return None
            size = (width, height)
        elif marker in (0xE0, 0xEE):  # JFIF, Adobe: Pillow reads fields up to byte 12
            if length < 14:
                return None
        else:
            return None
    return None


def _header(data: bytes, formats: list[str] | None) -> tuple[str, int, int]:
    """Format and size from the header (Pillow, restricted to ``formats`` when given), the pixel
    budget checked; raises when the bytes do not parse or carry no pixel data after the header.

    Our budget (40 M pixels) is below Pillow's bomb warning limit (89 M), so that warning is left
    a warning (escalating it costs a ``warnings.catch_warnings`` per image); the pixel budget
    refuses such images anyway, and Pillow's DecompressionBombError still raises."""
    buffer = io.BytesIO(data)
    with Image.open(buffer, formats=formats) as image:
        found, (width, height) = image.format, image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _too_large(f"{width}x{height} pixels > {MAX_IMAGE_PIXELS}")
        if buffer.tell() >= len(data):
            raise _undecodable("no pixel data after the header")
        image.verify()
    return found, width, height


class FaceImage(ContractModel):
    """An image carried by value: a face crop, a frame, a selfie or a document portrait."""

    media_type: MediaType = Field(description="encoding of data", examples=["image/jpeg"])
    data: ImageData = Field(
        description=f"the image, standard base64; at most {MAX_IMAGE_BYTES} bytes decoded", repr=False
    )

    @model_validator(mode="after")
    def _decodable(self) -> FaceImage:
        _inspect(self.data, self.media_type)
        return self

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class ImageReference(ContractModel):
    """An image carried by reference: where to fetch it and the hash it must have."""

    uri: str = Field(min_length=1, max_length=2048, pattern=r"^[a-z][a-z0-9+.-]*://[!-~]+$",
                     description="where the image can be fetched (object store or evidence system)",
                     examples=["s3://custodes-evidence/cam-17/2026-03-01T10-15-02Z.jpg"])
    sha256: Sha256Hex = Field(description="SHA-256 of the referenced bytes; a fetched image must match it")
    media_type: MediaType = Field(description="encoding of the referenced bytes", examples=["image/jpeg"])


def _carriage(value: Any) -> str | None:
    if isinstance(value, dict):
        return "reference" if "uri" in value else "value"
    if isinstance(value, ImageReference):
        return "reference"
    return "value"


AnyImage = Annotated[
    Annotated[FaceImage, Tag("value")] | Annotated[ImageReference, Tag("reference")],
    Discriminator(_carriage),
]
"""An image by value or by reference (an object with ``uri`` is a reference)."""


def images_by_value(document: Any) -> Iterator[dict[str, Any]]:
    """Every image carried by value (``{"media_type": …, "data": …}``) in a JSON document, in order."""
    if isinstance(document, dict):
        if document.keys() == {"media_type", "data"}:
            yield document
        for value in document.values():
            yield from images_by_value(value)
    elif isinstance(document, list):
        for value in document:
            yield from images_by_value(value)
