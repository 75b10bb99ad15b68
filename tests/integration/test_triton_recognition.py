"""The recognition client against a real Triton Inference Server started through ``serve()``.

If a server with the custodes models already answers on the settings ports it is used
(the inference-count tests then assume nobody else sends it requests meanwhile);
otherwise one is started, on the settings ports when they are free, else on free ports, with ``LD_LIBRARY_PATH`` removed from its
environment so the test also proves that ``serve()`` fixes the libpython pitfall itself.
"""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from custodes.recognition.alignment import align_face
from custodes.recognition.client import RecognitionClient
from custodes.recognition.errors import (
    FaceRejected,
    ImageRejected,
    Reason,
    RecognitionUnavailable,
    UncalibratedOperatingPoint,
)
from custodes.recognition.imaging import decode_image, fit_within
from custodes.recognition.nets import FaceNets
from custodes.recognition.pipeline import LocalFacePipeline
from custodes.recognition.triton_server import MODEL_NAMES
from custodes.settings import Settings, TritonSettings
from custodes.stack.processes import free_port, free_ports

pytestmark = pytest.mark.triton

IMAGES = Settings().images_dir / "face_recognition"
STARTUP_TIMEOUT_S = 180


def _serving_custodes_models(triton: TritonSettings) -> bool:
    try:
        for path in ["/v2/health/ready", *(f"/v2/models/{name}/ready" for name in MODEL_NAMES)]:
            with urllib.request.urlopen(f"http://{triton.http_url}{path}", timeout=2) as response:
                if response.status != 200:
                    return False
        return True
    except OSError:
        return False


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def triton_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings()
    if _serving_custodes_models(settings.triton):
        yield settings
        return
    wanted = [settings.triton.http_port, settings.triton.grpc_port, settings.triton.metrics_port]
    http_port, grpc_port, metrics_port = wanted if all(map(_port_is_free, wanted)) else free_ports(3)
    state_dir = tmp_path_factory.mktemp("triton-state")
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env |= {
        "CUSTODES_STATE_DIR": str(state_dir),
        "CUSTODES_TRITON__HTTP_PORT": str(http_port),
        "CUSTODES_TRITON__GRPC_PORT": str(grpc_port),
        "CUSTODES_TRITON__METRICS_PORT": str(metrics_port),
    }
    log_path = state_dir / "triton.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "custodes.recognition.triton_server"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = Settings(
        state_dir=state_dir,
        tools_dir=settings.tools_dir,
        triton=TritonSettings(http_port=http_port, grpc_port=grpc_port, metrics_port=metrics_port),
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _serving_custodes_models(started.triton):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"triton did not become ready:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.5)
        yield started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
async def client(triton_settings: Settings) -> AsyncIterator[RecognitionClient]:
    async with RecognitionClient(triton_settings) as recognition:
        yield recognition


def _photo(name: str) -> bytes:
    return (IMAGES / f"{name}.jpg").read_bytes()


def _grey_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (128, 128, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_server_and_models_are_ready(client):
    assert await client.ready()


@pytest.mark.parametrize("other", ["obama2", "obama3"])
async def test_genuine_pair_verifies(client, other):
    result = await client.verify(_photo("obama"), _photo(other), max_fmr=0.01)
    assert result.match
    assert result.score >= result.threshold
    assert result.operating_point_fmr == 0.01


@pytest.mark.parametrize("probe", ["obama", "obama2", "obama3"])
async def test_impostor_pair_does_not_verify(client, probe):
    result = await client.verify(_photo(probe), _photo("biden"), max_fmr=0.01)
    assert not result.match
    assert result.score < result.threshold


async def test_each_verification_is_three_counted_inferences(client):
    before = await client.settled_inference_count()
    await client.verify(_photo("obama"), _photo("obama2"), max_fmr=0.01)
    assert await client.settled_inference_count() == before + 3


async def test_refused_requests_never_reach_triton(client):
    before = await client.settled_inference_count()
    with pytest.raises(UncalibratedOperatingPoint):
        await client.verify(_photo("obama"), _photo("obama2"), max_fmr=1e-6)
    with pytest.raises(ImageRejected) as caught:
        await client.verify(b"definitely not a jpeg", _photo("obama2"), max_fmr=0.01)
    assert caught.value.reason is Reason.IMAGE_UNDECODABLE
    assert await client.settled_inference_count() == before


async def test_image_without_a_face_is_rejected(client):
    with pytest.raises(FaceRejected) as caught:
        await client.verify(_grey_png(), _photo("obama"), max_fmr=0.01)
    assert caught.value.reason is Reason.NO_FACE


async def test_result_carries_provenance_but_no_biometric_payload(client):
    result = await client.verify(_photo("obama"), _photo("obama3"), max_fmr=0.02)
    document = json.loads(result.model_dump_json())
    assert set(document) == {
        "match", "score", "threshold", "max_fmr", "operating_point_fmr", "model",
        "probe_sha256", "reference_sha256", "probe_face", "reference_face", "latency_ms",
    }
    assert document["model"]["sha256"]["fr_feature.onnx"] == client.model.sha256["fr_feature.onnx"]
    assert document["model"]["licence"] == "MIT"
    assert "not stated" in document["model"]["provenance"]
    assert len(result.model_dump_json()) < 2000


async def test_triton_computes_what_the_in_process_nets_compute(client):
    nets = FaceNets.from_models_dir(Settings().models_dir)
    image, _ = fit_within(decode_image(_photo("obama2")))
    local, remote = nets.detect(image), await client.detect(image)
    np.testing.assert_allclose(remote.boxes, local.boxes, atol=1e-3)
    np.testing.assert_allclose(remote.points5, local.points5, atol=1e-3)
    aligned = align_face(image, local.points5[0])[None]
    np.testing.assert_allclose(await client.embed(aligned), nets.embed(aligned), atol=1e-5)
    in_process = LocalFacePipeline(nets).compare(_photo("obama"), _photo("obama2"))
    result = await client.verify(_photo("obama"), _photo("obama2"), max_fmr=0.01)
    assert result.score == pytest.approx(in_process, abs=1e-5)


async def test_unreachable_server_is_reported_not_hidden():
    port = free_port()
    settings = Settings(triton=TritonSettings(grpc_port=port, http_port=port, timeout_s=2.0))
    async with RecognitionClient(settings) as unreachable:
        assert not await unreachable.ready()
        with pytest.raises(RecognitionUnavailable):
            await unreachable.verify(_photo("obama"), _photo("obama2"), max_fmr=0.01)


def test_images_exist():
    assert Path(IMAGES / "obama.jpg").exists()
