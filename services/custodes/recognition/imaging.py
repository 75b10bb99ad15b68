"""Decoding untrusted image bytes into RGB arrays.

Contract: ``decode_image`` returns a C-contiguous ``uint8`` array of shape (H, W, 3) in RGB
order with EXIF orientation applied, or raises ``ImageRejected`` with a reason code. The
pixel count is checked before the pixels are decoded, so a decompression bomb is refused
without allocating it.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from custodes.recognition.errors import ImageRejected, Reason

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_SIDE = 16


def decode_image(
    data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_pixels: int = MAX_IMAGE_PIXELS
) -> np.ndarray:
    """Decode JPEG/PNG/... bytes to an (H, W, 3) uint8 RGB array, upright per EXIF."""
    if not data:
        raise ImageRejected(Reason.IMAGE_EMPTY, "no bytes")
    if len(data) > max_bytes:
        raise ImageRejected(Reason.IMAGE_TOO_LARGE, f"{len(data)} bytes > {max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageRejected(Reason.IMAGE_TOO_LARGE, f"{width}x{height} pixels > {max_pixels}")
                if min(width, height) < MIN_IMAGE_SIDE:
                    raise ImageRejected(Reason.IMAGE_UNDECODABLE, f"{width}x{height} is too small")
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(Reason.IMAGE_TOO_LARGE, type(exc).__name__) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected(Reason.IMAGE_UNDECODABLE, type(exc).__name__) from None
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def resize_rgb(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Bilinear resize of an (H, W, C) uint8 array to (height, width, C)."""
    resized = Image.fromarray(image).resize((width, height), Image.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


WORKING_MAX_SIDE = 1280


def fit_within(image: np.ndarray, max_side: int = WORKING_MAX_SIDE) -> tuple[np.ndarray, float]:
    """Downscale so the longest side is at most ``max_side``; return the image and the scale applied.

    The 320x240 detector cannot find a face that this loses, and the working copy keeps
    what travels to the inference server small.
    """
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    return resize_rgb(image, max(1, round(width * scale)), max(1, round(height * scale))), scale
