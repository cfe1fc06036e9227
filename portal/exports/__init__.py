"""Exports for other government systems: dossiers in the national portal's synchronisation layout (JSON, CSV)."""
