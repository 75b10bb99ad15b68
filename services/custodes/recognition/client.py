"""Async 1:1 verification against the face nets served on Triton (``triton_server``).

Decoding, face selection and alignment run here; detection, landmarks and embedding run on
Triton over gRPC. Contract of ``verify``:

- the operating point is resolved first, so an uncalibrated ``max_fmr`` raises
  ``UncalibratedOperatingPoint`` before any image is decoded or any request is sent;
- undecodable or oversized images raise ``ImageRejected`` before any request is sent;
- ``no_face`` / ``multiple_faces`` raise ``FaceRejected``; transport or server failures
  raise ``RecognitionUnavailable``;
- the result carries scores, boxes and hashes, never embeddings or pixels, and nothing
  biometric is logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from tritonclient.grpc import InferInput, InferRequestedOutput
from tritonclient.grpc import aio as grpc_aio
from tritonclient.utils import InferenceServerException

from custodes.recognition.alignment import align_face
from custodes.recognition.errors import RecognitionUnavailable
from custodes.recognition.imaging import decode_image, fit_within
from custodes.recognition.model_card import ModelCard, load_model_card
from custodes.recognition.nets import Detections
from custodes.recognition.pipeline import SubjectFace, cosine_similarity, select_subject
from custodes.recognition.triton_server import DETECT_MODEL, EMBED_MODEL, MODEL_NAMES
from custodes.settings import Settings


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())


class ModelInfo(_Frozen):
    """Which model produced a result, and where it came from."""

    id: str = Field(examples=["mobilefacenet-faceplugin"])
    version: str = Field(examples=["0.0.1"])
    sha256: dict[str, str] = Field(description="file name -> sha256 of every model file")
    licence: str = Field(examples=["MIT"])
    provenance: str

    @classmethod
    def from_card(cls, card: ModelCard) -> ModelInfo:
        return cls(
            id=card.id,
            version=card.version,
            sha256=card.sha256,
            licence=card.licence["spdx"],
            provenance=card.provenance,
        )


class FaceObservation(_Frozen):
    """Where the compared face was found; no pixels, no embedding."""

    box: tuple[float, float, float, float] = Field(description="x1, y1, x2, y2 in pixels of the upright image")
    detection_score: float
    faces_in_image: int


class VerificationResult(_Frozen):
    """Outcome of one 1:1 comparison. ``match`` is ``score >= threshold``."""

    match: bool
    score: float = Field(description="cosine similarity in [-1, 1]")
    threshold: float
    max_fmr: float = Field(description="false-match rate the caller asked for")
    operating_point_fmr: float = Field(description="calibrated rate whose threshold was applied (<= max_fmr)")
    model: ModelInfo
    probe_sha256: str
    reference_sha256: str
    probe_face: FaceObservation
    reference_face: FaceObservation
    latency_ms: float


class RecognitionClient:
    """gRPC client of the custodes Triton models. Use as ``async with`` or call ``close()``."""

    def __init__(self, settings: Settings, card: ModelCard | None = None) -> None:
        self._settings = settings
        self._card = card or load_model_card()
        self._model = ModelInfo.from_card(self._card)
        self._timeout_s = settings.triton.timeout_s
        self._triton = grpc_aio.InferenceServerClient(url=settings.triton.grpc_url)

    @property
    def model(self) -> ModelInfo:
        return self._model

    async def __aenter__(self) -> RecognitionClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._triton.close()

    async def ready(self) -> bool:
        """True when the server and both custodes models are ready; never raises."""
        try:
            if not await self._triton.is_server_ready(client_timeout=self._timeout_s):
                return False
            for name in MODEL_NAMES:
                if not await self._triton.is_model_ready(name, client_timeout=self._timeout_s):
                    return False
            return True
        except Exception:  # noqa: BLE001 - readiness is a yes/no question
            return False

    async def inference_count(self) -> int:
        """Sum over custodes' models of Triton's successful inference request counts.

        Triton records a request's statistics just after sending its response, so a read made
        right after a response may not include it yet; ``settled_inference_count`` waits.
        """
        total = 0
        for name in MODEL_NAMES:
            statistics = await self._call(
                self._triton.get_inference_statistics(model_name=name, as_json=True, client_timeout=self._timeout_s)
            )
            for model_stats in statistics.get("model_stats", []):
                success = model_stats.get("inference_stats", {}).get("success", {})
                total += int(success.get("count", 0))
        return total

    async def settled_inference_count(self, quiet_s: float = 0.2, timeout_s: float = 5.0) -> int:
        """``inference_count()`` once two reads ``quiet_s`` apart agree (or ``timeout_s`` passed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        previous = await self.inference_count()
        while True:
            await asyncio.sleep(quiet_s)
            current = await self.inference_count()
            if current == previous or loop.time() >= deadline:
                return current
            previous = current

    async def verify(self, probe: bytes, reference: bytes, max_fmr: float) -> VerificationResult:
        """Compare the subject faces of two encoded images at the card's threshold for ``max_fmr``."""
        started = time.perf_counter()
        point = self._card.operating_point(max_fmr)
        probe_image, reference_image = await asyncio.gather(
            asyncio.to_thread(_working_image, probe), asyncio.to_thread(_working_image, reference)
        )
        (probe_pixels, probe_scale), (reference_pixels, reference_scale) = probe_image, reference_image
        probe_detections, reference_detections = await asyncio.gather(
            self._detect(probe_pixels), self._detect(reference_pixels)
        )
        probe_subject = select_subject(probe_detections, scale=probe_scale)
        reference_subject = select_subject(reference_detections, scale=reference_scale)
        aligned = np.stack(
            [align_face(probe_pixels, probe_subject.points5), align_face(reference_pixels, reference_subject.points5)]
        )
        embeddings = await self._embed(aligned)
        score = round(cosine_similarity(embeddings[0], embeddings[1]), 6)
        return VerificationResult(
            match=score >= point.threshold,
            score=score,
            threshold=point.threshold,
            max_fmr=max_fmr,
            operating_point_fmr=point.max_fmr,
            model=self._model,
            probe_sha256=hashlib.sha256(probe).hexdigest(),
            reference_sha256=hashlib.sha256(reference).hexdigest(),
            probe_face=_observation(probe_subject),
            reference_face=_observation(reference_subject),
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    async def detect(self, image: np.ndarray) -> Detections:
        """Faces in an (H, W, 3) uint8 RGB image, detected on Triton."""
        return await self._detect(image)

    async def embed(self, aligned: np.ndarray) -> np.ndarray:
        """(N, 112, 112, 3) uint8 aligned faces -> (N, 512) embeddings, computed on Triton."""
        return await self._embed(aligned)

    async def _detect(self, image: np.ndarray) -> Detections:
        request = InferInput("image", list(image.shape), "UINT8")
        request.set_data_from_numpy(np.ascontiguousarray(image, dtype=np.uint8))
        names = ("boxes", "scores", "points5", "face_count")
        response = await self._call(
            self._triton.infer(
                DETECT_MODEL,
                [request],
                outputs=[InferRequestedOutput(name) for name in names],
                client_timeout=self._timeout_s,
            )
        )
        boxes, scores, points5, count = (response.as_numpy(name) for name in names)
        faces = int(count[0])
        return Detections(boxes=boxes[:faces], scores=scores[:faces], points5=points5[:faces])

    async def _embed(self, aligned: np.ndarray) -> np.ndarray:
        request = InferInput("aligned", list(aligned.shape), "UINT8")
        request.set_data_from_numpy(np.ascontiguousarray(aligned, dtype=np.uint8))
        response = await self._call(
            self._triton.infer(
                EMBED_MODEL, [request], outputs=[InferRequestedOutput("embedding")], client_timeout=self._timeout_s
            )
        )
        return response.as_numpy("embedding")

    async def _call(self, awaitable: Any) -> Any:
        try:
            return await awaitable
        except InferenceServerException as exc:
            raise RecognitionUnavailable(f"triton: {exc.status() or ''} {exc.message()}".strip()) from None
        except (OSError, asyncio.TimeoutError) as exc:
            raise RecognitionUnavailable(f"triton: {type(exc).__name__}") from None


def _working_image(data: bytes) -> tuple[np.ndarray, float]:
    return fit_within(decode_image(data))


def _observation(subject: SubjectFace) -> FaceObservation:
    return FaceObservation(
        box=subject.box, detection_score=subject.detection_score, faces_in_image=subject.faces_in_image
    )
