"""custodes.events."""
