"""``custodes audit``: read the audit ledger."""

from __future__ import annotations

import time

import typer
from custodes.cli.console import make_console

from custodes.audit.errors import AuditStoreError
from custodes.audit.tail import fetch_recent, render_records
from custodes.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Read the audit ledger (decisions and outcomes, never images).")
console = make_console()


@app.command()
def tail(
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=10_000, help="how many of the newest records"),
    event_id: str = typer.Option(None, help="only the records about this event"),
    follow: bool = typer.Option(False, "--follow", "-f", help="keep printing new records until Ctrl-C"),
    as_json: bool = typer.Option(False, "--json", help="one JSON record per line instead of a table"),
) -> None:
    """Show the newest audit records (from the running ledger, or the store when it is stopped)."""
    settings = get_settings()
    seen: set[str] = set()
    try:
        while True:
            records = [r for r in fetch_recent(settings, limit=limit, event_id=event_id) if r.record_id not in seen]
            seen.update(r.record_id for r in records)
            if as_json:
                for record in reversed(records):
                    typer.echo(record.model_dump_json())
            elif records or not follow:
                console.print(render_records(records))
            if not follow:
                return
            time.sleep(1.0)
    except AuditStoreError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        return
