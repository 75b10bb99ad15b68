"""Root of the ``custodes`` command; each concern adds its own sub-app."""

import logging

import typer

from custodes.cli import audit, demo, docs, policy, simulate, stack

app = typer.Typer(no_args_is_help=True, add_completion=False, help="custodes: governed face recognition.")
app.add_typer(stack.app, name="stack")
app.add_typer(audit.app, name="audit")
app.add_typer(policy.app, name="policy")
app.add_typer(docs.app, name="docs")
app.command("simulate")(simulate.simulate)
app.command("demo")(demo.demo)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="log at INFO")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    app()
