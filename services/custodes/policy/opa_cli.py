"""Running the pinned OPA binary (``.tools/bin/opa``) as a command-line tool.

Contract: :func:`run_opa` returns OPA's completed process whatever its exit status, and
raises :class:`PolicyToolError` only when OPA cannot be run at all (missing binary,
time-out), with what to do about it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from custodes.policy.errors import PolicyToolError
from custodes.settings import Settings

__all__ = ["opa_binary", "opa_path", "run_opa"]


def opa_path(settings: Settings) -> Path:
    """Where the pinned OPA binary of this checkout lives (installed or not)."""
    return settings.tools_dir / "bin" / "opa"


def opa_binary(settings: Settings) -> Path:
    """The pinned OPA binary of this checkout; raises when it is not installed."""
    binary = opa_path(settings)
    if not binary.exists():
        raise PolicyToolError(f"OPA binary missing at {binary}; run `make install` (needs Go)")
    return binary


def run_opa(opa: Path, args: Sequence[str], *, cwd: Path | None = None, stdin: bytes | None = None,
            timeout_s: float = 120.0) -> subprocess.CompletedProcess[bytes]:
    """Run ``opa <args>``; stdin is closed unless given."""
    try:
        return subprocess.run(
            [str(opa.resolve() if opa.exists() else opa), *args], cwd=cwd, input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True, timeout=timeout_s, check=False,
        )
    except FileNotFoundError as exc:
        raise PolicyToolError(f"cannot run OPA at {opa}: not found; run `make install`") from exc
    except subprocess.TimeoutExpired as exc:
        raise PolicyToolError(f"`opa {' '.join(args[:2])}` took longer than {timeout_s:.0f}s and was stopped") from exc
