"""``custodes simulate``: realistic mixed traffic to Kafka (issue 3)."""

import typer

app = typer.Typer(no_args_is_help=True, help="Produce realistic mixed traffic to Kafka.")
