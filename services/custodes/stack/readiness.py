"""Services without an HTTP port report readiness with a file the stack manager watches."""

from __future__ import annotations

from datetime import UTC, datetime

from custodes.settings import Settings


def mark_ready(settings: Settings, name: str) -> None:
    run = settings.state_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    (run / f"{name}.ready").write_text(datetime.now(UTC).isoformat())
