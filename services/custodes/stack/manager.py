"""``custodes stack up | down | status``: start, stop and report the real local stack.

Contract: ``up`` is idempotent (a healthy component is left running), checks every
prerequisite before starting anything, starts components in order and waits for each
health check; on failure it says which component failed, why, and where its log is.
``down`` stops services first, then infrastructure; data under the state directory
stays, so audit records survive a restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from custodes.settings import Settings
from custodes.stack.components import Component, PreflightError, components
from custodes.stack.processes import ProcessDir, port_open
from custodes.stack.topics import ensure_topics


class StackError(RuntimeError):
    """A component could not be started; the message names it and points at its log."""


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    kind: str
    pid: int | None
    healthy: bool
    detail: str
    endpoint: str
    log: str


class StackManager:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.procs = ProcessDir(settings.state_dir)
        self.components = components(settings)

    def status(self) -> list[ComponentStatus]:
        out = []
        for c in self.components:
            pid = self.procs.pid_of(c.name)
            healthy, detail = c.health(self.settings) if pid else (False, "not running")
            out.append(ComponentStatus(c.name, c.kind, pid, healthy, detail, c.endpoint(),
                                       str(self.procs.log_file(c.name))))
        return out

    def up(self, on_progress=lambda name, msg: None) -> list[ComponentStatus]:
        for c in self.components:
            c.preflight(self.settings)
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        for c in self.components:
            self._start(c, on_progress)
            if c.name == "kafka":
                created = ensure_topics(self.settings)
                if created:
                    on_progress("kafka", f"created topics: {', '.join(created)}")
        return self.status()

    def start_one(self, name: str, on_progress=lambda name, msg: None) -> None:
        """Start one component (idempotent) and wait until it is healthy — e.g. a benchmark's
        own OPA, configured exactly as the stack's, on other ports and another state directory."""
        component = next((c for c in self.components if c.name == name), None)
        if component is None:
            raise StackError(f"no component {name!r}; components: {', '.join(c.name for c in self.components)}")
        component.preflight(self.settings)
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self._start(component, on_progress)

    def stop_one(self, name: str) -> bool:
        """Stop one component; True if it was running."""
        return self.procs.stop(name, grace_s=10)

    def _start(self, c: Component, on_progress) -> None:
        if self.procs.pid_of(c.name) is not None:
            healthy, detail = c.health(self.settings)
            if healthy:
                on_progress(c.name, f"already running ({detail})")
                return
            on_progress(c.name, "running but unhealthy; waiting")
        else:
            busy = [f"127.0.0.1:{port}" for _, port in c.ports if port_open("127.0.0.1", port)]
            if busy:
                raise PreflightError(
                    f"{c.name}: {', '.join(busy)} already in use by a process this stack did not start; "
                    f"stop it, or move {c.name} to other ports with CUSTODES_* settings (see README)"
                )
            (self.settings.state_dir / "run" / f"{c.name}.ready").unlink(missing_ok=True)
            c.prepare(self.settings)
            self.procs.start(c.name, c.argv(self.settings), env=c.env, cwd=self.settings.state_dir)
            on_progress(c.name, "starting")
        deadline = time.monotonic() + c.start_timeout_s
        detail = ""
        while time.monotonic() < deadline:
            if self.procs.pid_of(c.name) is None:
                raise StackError(
                    f"{c.name} exited during start-up; last lines of {self.procs.log_file(c.name)}:\n"
                    f"{self.procs.tail(c.name)}"
                )
            healthy, detail = c.health(self.settings)
            if healthy:
                on_progress(c.name, f"healthy ({detail})")
                return
            time.sleep(0.5)
        raise StackError(
            f"{c.name} not healthy after {c.start_timeout_s:.0f}s ({detail}); "
            f"last lines of {self.procs.log_file(c.name)}:\n{self.procs.tail(c.name)}"
        )

    def down(self, on_progress=lambda name, msg: None) -> None:
        for c in reversed(self.components):
            if self.procs.stop(c.name, grace_s=20 if c.kind == "infrastructure" else 10):
                on_progress(c.name, "stopped")
            (self.settings.state_dir / "run" / f"{c.name}.ready").unlink(missing_ok=True)
