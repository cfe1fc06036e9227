"""API keys for the machine interfaces: issued and revoked by an administrator, stored hashed, scoped, limited."""
