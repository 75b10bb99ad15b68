"""Pre- and post-processing of the faceplugin detector and 68-point landmark nets (numpy only).

Follows faceplugin-face-recognition-js 0.0.1 (``lib/fr_detect.js``, ``lib/fr_landmark.js``,
``lib/fr_feature.js``): the detector sees the whole image resized to 320x240, RGB,
``(x - 127) / 128``; its ``boxes`` output is already decoded to corner form in [0, 1]
(the prior decode is inside the graph). Each kept box is made square (side = box height,
same centre, clipped to the image), that square is cropped, resized to 64x64 grey,
divided by 256, and the landmark net returns 68 (x, y) pairs relative to the square.
"""

from __future__ import annotations

import numpy as np

from custodes.recognition.imaging import resize_rgb

DETECTOR_WIDTH = 320
DETECTOR_HEIGHT = 240
LANDMARK_SIDE = 64
CONFIDENCE_THRESHOLD = 0.65
NMS_IOU_THRESHOLD = 0.4
TOP_K = 750

_LEFT_EYE = (37, 38, 40, 41)
_RIGHT_EYE = (43, 44, 46, 47)
_NOSE_TIP = (30,)
_LEFT_MOUTH = (48, 60)
_RIGHT_MOUTH = (54, 64)


def detector_input(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (1, 3, 240, 320) float32 detector tensor."""
    resized = resize_rgb(image, DETECTOR_WIDTH, DETECTOR_HEIGHT).astype(np.float32)
    return np.ascontiguousarray(((resized - 127.0) / 128.0).transpose(2, 0, 1)[None])


def non_max_suppression(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of kept boxes, highest score first (greedy IoU suppression)."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    areas = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(int(best))
        top_left = np.maximum(boxes[best, :2], boxes[rest, :2])
        bottom_right = np.minimum(boxes[best, 2:], boxes[rest, 2:])
        overlap = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
        iou = overlap / np.maximum(areas[best] + areas[rest] - overlap, 1e-12)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def decode_detections(
    scores: np.ndarray,
    boxes: np.ndarray,
    width: int,
    height: int,
    *,
    confidence_threshold: float = CONFIDENCE_THRESHOLD,
    iou_threshold: float = NMS_IOU_THRESHOLD,
) -> tuple[np.ndarray, np.ndarray]:
    """Detector outputs -> (N, 4) square pixel boxes (x1, y1, x2, y2) and (N,) scores, best first."""
    face_scores = scores.reshape(-1, 2)[:, 1]
    unit_boxes = boxes.reshape(-1, 4)
    candidates = np.flatnonzero(face_scores >= confidence_threshold)
    candidates = candidates[np.argsort(-face_scores[candidates], kind="stable")[:TOP_K]]
    pixel_boxes = unit_boxes[candidates] * np.array([width, height, width, height], dtype=np.float32)
    valid = (pixel_boxes[:, 2] > pixel_boxes[:, 0]) & (pixel_boxes[:, 3] > pixel_boxes[:, 1])
    pixel_boxes, kept_scores = pixel_boxes[valid], face_scores[candidates][valid]
    keep = non_max_suppression(pixel_boxes, kept_scores, iou_threshold)
    return square_boxes(pixel_boxes[keep], width, height), kept_scores[keep].astype(np.float32)


def square_boxes(boxes: np.ndarray, width: int, height: int) -> np.ndarray:
    """Squares of side = box height around each box centre, clipped to the image."""
    side = boxes[:, 3] - boxes[:, 1]
    centre_x = (boxes[:, 0] + boxes[:, 2]) / 2
    centre_y = (boxes[:, 1] + boxes[:, 3]) / 2
    squared = np.stack(
        [centre_x - side / 2, centre_y - side / 2, centre_x + side / 2, centre_y + side / 2], axis=1
    )
    squared[:, [0, 2]] = np.clip(squared[:, [0, 2]], 0, width - 1)
    squared[:, [1, 3]] = np.clip(squared[:, [1, 3]], 0, height - 1)
    return squared.astype(np.float32)


def crop_origin_and_size(box: np.ndarray) -> tuple[int, int, int, int]:
    """Integer (x, y, w, h) crop of a square box, as the JS computes it."""
    x1, y1, x2, y2 = (int(v) for v in box)
    return x1, y1, max(abs(x2 - x1), 1), max(abs(y2 - y1), 1)


def landmark_input(image: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Crop one face box -> (1, 1, 64, 64) float32 grey tensor in [0, 1)."""
    x, y, w, h = crop_origin_and_size(box)
    crop = image[y : y + h, x : x + w]
    grey = resize_rgb(_to_grey(crop), LANDMARK_SIDE, LANDMARK_SIDE).astype(np.float32)
    return np.ascontiguousarray((grey / 256.0)[None, None])


def landmarks_to_pixels(output: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Landmark net output (136,) relative to the crop -> (68, 2) image pixel coordinates."""
    x, y, w, h = crop_origin_and_size(box)
    points = output.reshape(68, 2).astype(np.float32)
    return points * np.array([w, h], dtype=np.float32) + np.array([x, y], dtype=np.float32)


def five_points(landmarks68: np.ndarray) -> np.ndarray:
    """68 points -> (5, 2): left eye, right eye, nose tip, left and right mouth corner."""
    groups = (_LEFT_EYE, _RIGHT_EYE, _NOSE_TIP, _LEFT_MOUTH, _RIGHT_MOUTH)
    return np.stack([landmarks68[list(group)].mean(axis=0) for group in groups]).astype(np.float32)


def _to_grey(rgb: np.ndarray) -> np.ndarray:
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(rgb.astype(np.float32) @ weights + 0.5, 0, 255).astype(np.uint8)
