"""Estimate the impostor score distribution and write cosine thresholds into a model card.

Impostor pairs: two faces detected in the same photo (different people by construction),
and any two faces from photos of different ``group``s. Photos within one group are never
paired with each other, because they may show the same person (e.g. the face-api demo
photos reuse models). A threshold for ``max_fmr`` is tabulated only when
``max_fmr * impostor_pairs >= 1``; finer rates are not calibrated.

Reproduce the shipped card (the three packages fetched into a scratch folder, images
copied flat into ``$I``)::

    pip download --no-deps --no-binary :all: insightface==2.1       # insightface/data/images/
    npm pack @vladmandic/face-api@1.7.15                             # package/demo/sample1-6.jpg
    pip download --no-deps --only-binary :all: scikit-image==0.26.0  # skimage/data/astronaut.png
    python -m custodes.recognition.calibrate --write \\
        insightface-t1=$I/t1.jpg insightface-tom-hanks=$I/Tom_Hanks_54745.png \\
        faceapi-demo=$I/sample1.jpg ... faceapi-demo=$I/sample6.jpg skimage-astronaut=$I/astronaut.png

The face_recognition test photos (Obama, Biden) are deliberately left out: they are the
held-out genuine/impostor check.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from custodes.recognition.alignment import align_face
from custodes.recognition.imaging import decode_image, fit_within
from custodes.recognition.model_card import DEFAULT_MODEL_CARD, model_card_path
from custodes.recognition.nets import FaceNets, sha256_file

FMR_GRID = (0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 1e-4, 1e-5, 1e-6)
THRESHOLD_DECIMALS = 4


@dataclass(frozen=True)
class LabelledImage:
    group: str
    path: Path


@dataclass(frozen=True)
class FaceEmbedding:
    image_index: int
    group: str
    embedding: np.ndarray


def embed_all_faces(nets: FaceNets, images: Sequence[LabelledImage]) -> tuple[list[FaceEmbedding], list[int]]:
    """Every detected face of every image, and the face count per image."""
    faces: list[FaceEmbedding] = []
    counts: list[int] = []
    for index, labelled in enumerate(images):
        image, _ = fit_within(decode_image(labelled.path.read_bytes()))
        detections = nets.detect(image)
        counts.append(detections.count)
        if detections.count == 0:
            continue
        aligned = np.stack([align_face(image, points) for points in detections.points5])
        for embedding in nets.embed(aligned):
            faces.append(FaceEmbedding(index, labelled.group, embedding))
    return faces, counts


def impostor_scores(faces: Sequence[FaceEmbedding]) -> np.ndarray:
    """Cosine scores of all pairs that are different people by construction."""
    scores = [
        float(first.embedding @ second.embedding)
        for first, second in combinations(faces, 2)
        if first.image_index == second.image_index or first.group != second.group
    ]
    return np.asarray(scores, dtype=np.float64)


def threshold_for(scores: np.ndarray, max_fmr: float) -> tuple[float, int]:
    """Smallest 4-decimal threshold with at most ``floor(max_fmr * N)`` impostors at or above it."""
    descending = np.sort(scores)[::-1]
    allowed = math.floor(max_fmr * len(descending) + 1e-9)
    boundary = descending[allowed]
    step = 10.0**-THRESHOLD_DECIMALS
    threshold = round(math.floor(boundary / step) * step + step, THRESHOLD_DECIMALS)
    return threshold, int((descending >= threshold).sum())


def operating_points(scores: np.ndarray, grid: Sequence[float] = FMR_GRID) -> list[dict[str, float | int]]:
    points = []
    for max_fmr in grid:
        if max_fmr * len(scores) < 1:
            continue
        threshold, false_matches = threshold_for(scores, max_fmr)
        points.append(
            {
                "max_fmr": max_fmr,
                "threshold": threshold,
                "impostor_pairs": len(scores),
                "false_matches_at_threshold": false_matches,
            }
        )
    return points


def calibrate(nets: FaceNets, images: Sequence[LabelledImage]) -> dict[str, object]:
    """The ``calibration`` section of a model card, computed from labelled images."""
    faces, counts = embed_all_faces(nets, images)
    scores = impostor_scores(faces)
    if len(scores) == 0:
        raise ValueError("no impostor pairs: give photos with several faces or several groups")
    points = operating_points(scores)
    return {
        "method": (
            "Empirical impostor distribution. Impostor pairs: two faces in one photo, or faces from "
            "photos of different groups; photos of one group are never paired with each other. "
            "Threshold for max_fmr = smallest 4-decimal cosine with at most floor(max_fmr * N) "
            "impostor pairs at or above it. Produced by python -m custodes.recognition.calibrate."
        ),
        "score": "cosine similarity of L2-normalised 512-d embeddings; match when score >= threshold",
        "impostor_pairs": len(scores),
        "faces": len(faces),
        "images": [
            {"group": item.group, "file": item.path.name, "sha256": sha256_file(item.path), "faces": count}
            for item, count in zip(images, counts, strict=True)
        ],
        "impostor_scores": {
            "min": round(float(scores.min()), 4),
            "mean": round(float(scores.mean()), 4),
            "p95": round(float(np.quantile(scores, 0.95)), 4),
            "p99": round(float(np.quantile(scores, 0.99)), 4),
            "max": round(float(scores.max()), 4),
        },
        "operating_points": points,
        "finest_calibrated_fmr": min(point["max_fmr"] for point in points) if points else 1.0,
        "limitations": [
            f"Only {len(scores)} impostor pairs from {len(faces)} faces: every threshold has a wide "
            "confidence interval; a rate below 1/N_pairs is not calibrated and is refused.",
            "No genuine-pair distribution was estimated (no labelled identities offline), so the "
            "false non-match rate at each threshold is unknown.",
            "The faces are few and demographically skewed (mostly young women from one photo shoot, "
            "a TV cast, two public figures); rates for other groups are unknown.",
            "Recalibrate on an operator-supplied labelled evaluation set before operational use.",
        ],
    }


def _parse_image(argument: str) -> LabelledImage:
    group, separator, path = argument.partition("=")
    if not separator or not group or not path:
        raise argparse.ArgumentTypeError(f"expected GROUP=PATH, got {argument!r}")
    return LabelledImage(group=group, path=Path(path))


def main(argv: Sequence[str] | None = None) -> None:
    from custodes.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", nargs="+", type=_parse_image, metavar="GROUP=PATH")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--card", default=DEFAULT_MODEL_CARD, help="model card file name to update")
    parser.add_argument("--write", action="store_true", help="write the calibration into the card")
    args = parser.parse_args(argv)
    nets = FaceNets.from_models_dir(args.models_dir or Settings().models_dir)
    calibration = calibrate(nets, args.images)
    if args.write:
        path = model_card_path(args.card)
        card = json.loads(path.read_text("utf-8"))
        card["calibration"] = calibration
        path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(calibration, indent=2))


if __name__ == "__main__":
    main()
