"""custodes.audit: the audit ledger.

Light to import: records and errors only. The store (``custodes.audit.store``), the
ledger service (``custodes.audit.service``) and the tail reader (``custodes.audit.tail``)
are imported from their modules.
"""

from custodes.audit.errors import AuditStoreError
from custodes.audit.records import AuditRecord, Kind, make_record_id

__all__ = ["AuditRecord", "AuditStoreError", "Kind", "make_record_id"]
