"""The ``custodes`` command."""

from custodes.cli.app import app, main

__all__ = ["app", "main"]
