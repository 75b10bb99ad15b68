"""custodes.recognition."""
