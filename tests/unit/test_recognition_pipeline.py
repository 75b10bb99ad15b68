import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from custodes.recognition.detection import five_points, non_max_suppression, square_boxes
from custodes.recognition.errors import FaceRejected, Reason
from custodes.recognition.model_card import load_model_card
from custodes.recognition.nets import Detections, FaceModelFiles, FaceNets
from custodes.recognition.pipeline import LocalFacePipeline, cosine_similarity, select_subject
from custodes.settings import Settings

IMAGES = Settings().images_dir / "face_recognition"
MODELS_PRESENT = FaceModelFiles.in_dir(Settings().models_dir).embedder.exists()
needs_models = pytest.mark.skipif(not MODELS_PRESENT, reason="face models not fetched (make install)")


def test_cosine_similarity():
    assert cosine_similarity([1, 0], [1, 0]) == pytest.approx(1.0)
    assert cosine_similarity([1, 0], [0, 3]) == pytest.approx(0.0)
    assert cosine_similarity([1, 1], [-2, -2]) == pytest.approx(-1.0)
    assert cosine_similarity([0, 0], [1, 2]) == 0.0


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    kept = non_max_suppression(boxes, np.array([0.8, 0.9, 0.7], dtype=np.float32), 0.4)
    assert kept.tolist() == [1, 2]


def test_square_boxes_keep_centre_and_height_and_stay_inside():
    squared = square_boxes(np.array([[40, 10, 60, 50]], dtype=np.float32), 100, 100)
    np.testing.assert_allclose(squared, [[30, 10, 70, 50]])
    clipped = square_boxes(np.array([[0, 0, 10, 50]], dtype=np.float32), 100, 100)
    assert clipped[0, 0] == 0


def test_five_points_from_68():
    landmarks = np.zeros((68, 2), dtype=np.float32)
    landmarks[[37, 38, 40, 41]] = [[1, 1], [3, 1], [3, 3], [1, 3]]
    landmarks[30] = [5, 6]
    landmarks[[54, 64]] = [[8, 8], [10, 10]]
    points = five_points(landmarks)
    np.testing.assert_allclose(points[[0, 2, 4]], [[2, 2], [5, 6], [9, 9]])


def _detections(*boxes: tuple[float, float, float, float]) -> Detections:
    count = len(boxes)
    return Detections(
        boxes=np.array(boxes, dtype=np.float32).reshape(count, 4),
        scores=np.full(count, 0.99, dtype=np.float32),
        points5=np.zeros((count, 5, 2), dtype=np.float32),
    )


def test_subject_selection_reasons():
    with pytest.raises(FaceRejected) as none:
        select_subject(_detections())
    assert none.value.reason is Reason.NO_FACE
    with pytest.raises(FaceRejected) as two:
        select_subject(_detections((0, 0, 100, 100), (200, 0, 290, 90)))
    assert two.value.reason is Reason.MULTIPLE_FACES
    subject = select_subject(_detections((0, 0, 30, 30), (100, 100, 300, 300)), scale=0.5)
    assert subject.box == (200.0, 200.0, 600.0, 600.0)
    assert subject.faces_in_image == 2


@pytest.fixture(scope="module")
def pipeline() -> LocalFacePipeline:
    return LocalFacePipeline(FaceNets.from_models_dir(Settings().models_dir))


@needs_models
def test_flat_grey_image_has_no_face(pipeline):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (128, 128, 128)).save(buffer, format="PNG")
    with pytest.raises(FaceRejected) as caught:
        pipeline.subject_embedding(buffer.getvalue())
    assert caught.value.reason is Reason.NO_FACE


def _photo(name: str) -> bytes:
    return (IMAGES / f"{name}.jpg").read_bytes()


@needs_models
def test_embeddings_are_unit_vectors(pipeline):
    embedding, subject = pipeline.subject_embedding(_photo("obama"))
    assert embedding.shape == (512,)
    assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)
    assert subject.faces_in_image == 1


@needs_models
@pytest.mark.parametrize("other", ["obama2", "obama3"])
def test_genuine_pairs_clear_the_one_percent_threshold(pipeline, other):
    threshold = load_model_card().operating_point(0.01).threshold
    assert pipeline.compare(_photo("obama"), _photo(other)) >= threshold


@needs_models
@pytest.mark.parametrize("probe", ["obama", "obama2", "obama3"])
def test_impostor_pairs_stay_below_the_one_percent_threshold(pipeline, probe):
    threshold = load_model_card().operating_point(0.01).threshold
    assert pipeline.compare(_photo(probe), _photo("biden")) < threshold


def test_test_photos_are_where_settings_say():
    assert not MODELS_PRESENT or all(Path(IMAGES / f"{n}.jpg").exists() for n in ["obama", "biden"])
