"""custodes.docs — documents generated from the code (the AsyncAPI document of all services)."""

from custodes.docs.asyncapi import asyncapi_document, validate_document

__all__ = ["asyncapi_document", "validate_document"]
