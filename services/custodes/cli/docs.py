"""``custodes docs``: generated documents (AsyncAPI)."""

import typer

app = typer.Typer(no_args_is_help=True, help="Write generated documents (AsyncAPI of all services).")
