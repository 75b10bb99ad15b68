import numpy as np
import pytest

import custodes.recognition as recognition
from custodes.recognition.calibrate import FaceEmbedding, impostor_scores, operating_points, threshold_for
from custodes.recognition.errors import Reason, UncalibratedOperatingPoint
from custodes.recognition.model_card import load_model_card
from custodes.recognition.nets import FaceModelFiles
from custodes.settings import Settings


def test_exports_match_all():
    assert sorted(recognition.__all__) == recognition.__all__
    assert all(hasattr(recognition, name) for name in recognition.__all__)


def test_card_states_provenance_and_unknown_training_data():
    card = load_model_card()
    assert card.licence["spdx"] == "MIT"
    assert card.licence["training_data_licence"] == "not stated"
    assert card.training_data.startswith("not stated")
    assert {f.role for f in card.files} >= {"detector", "landmarker", "embedder"}


def test_card_hashes_match_the_files_on_disk():
    files = FaceModelFiles.in_dir(Settings().models_dir)
    if not files.embedder.exists():
        pytest.skip("face models not fetched (make install)")
    assert files.sha256() == load_model_card().sha256


def test_every_operating_point_rests_on_at_least_one_pair_per_false_match():
    calibration = load_model_card().calibration
    assert calibration.operating_points
    for point in calibration.operating_points:
        assert point.max_fmr * point.impostor_pairs >= 1
        assert point.false_matches_at_threshold <= point.max_fmr * point.impostor_pairs
    thresholds = [p.threshold for p in sorted(calibration.operating_points, key=lambda p: -p.max_fmr)]
    assert thresholds == sorted(thresholds)


def test_operating_point_never_looser_than_asked():
    card = load_model_card()
    assert card.operating_point(0.01).max_fmr == 0.01
    assert card.operating_point(0.015).max_fmr == 0.01
    assert card.operating_point(0.5).max_fmr == max(p.max_fmr for p in card.calibration.operating_points)


@pytest.mark.parametrize("max_fmr", [1e-4, 0.001, 0.0, -1.0])
def test_finer_than_calibrated_is_refused(max_fmr):
    with pytest.raises(UncalibratedOperatingPoint) as caught:
        load_model_card().operating_point(max_fmr)
    assert caught.value.reason is Reason.UNCALIBRATED_OPERATING_POINT


def test_threshold_admits_at_most_the_allowed_false_matches():
    scores = np.linspace(-0.5, 0.5, 1000)
    threshold, false_matches = threshold_for(scores, 0.01)
    assert false_matches == (scores >= threshold).sum() <= 10
    assert (scores >= threshold - 1e-3).sum() >= 10


def test_rates_finer_than_one_pair_are_not_tabulated():
    points = operating_points(np.linspace(0, 1, 150))
    assert [p["max_fmr"] for p in points] == [0.1, 0.05, 0.02, 0.01]


def test_impostor_pairs_skip_cross_photo_pairs_within_a_group():
    vector = np.array([1.0, 0.0])
    faces = [
        FaceEmbedding(0, "a", vector),
        FaceEmbedding(0, "a", vector),
        FaceEmbedding(1, "a", vector),
        FaceEmbedding(2, "b", vector),
    ]
    assert len(impostor_scores(faces)) == 1 + 3
