import numpy as np
import pytest

from custodes.recognition.alignment import ARCFACE_TEMPLATE, align_face, umeyama_similarity, warp_affine


def _similarity(scale: float, angle: float, shift: tuple[float, float]) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([[scale * cos, -scale * sin, shift[0]], [scale * sin, scale * cos, shift[1]]])


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def test_template_onto_itself_is_identity():
    np.testing.assert_allclose(umeyama_similarity(ARCFACE_TEMPLATE, ARCFACE_TEMPLATE), np.eye(2, 3), atol=1e-9)


@pytest.mark.parametrize(("scale", "angle", "shift"), [(2.5, 0.3, (40.0, -7.0)), (0.4, -1.2, (3.0, 90.0))])
def test_recovers_a_known_similarity(scale, angle, shift):
    truth = _similarity(scale, angle, shift)
    estimate = umeyama_similarity(ARCFACE_TEMPLATE, _apply(truth, ARCFACE_TEMPLATE))
    np.testing.assert_allclose(estimate, truth, atol=1e-9)


def test_never_returns_a_reflection():
    mirrored = ARCFACE_TEMPLATE * np.array([-1.0, 1.0])
    estimate = umeyama_similarity(ARCFACE_TEMPLATE, mirrored)
    assert np.linalg.det(estimate[:, :2]) > 0


def test_identity_warp_returns_the_same_pixels():
    image = np.random.default_rng(0).integers(0, 256, size=(112, 112, 3), dtype=np.uint8)
    np.testing.assert_array_equal(warp_affine(image, np.eye(2, 3), 112), image)


def _dots_at(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    image = np.zeros((*shape, 3), dtype=np.uint8)
    for x, y in np.round(points).astype(int):
        image[y - 2 : y + 3, x - 2 : x + 3] = 255
    return image


def _centroids(image: np.ndarray, near: np.ndarray) -> np.ndarray:
    bright = image[..., 0].astype(float)
    ys, xs = np.mgrid[: image.shape[0], : image.shape[1]]
    found = []
    for x, y in near:
        window = (np.abs(xs - x) <= 6) & (np.abs(ys - y) <= 6)
        weights = bright * window
        found.append([(weights * xs).sum() / weights.sum(), (weights * ys).sum() / weights.sum()])
    return np.array(found)


def test_face_points_land_on_the_template():
    truth = _similarity(3.0, 0.25, (150.0, 60.0))
    face_points = _apply(truth, ARCFACE_TEMPLATE)
    aligned = align_face(_dots_at(face_points, (600, 600)), face_points)
    assert aligned.shape == (112, 112, 3)
    np.testing.assert_allclose(_centroids(aligned, ARCFACE_TEMPLATE), ARCFACE_TEMPLATE, atol=0.5)
