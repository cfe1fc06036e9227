"""The append-only timeline and audit record."""
