"""custodes.audit."""
