"""custodes.stack."""
