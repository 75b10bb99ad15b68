"""One console for the CLI: the terminal's width, or 160 columns when output is piped."""

from rich.console import Console


def make_console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)
