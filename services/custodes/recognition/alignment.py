"""Similarity alignment of five facial points to the 112x112 ArcFace template (numpy + PIL).

Coordinates follow OpenCV's convention (pixel centres at integers), so a transform
estimated here is what ``cv2.warpAffine`` would apply.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

ALIGNED_SIDE = 112
ARCFACE_TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)


def umeyama_similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping source onto target.

    Umeyama (1991), without reflection. Returns a 2x3 matrix ``M`` with
    ``target ≈ source @ M[:, :2].T + M[:, 2]``.
    """
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    source_mean, target_mean = source.mean(axis=0), target.mean(axis=0)
    source_centred, target_centred = source - source_mean, target - target_mean
    covariance = target_centred.T @ source_centred / len(source)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rotation = u @ sign @ vt
    source_variance = (source_centred**2).sum() / len(source)
    scale = (singular * np.diag(sign)).sum() / source_variance if source_variance > 0 else 1.0
    matrix = np.empty((2, 3), dtype=np.float64)
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = target_mean - matrix[:, :2] @ source_mean
    return matrix


def warp_affine(image: np.ndarray, matrix: np.ndarray, side: int) -> np.ndarray:
    """Apply a forward 2x3 transform (OpenCV convention) and return a (side, side, 3) uint8 crop."""
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(full)
    # PIL samples at pixel centres (+0.5) in both images; shift into OpenCV's integer centres.
    shift_in = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
    shift_out = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    pil_inverse = shift_out @ inverse @ shift_in
    coefficients = tuple(pil_inverse[:2].reshape(-1))
    warped = Image.fromarray(image).transform(
        (side, side), Image.AFFINE, coefficients, resample=Image.BILINEAR, fillcolor=(0, 0, 0)
    )
    return np.asarray(warped, dtype=np.uint8)


def align_face(image: np.ndarray, points5: np.ndarray) -> np.ndarray:
    """Warp the face whose five points are given onto the ArcFace template -> (112, 112, 3) uint8."""
    return warp_affine(image, umeyama_similarity(points5, ARCFACE_TEMPLATE), ALIGNED_SIDE)
