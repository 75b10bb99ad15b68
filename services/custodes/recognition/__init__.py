"""custodes.recognition — detect, align, embed and compare faces; the nets run on Triton.

Modules: ``imaging`` (untrusted bytes -> RGB), ``detection`` and ``alignment`` (numpy),
``nets`` (onnxruntime), ``pipeline`` (in-process), ``triton_server`` (PyTriton serving),
``client`` (async verification against Triton), ``model_card`` and ``calibrate``.
"""

from custodes.recognition.errors import (
    FaceRejected,
    ImageRejected,
    Reason,
    RecognitionError,
    RecognitionUnavailable,
    UncalibratedOperatingPoint,
)
from custodes.recognition.model_card import ModelCard, OperatingPoint, load_model_card

__all__ = [
    "FaceRejected",
    "ImageRejected",
    "ModelCard",
    "OperatingPoint",
    "Reason",
    "RecognitionError",
    "RecognitionUnavailable",
    "UncalibratedOperatingPoint",
    "load_model_card",
]
