"""Model cards: identity, provenance, licence and the calibrated operating points of a model.

Contract of ``ModelCard.operating_point(max_fmr)``: returns the tabulated point with the
largest ``max_fmr`` not above the request (so the threshold is never looser than asked);
a request finer than the finest tabulated point raises ``UncalibratedOperatingPoint``.
Every tabulated point rests on at least one observed impostor pair per allowed false
match (``max_fmr * impostor_pairs >= 1``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from custodes.recognition.errors import UncalibratedOperatingPoint

DEFAULT_MODEL_CARD = "mobilefacenet-faceplugin-0.0.1.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelFile(_Frozen):
    role: str
    file: str
    sha256: str


class OperatingPoint(_Frozen):
    max_fmr: float = Field(description="largest false-match rate this threshold was chosen for")
    threshold: float = Field(description="a pair matches when cosine >= threshold")
    impostor_pairs: int = Field(description="impostor pairs the threshold rests on")
    false_matches_at_threshold: int = Field(description="impostor pairs scoring >= threshold")


class CalibrationImage(_Frozen):
    group: str
    file: str
    sha256: str
    faces: int


class Calibration(_Frozen):
    method: str
    score: str
    impostor_pairs: int
    faces: int
    images: list[CalibrationImage]
    impostor_scores: dict[str, float]
    operating_points: list[OperatingPoint]
    finest_calibrated_fmr: float
    limitations: list[str]


class ModelCard(_Frozen):
    id: str
    version: str
    name: str
    task: str
    files: list[ModelFile]
    source: dict[str, str]
    licence: dict[str, str]
    training_data: str
    intended_use: list[str]
    out_of_scope_use: list[str]
    preprocessing: dict[str, str]
    calibration: Calibration

    @property
    def sha256(self) -> dict[str, str]:
        return {model_file.file: model_file.sha256 for model_file in self.files}

    @property
    def provenance(self) -> str:
        return f"{self.source['package']} ({self.source['registry']}); training data: {self.training_data}"

    def operating_point(self, max_fmr: float) -> OperatingPoint:
        """The strictest-needed calibrated point for ``max_fmr``; see the module contract."""
        supported = [p for p in self.calibration.operating_points if p.max_fmr <= max_fmr]
        if not (max_fmr > 0) or not supported:
            raise UncalibratedOperatingPoint(max_fmr, self.calibration.finest_calibrated_fmr)
        return max(supported, key=lambda point: point.max_fmr)


def load_model_card(name: str = DEFAULT_MODEL_CARD) -> ModelCard:
    """Read a card shipped in ``custodes/recognition/model_cards``."""
    text = resources.files("custodes.recognition").joinpath("model_cards", name).read_text("utf-8")
    return ModelCard.model_validate(json.loads(text))


def model_card_path(name: str = DEFAULT_MODEL_CARD) -> Path:
    return Path(__file__).resolve().parent / "model_cards" / name
