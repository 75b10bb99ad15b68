"""``custodes stack``: the real local stack."""

from __future__ import annotations

import typer
from custodes.cli.console import make_console
from rich.table import Table

from custodes.settings import get_settings
from custodes.stack.components import PreflightError
from custodes.stack.manager import StackError, StackManager

app = typer.Typer(no_args_is_help=True, help="Start, stop and check the local stack (Kafka, OPA, Triton, chDB, services).")
console = make_console()


def _manager(only: str | None) -> StackManager:
    manager = StackManager(get_settings())
    if only:
        names = {n.strip() for n in only.split(",")}
        unknown = names - {c.name for c in manager.components}
        if unknown:
            raise typer.BadParameter(f"unknown component(s): {', '.join(sorted(unknown))}", param_hint="--only")
        manager.components = [c for c in manager.components if c.name in names]
    return manager


def _progress(name: str, message: str) -> None:
    console.print(f"  [bold]{name:<12}[/bold] {message}")


@app.command()
def up(only: str = typer.Option(None, help="comma-separated subset, e.g. kafka,opa")) -> None:
    """Start every component (idempotent) and wait until each is healthy."""
    manager = _manager(only)
    console.print(f"custodes stack up — state in {manager.settings.state_dir}")
    try:
        manager.up(_progress)
    except (PreflightError, StackError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    _print_status(manager)
    console.print("stop it with: [bold].venv/bin/custodes stack down[/bold]  (or `make clean`)")


@app.command()
def down(only: str = typer.Option(None, help="comma-separated subset")) -> None:
    """Stop the components; data stays under the state directory."""
    manager = _manager(only)
    manager.down(_progress)
    console.print("stack stopped; data kept in " + str(manager.settings.state_dir))


@app.command()
def status() -> None:
    """Report each component: pid, health, endpoint, log. Exit 1 if any is not healthy."""
    manager = _manager(None)
    if not _print_status(manager):
        raise typer.Exit(1)


def _print_status(manager: StackManager) -> bool:
    table = Table(title="custodes stack", title_justify="left")
    for col in ("component", "pid", "health", "endpoint", "detail"):
        table.add_column(col)
    all_ok = True
    for s in manager.status():
        all_ok &= s.healthy
        health = "[green]healthy[/green]" if s.healthy else ("[red]unhealthy[/red]" if s.pid else "[dim]stopped[/dim]")
        table.add_row(s.name, str(s.pid or "-"), health, s.endpoint or "-", s.detail)
    console.print(table)
    return all_ok
