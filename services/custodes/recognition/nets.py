"""The three faceplugin ONNX nets on onnxruntime: detect, 68-point landmarks, embed.

``FaceNets`` is what both the in-process pipeline and the Triton models run, so the two
paths compute the same numbers. Weights are read from ``<models_dir>/faceplugin`` (fetched
from the npm package by ``scripts/fetch-assets.sh``), never from a model hub.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from custodes.recognition.detection import (
    decode_detections,
    detector_input,
    five_points,
    landmark_input,
    landmarks_to_pixels,
)

MODEL_SUBDIR = "faceplugin"
EMBEDDING_SIZE = 512


@dataclass(frozen=True)
class FaceModelFiles:
    detector: Path
    landmarker: Path
    embedder: Path
    licence: Path

    @classmethod
    def in_dir(cls, models_dir: Path) -> FaceModelFiles:
        base = Path(models_dir) / MODEL_SUBDIR
        return cls(
            detector=base / "fr_detect.onnx",
            landmarker=base / "fr_landmark.onnx",
            embedder=base / "fr_feature.onnx",
            licence=base / "LICENSE",
        )

    def sha256(self) -> dict[str, str]:
        """File name -> sha256 hex of every file the recognition path depends on."""
        return {p.name: sha256_file(p) for p in (self.detector, self.landmarker, self.embedder, self.licence)}


@dataclass(frozen=True)
class Detections:
    """Faces in one image, best score first. Pixel coordinates of the decoded image."""

    boxes: np.ndarray  # (N, 4) float32 x1, y1, x2, y2
    scores: np.ndarray  # (N,) float32
    points5: np.ndarray  # (N, 5, 2) float32

    @property
    def count(self) -> int:
        return int(self.scores.shape[0])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def embedder_input(aligned: np.ndarray) -> np.ndarray:
    """(N, 112, 112, 3) uint8 RGB -> (N, 3, 112, 112) float32, ``(x - 127) / 128``."""
    batch = aligned.astype(np.float32)
    return np.ascontiguousarray(((batch - 127.0) / 128.0).transpose(0, 3, 1, 2))


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _session_options(threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options


def _embedder_with_dynamic_batch(path: Path) -> bytes:
    """The embedder graph with a dynamic batch dimension (its final Reshape hard-codes 1)."""
    model = onnx.load(str(path))
    for value in (*model.graph.input, *model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    reshape_shapes = {n.input[1] for n in model.graph.node if n.op_type == "Reshape" and n.output[0] == "output"}
    for index, initializer in enumerate(model.graph.initializer):
        if initializer.name in reshape_shapes:
            shape = np.array([-1, EMBEDDING_SIZE], dtype=np.int64)
            model.graph.initializer[index].CopyFrom(numpy_helper.from_array(shape, initializer.name))
    return model.SerializeToString()


class FaceNets:
    """onnxruntime sessions of the detector, landmarker and embedder (CPU)."""

    def __init__(self, files: FaceModelFiles, *, threads: int = 2) -> None:
        self.files = files
        options = _session_options(threads)
        providers = ["CPUExecutionProvider"]
        self._detector = ort.InferenceSession(str(files.detector), options, providers=providers)
        self._landmarker = ort.InferenceSession(str(files.landmarker), options, providers=providers)
        self._embedder = ort.InferenceSession(
            _embedder_with_dynamic_batch(files.embedder), options, providers=providers
        )

    @classmethod
    def from_models_dir(cls, models_dir: Path, *, threads: int = 2) -> FaceNets:
        return cls(FaceModelFiles.in_dir(models_dir), threads=threads)

    @cached_property
    def sha256(self) -> dict[str, str]:
        return self.files.sha256()

    def detect(self, image: np.ndarray) -> Detections:
        """Faces with five landmark points in an (H, W, 3) uint8 RGB image."""
        height, width = image.shape[:2]
        scores, boxes = self._detector.run(["scores", "boxes"], {"input": detector_input(image)})
        face_boxes, face_scores = decode_detections(scores, boxes, width, height)
        points = [self._points5(image, box) for box in face_boxes]
        points5 = np.stack(points) if points else np.zeros((0, 5, 2), dtype=np.float32)
        return Detections(boxes=face_boxes, scores=face_scores, points5=points5.astype(np.float32))

    def embed(self, aligned: np.ndarray) -> np.ndarray:
        """(N, 112, 112, 3) uint8 aligned faces -> (N, 512) L2-normalised float32 embeddings."""
        if aligned.shape[0] == 0:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        (raw,) = self._embedder.run(["output"], {"input": embedder_input(aligned)})
        return l2_normalise(raw)

    def _points5(self, image: np.ndarray, box: np.ndarray) -> np.ndarray:
        (output,) = self._landmarker.run(["output"], {"input": landmark_input(image, box)})
        return five_points(landmarks_to_pixels(output[0], box))
