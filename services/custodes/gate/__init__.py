"""custodes.gate."""
