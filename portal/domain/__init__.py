"""Pure domain rules: standard library only."""
