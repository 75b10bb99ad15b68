"""Serve the face nets on Triton Inference Server through nvidia-pytriton (CPU, 127.0.0.1 only).

Models (names are the contract with ``custodes.recognition.client``):

- ``face_detect`` — one image per request, no batching. Input ``image`` uint8 (H, W, 3) RGB.
  Outputs ``boxes`` float32 (M, 4) x1, y1, x2, y2 pixels; ``scores`` float32 (M,);
  ``points5`` float32 (M, 5, 2) eyes, nose tip, mouth corners; ``face_count`` int32 (1,).
  ``M = max(face_count, 1)``: only the first ``face_count`` rows are faces (PyTriton cannot
  transfer empty tensors, so an image without faces answers one row of zeros).
- ``face_embed`` — dynamically batched. Input ``aligned`` uint8 (112, 112, 3) per face;
  output ``embedding`` float32 (512,) L2-normalised.

Start it with ``python -m custodes.recognition.triton_server`` (ports from
``CUSTODES_TRITON__HTTP_PORT`` / ``__GRPC_PORT`` / ``__METRICS_PORT``).

Access: PyTriton protects shared-memory, model-repository, trace, logging and statistics
with a random per-start token. ``serve()`` keeps all but ``statistics`` protected, so any
local client can read inference counts (no biometric data) but nobody can load, unload or
re-point models.

libpython pitfall: PyTriton's Python-backend stub resolves ``libpython3.11.so`` through the
dynamic loader and, on Debian, finds the system's 3.11.2 instead of this interpreter's;
model load then fails with ``'_thread.RLock' object has no attribute '_recursion_count'``.
``serve()`` puts this interpreter's ``LIBDIR`` first on ``LD_LIBRARY_PATH`` in
``os.environ`` before Triton starts; PyTriton copies ``os.environ`` into the tritonserver
process, whose stubs inherit it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import sysconfig
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from custodes.recognition.model_card import ModelCard, load_model_card
from custodes.recognition.nets import EMBEDDING_SIZE, FaceNets
from custodes.settings import Settings

DETECT_MODEL = "face_detect"
EMBED_MODEL = "face_embed"
MODEL_NAMES = (DETECT_MODEL, EMBED_MODEL)
EMBED_MAX_BATCH = 16
EMBED_QUEUE_DELAY_US = 2000
PUBLIC_ENDPOINTS = frozenset({"statistics"})

logger = logging.getLogger(__name__)


class ModelIntegrityError(RuntimeError):
    """A model file on disk differs from the sha256 recorded in its model card."""


def verify_model_files(nets: FaceNets, card: ModelCard) -> None:
    """Raise ``ModelIntegrityError`` unless every card file matches its sha256 on disk."""
    on_disk = nets.sha256
    mismatched = sorted(name for name, digest in card.sha256.items() if on_disk.get(name) != digest)
    if mismatched:
        raise ModelIntegrityError(f"files differ from model card {card.id}@{card.version}: {mismatched}")


def python_libdir_first_on_library_path() -> str:
    """Put this interpreter's LIBDIR first on ``LD_LIBRARY_PATH`` (idempotent); return the new value."""
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    entries = [p for p in os.environ.get("LD_LIBRARY_PATH", "").split(":") if p and p != libdir]
    value = ":".join([libdir, *entries]) if libdir else ":".join(entries)
    os.environ["LD_LIBRARY_PATH"] = value
    return value


def detect_callable(nets: FaceNets):
    """Inference callable of ``face_detect``: one request per image."""

    def infer(requests: list[Any]) -> list[dict[str, np.ndarray]]:
        responses = []
        for request in requests:
            detections = nets.detect(np.ascontiguousarray(request["image"], dtype=np.uint8))
            responses.append(
                {
                    "boxes": _at_least_one_row(detections.boxes),
                    "scores": _at_least_one_row(detections.scores),
                    "points5": _at_least_one_row(detections.points5),
                    "face_count": np.array([detections.count], dtype=np.int32),
                }
            )
        return responses

    return infer


def _at_least_one_row(array: np.ndarray) -> np.ndarray:
    if array.shape[0]:
        return array.astype(np.float32)
    return np.zeros((1, *array.shape[1:]), dtype=np.float32)


def embed_callable(nets: FaceNets):
    """Inference callable of ``face_embed``: a dynamic batch of aligned faces."""
    from pytriton.decorators import batch

    @batch
    def infer(aligned: np.ndarray) -> dict[str, np.ndarray]:
        return {"embedding": nets.embed(aligned.astype(np.uint8))}

    return infer


def bind_models(triton: Any, nets: FaceNets) -> None:
    from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor

    triton.bind(
        model_name=DETECT_MODEL,
        infer_func=detect_callable(nets),
        inputs=[Tensor(name="image", dtype=np.uint8, shape=(-1, -1, 3))],
        outputs=[
            Tensor(name="boxes", dtype=np.float32, shape=(-1, 4)),
            Tensor(name="scores", dtype=np.float32, shape=(-1,)),
            Tensor(name="points5", dtype=np.float32, shape=(-1, 5, 2)),
            Tensor(name="face_count", dtype=np.int32, shape=(1,)),
        ],
        config=ModelConfig(batching=False),
        strict=True,
    )
    triton.bind(
        model_name=EMBED_MODEL,
        infer_func=embed_callable(nets),
        inputs=[Tensor(name="aligned", dtype=np.uint8, shape=(112, 112, 3))],
        outputs=[Tensor(name="embedding", dtype=np.float32, shape=(EMBEDDING_SIZE,))],
        config=ModelConfig(
            max_batch_size=EMBED_MAX_BATCH,
            batcher=DynamicBatcher(max_queue_delay_microseconds=EMBED_QUEUE_DELAY_US),
        ),
        strict=True,
    )


def triton_config(settings: Settings) -> Any:
    from pytriton.triton import TritonConfig

    host = settings.triton.host
    return TritonConfig(
        http_address=host,
        http_port=settings.triton.http_port,
        grpc_address=host,
        grpc_port=settings.triton.grpc_port,
        metrics_address=host,
        metrics_port=settings.triton.metrics_port,
        allow_gpu_metrics=False,
        exit_on_error=True,
        log_verbose=0,
    )


class _StopRequested(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _StopRequested(signal.Signals(signum).name)


def serve(settings: Settings) -> None:
    """Load and verify the nets, start Triton on ``settings.triton`` and block until it stops.

    Refuses to start (``ModelIntegrityError``) when a model file differs from the model card.
    SIGTERM and SIGINT stop Triton and remove its workspace, also when the process was
    started in the background with SIGINT ignored.
    """
    card = load_model_card()
    nets = FaceNets.from_models_dir(settings.models_dir)
    verify_model_files(nets, card)
    python_libdir_first_on_library_path()
    from pytriton.triton import DEFAULT_PROTECTED_ENDPOINTS, Triton, TritonSecurityConfig

    security = TritonSecurityConfig(
        restricted_endpoints=[e for e in DEFAULT_PROTECTED_ENDPOINTS if e not in PUBLIC_ENDPOINTS]
    )
    workspace_root = settings.state_dir / "triton"
    workspace_root.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix="workspace-", dir=workspace_root)) / "pytriton"
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _raise_stop)
    try:
        with Triton(config=triton_config(settings), workspace=workspace, security_config=security) as triton:
            bind_models(triton, nets)
            logger.info(
                "triton serving %s (card %s@%s) on %s http=%d grpc=%d metrics=%d",
                ",".join(MODEL_NAMES), card.id, card.version, settings.triton.host,
                settings.triton.http_port, settings.triton.grpc_port, settings.triton.metrics_port,
            )
            triton.serve()
    except _StopRequested as stop:
        logger.info("triton stopped on %s", stop)
    finally:
        shutil.rmtree(workspace.parent, ignore_errors=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    serve(Settings())


if __name__ == "__main__":
    main()
