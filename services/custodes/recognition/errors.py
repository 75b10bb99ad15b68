"""Exceptions of custodes.recognition, each carrying a machine-readable ``reason``.

    RecognitionError                 base; ``reason`` is a stable code for audit records
    ├── ImageRejected                image_undecodable | image_too_large | image_empty
    ├── FaceRejected                 no_face | multiple_faces
    ├── UncalibratedOperatingPoint   uncalibrated_operating_point
    └── RecognitionUnavailable       recognition_unavailable (Triton not reachable or failed)

Messages never contain image bytes, embeddings or other biometric payload.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    IMAGE_UNDECODABLE = "image_undecodable"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_EMPTY = "image_empty"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    UNCALIBRATED_OPERATING_POINT = "uncalibrated_operating_point"
    RECOGNITION_UNAVAILABLE = "recognition_unavailable"


class RecognitionError(Exception):
    """A recognition request that cannot produce a result; ``reason`` says why."""

    reason: Reason

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class ImageRejected(RecognitionError):
    """The bytes are not an image custodes accepts."""


class FaceRejected(RecognitionError):
    """The image does not contain exactly one usable face."""


class UncalibratedOperatingPoint(RecognitionError):
    """The requested false-match rate is finer than the model card's evidence supports."""

    def __init__(self, max_fmr: float, finest_calibrated: float) -> None:
        super().__init__(
            Reason.UNCALIBRATED_OPERATING_POINT,
            f"max_fmr={max_fmr:g} is finer than the finest calibrated point {finest_calibrated:g}",
        )
        self.max_fmr = max_fmr
        self.finest_calibrated = finest_calibrated


class RecognitionUnavailable(RecognitionError):
    """The inference server could not be reached or did not answer correctly."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.RECOGNITION_UNAVAILABLE, detail)
