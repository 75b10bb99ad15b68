"""Root of the ``custodes`` command; each concern adds its own sub-app."""

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="custodes: governed face recognition.")


def main() -> None:
    app()
