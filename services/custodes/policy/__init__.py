"""custodes.policy."""
