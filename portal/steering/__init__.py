"""Steering a bad week (issue 14 items 2, 4, 5): the Decision 766 effect of each item, conduct complaints
routed above the named unit, and closure the citizen can verify."""
