"""custodes — governed face recognition: the law in the data path.

Packages, one per concern:
- ``custodes.events``      wire contracts of the events custodes consumes and emits
- ``custodes.policy``      the OPA client and how event inputs are built (fail closed)
- ``custodes.gate``        the service that asks OPA about every event before any face is searched
- ``custodes.recognition`` detect, align, embed, compare on Triton Inference Server
- ``custodes.audit``       the audit ledger in ClickHouse (embedded chDB by default)
- ``custodes.oversight``   what oversight bodies query (later: API, proofs, bias reports)
- ``custodes.stack``       starts, stops and checks the real local components
- ``custodes.cli``         the ``custodes`` command
"""

__version__ = "0.1.0"
