"""The working-day calendar: statutory holidays plus announced swaps, editable by admins."""
