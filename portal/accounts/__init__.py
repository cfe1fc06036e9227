"""Accounts of citizens and staff; sign-in and sign-out."""
