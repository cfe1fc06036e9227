"""App-wide sign-in and role checks: default-deny staff blueprints (access.py)."""
