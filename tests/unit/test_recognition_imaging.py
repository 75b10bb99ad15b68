import io

import numpy as np
import pytest
from PIL import Image

from custodes.recognition.errors import ImageRejected, Reason
from custodes.recognition.imaging import decode_image, fit_within


def _encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.IMAGE_EMPTY),
        (b"not an image at all", Reason.IMAGE_UNDECODABLE),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, Reason.IMAGE_UNDECODABLE),
        (b"\xff\xd8\xff\xe0" + b"\x13" * 500, Reason.IMAGE_UNDECODABLE),
    ],
)
def test_garbage_is_rejected_with_a_reason(data, reason):
    with pytest.raises(ImageRejected) as caught:
        decode_image(data)
    assert caught.value.reason is reason


def test_truncated_jpeg_is_undecodable():
    data = _encode(Image.new("RGB", (200, 200), (10, 200, 30)), "JPEG")
    with pytest.raises(ImageRejected) as caught:
        decode_image(data[: len(data) // 2])
    assert caught.value.reason is Reason.IMAGE_UNDECODABLE


def test_too_many_bytes_is_rejected_before_decoding():
    with pytest.raises(ImageRejected) as caught:
        decode_image(b"\x00" * 101, max_bytes=100)
    assert caught.value.reason is Reason.IMAGE_TOO_LARGE


def test_too_many_pixels_is_rejected_before_decoding():
    data = _encode(Image.new("L", (3000, 2000)))
    assert len(data) < 100_000
    with pytest.raises(ImageRejected) as caught:
        decode_image(data, max_pixels=5_000_000)
    assert caught.value.reason is Reason.IMAGE_TOO_LARGE


def test_decodes_to_upright_rgb_uint8():
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    decoded = decode_image(_encode(image, "JPEG", exif=exif.tobytes()))
    assert decoded.shape == (40, 20, 3)
    assert decoded.dtype == np.uint8
    assert decoded[..., 0].mean() > 200


def test_grey_and_alpha_become_rgb():
    assert decode_image(_encode(Image.new("LA", (32, 32)))).shape == (32, 32, 3)


def test_fit_within_downscales_the_longest_side_only_when_needed():
    small = np.zeros((100, 50, 3), dtype=np.uint8)
    assert fit_within(small, 200) == (small, 1.0)
    resized, scale = fit_within(np.zeros((2000, 1000, 3), dtype=np.uint8), 1000)
    assert resized.shape == (1000, 500, 3)
    assert scale == 0.5
