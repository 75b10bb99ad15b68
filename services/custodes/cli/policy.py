"""``custodes policy``: evaluate, build, sign and replay policy bundles (issue 4)."""

import typer

app = typer.Typer(no_args_is_help=True, help="Policy bundles: eval, build (signed), replay, new-jurisdiction.")
