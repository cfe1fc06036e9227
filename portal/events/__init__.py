"""The append-only timeline and audit record, and the audit log (/staff/audit).

Imports no feature: what the events are about is registered by the features (registry.py).
"""
