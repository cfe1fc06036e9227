"""Agencies: provincial departments and commune People's Committees."""
