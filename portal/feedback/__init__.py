"""Citizen feedback (phản ánh, kiến nghị)."""
