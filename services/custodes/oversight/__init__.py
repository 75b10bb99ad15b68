"""custodes.oversight — what oversight bodies (DPAs, courts, auditors) query.

Home of the oversight API, proof verification and error-rate / bias reports (later issues).
"""
