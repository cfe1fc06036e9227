"""Backups that restore: the database and the upload store as one artefact, with a manifest of SHA-256 sums.

`flask --app portal backup` writes `portal-backup-<UTC time>/` (manifest.json, the database dump, uploads/);
`backup --verify PATH` checks one; `restore PATH` puts it back and checks the result (operations.py).
"""
