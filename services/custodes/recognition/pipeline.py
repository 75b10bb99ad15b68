"""In-process face pipeline: bytes -> one subject face -> aligned crop -> embedding -> cosine.

The same steps run split across the network in ``custodes.recognition.client`` (decode and
alignment locally, the nets on Triton). Nothing here logs images or embeddings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custodes.recognition.alignment import align_face
from custodes.recognition.errors import FaceRejected, Reason
from custodes.recognition.imaging import decode_image, fit_within
from custodes.recognition.nets import Detections, FaceNets

SUBJECT_DOMINANCE = 2.0
"""A second face whose box area is more than 1/SUBJECT_DOMINANCE of the largest makes a 1:1 probe ambiguous."""


@dataclass(frozen=True)
class SubjectFace:
    """The face a 1:1 comparison is about: where it is and how sure the detector was."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels of the decoded (upright) image
    detection_score: float
    faces_in_image: int
    points5: np.ndarray


def select_subject(
    detections: Detections, *, scale: float = 1.0, dominance: float = SUBJECT_DOMINANCE
) -> SubjectFace:
    """The single dominant face, or ``FaceRejected`` (``no_face`` / ``multiple_faces``).

    ``scale`` is the factor the detected image was downscaled by; the returned box is in
    pixels of the original image, ``points5`` stay in the detected image's pixels.
    """
    if detections.count == 0:
        raise FaceRejected(Reason.NO_FACE, "the detector found no face")
    boxes = detections.boxes
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    order = np.argsort(-areas, kind="stable")
    if detections.count > 1 and areas[order[0]] < dominance * areas[order[1]]:
        raise FaceRejected(Reason.MULTIPLE_FACES, f"{detections.count} faces and none dominates")
    index = int(order[0])
    x1, y1, x2, y2 = (round(float(v) / scale, 1) for v in boxes[index])
    return SubjectFace(
        box=(x1, y1, x2, y2),
        detection_score=round(float(detections.scores[index]), 4),
        faces_in_image=detections.count,
        points5=detections.points5[index],
    )


def cosine_similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Cosine of the angle between two vectors, in [-1, 1]; 0.0 if either is zero."""
    first = np.asarray(first, dtype=np.float64).ravel()
    second = np.asarray(second, dtype=np.float64).ravel()
    denominator = np.linalg.norm(first) * np.linalg.norm(second)
    if denominator == 0:
        return 0.0
    return float(np.clip(first @ second / denominator, -1.0, 1.0))


class LocalFacePipeline:
    """Detect, align and embed with onnxruntime in this process."""

    def __init__(self, nets: FaceNets) -> None:
        self.nets = nets

    def subject_embedding(self, image_bytes: bytes) -> tuple[np.ndarray, SubjectFace]:
        """(512,) L2-normalised embedding of the subject face in an encoded image."""
        image, scale = fit_within(decode_image(image_bytes))
        subject = select_subject(self.nets.detect(image), scale=scale)
        aligned = align_face(image, subject.points5)
        return self.nets.embed(aligned[None])[0], subject

    def compare(self, probe: bytes, reference: bytes) -> float:
        """Cosine similarity of the subject faces of two encoded images."""
        probe_embedding, _ = self.subject_embedding(probe)
        reference_embedding, _ = self.subject_embedding(reference)
        return cosine_similarity(probe_embedding, reference_embedding)
