"""The recognition service: runs only work the gate allowed, on Triton.

Contract, per ``RecognitionRequest`` consumed:
- a request whose decision is not ``allow`` is refused (defence in depth) and audited;
- the comparison runs at the decision's ``max_fmr`` obligation through the model card's
  calibration; an uncalibrated rate gives an audited ``error:<reason>`` outcome, never a
  match;
- a request whose images cannot be used (no face, several faces, undecodable or too large
  for the decoder: only the detector and the decoder can tell) is dead-lettered with that
  reason, counted, and audited as ``error:<reason>``; the service goes on;
- the outcome is audited as a ``recognition_result`` record (score, threshold, model id,
  version and hash, input hashes) — never an embedding or an image;
- Triton unreachable: the handler raises, the offset is not committed and the request is
  redelivered (at-least-once), after a back-off.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from custodes.audit.emit import emit, judged_record_fields, parse_or_reject
from custodes.audit.records import AuditRecord
from custodes.events import RecognitionRequest
from custodes.events.deadletter import RejectReason, Rejection, dead_letter
from custodes.events.raw import headers_safe_parser, raw_decoder
from custodes.recognition.client import ModelInfo, RecognitionClient
from custodes.recognition.errors import (
    FaceRejected,
    ImageRejected,
    Reason,
    RecognitionUnavailable,
    UncalibratedOperatingPoint,
)
from custodes.settings import Settings, get_settings
from custodes.stack.readiness import mark_ready

log = logging.getLogger("custodes.recognition")
SERVICE = "custodes.recognition"
DEFAULT_MAX_FMR = 0.001


def model_digest(model: ModelInfo) -> str:
    """One sha256 naming the exact set of model files (file name and hash of each)."""
    lines = "".join(f"{name}:{digest}\n" for name, digest in sorted(model.sha256.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def _base_record(work: RecognitionRequest) -> dict:
    return judged_record_fields("recognition_result", work.event, work.decision, SERVICE)


async def recognise(client: RecognitionClient, work: RecognitionRequest) -> AuditRecord:
    """Run one allowed 1:1 comparison and return its audit record.

    Raises ``RecognitionUnavailable`` when Triton is down, ``FaceRejected``/``ImageRejected``
    when an image cannot be used.
    """
    base = _base_record(work)
    if not work.decision.allow:
        return AuditRecord(**base, outcome="error:not_allowed",
                           reasons=[{"code": "not_allowed", "requirement": "CUSTODES-01",
                                     "legal_ref": "custodes gate contract",
                                     "message": "recognition refused: the decision does not allow it"}])
    max_fmr = float(work.decision.obligations.get("max_fmr", DEFAULT_MAX_FMR))
    try:
        result = await client.verify(work.event.selfie.data, work.event.id_document.portrait.data, max_fmr=max_fmr)
    except UncalibratedOperatingPoint as exc:
        return AuditRecord(**base, outcome=f"error:{exc.reason.value}", max_fmr=max_fmr,
                           reasons=[{"code": exc.reason.value, "requirement": "CUSTODES-08",
                                     "legal_ref": "ISO/IEC 29794-5 (quality floor); model card",
                                     "message": exc.detail[:500]}])
    return AuditRecord(
        **base,
        outcome="match" if result.match else "no_match",
        score=result.score,
        threshold=result.threshold,
        max_fmr=result.max_fmr,
        model_id=result.model.id,
        model_version=result.model.version,
        model_sha256=model_digest(result.model),
        details={"latency_ms": round(result.latency_ms, 1), "model_licence": result.model.licence,
                 "model_files_sha256": result.model.sha256, "operating_point_fmr": result.operating_point_fmr},
    )


def _unusable_input(exc: FaceRejected | ImageRejected) -> Rejection:
    code = RejectReason.IMAGE_UNDECODABLE if exc.reason is Reason.IMAGE_EMPTY else RejectReason(exc.reason.value)
    return Rejection(code, exc.detail)


def unusable_input_record(work: RecognitionRequest, reason: dict) -> AuditRecord:
    """The audit record of an allowed request whose images could not be used, with where it was dead-lettered."""
    return AuditRecord(**_base_record(work), outcome=f"error:{reason['code']}",
                       reasons=[{"code": reason["code"], "requirement": "CUSTODES-08",
                                 "legal_ref": "ISO/IEC 29794-5 (quality floor); model card",
                                 "message": reason["detail"][:500]}],
                       details={"dead_letter": {"topic": f"{reason['topic']}.dlq", "partition": reason["partition"],
                                                "offset": reason["offset"]}})


def build_recognition(settings: Settings, client: RecognitionClient | None = None):
    topics = settings.kafka.topics
    broker = KafkaBroker(settings.kafka.bootstrap_servers, client_id="custodes-recognition",
                         max_request_size=settings.kafka.max_message_bytes)
    clients = [client] if client is not None else []

    def triton() -> RecognitionClient:
        """The Triton client, made on first use inside the running loop (gRPC aio binds to it)."""
        if not clients:
            clients.append(RecognitionClient(settings))
        return clients[0]
    app = FastStream(broker)

    @broker.subscriber(topics.recognition_requests, group_id=settings.recognition.group_id, auto_offset_reset="earliest",
                       ack_policy=AckPolicy.NACK_ON_ERROR, max_partition_fetch_bytes=settings.kafka.max_message_bytes,
                       parser=headers_safe_parser, decoder=raw_decoder,
                       title="recognition requests", description="work the gate allowed, with its obligations")
    async def on_request(msg: KafkaMessage) -> None:
        raw = msg.raw_message
        work = await parse_or_reject(broker, raw, RecognitionRequest, topics.audit_records, SERVICE)
        if work is None:
            return
        try:
            record = await recognise(triton(), work)
        except RecognitionUnavailable as exc:
            log.error("Triton unavailable, request %s will be redelivered: %s", work.event.event_id, exc.detail)
            await asyncio.sleep(2.0)
            raise
        except (FaceRejected, ImageRejected) as exc:
            reason = await dead_letter(broker, raw, _unusable_input(exc), SERVICE)
            record = unusable_input_record(work, reason)
        except Exception as exc:  # noqa: BLE001 - a poison request must not block the partition
            log.exception("recognition of %s failed; dead-lettering it", work.event.event_id)
            rejection = Rejection("internal_error", f"{type(exc).__name__}: {str(exc)[:300]}")
            reason = await dead_letter(broker, raw, rejection, SERVICE)
            record = AuditRecord(**_base_record(work), outcome="error:internal_error",
                                 reasons=[{"code": "internal_error", "requirement": "CUSTODES-01",
                                           "legal_ref": "custodes recognition contract",
                                           "message": reason["detail"]}])
        await emit(broker, topics.audit_records, record)
        log.info("event %s: %s (score %s, threshold %s)", work.event.event_id, record.outcome,
                 record.score, record.threshold)

    @app.after_startup
    async def _ready() -> None:
        mark_ready(settings, "recognition")

    @app.after_shutdown
    async def _close() -> None:
        for made in clients:
            await made.close()

    return broker, app


async def _serve() -> None:
    _, app = build_recognition(get_settings())  # inside the loop: the gRPC aio channel binds to it
    await app.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve())


if __name__ == "__main__":
    main()
