"""When the demo's items were worked on: their history spread out after they were sent, so a newcomer reads a
timeline in order, with dates that match the item's own (sent four days ago, answered soon after: not all
at the moment the demo was loaded). Shared by the feedback and dossier demos; the standard library only."""

from __future__ import annotations

from datetime import datetime, timedelta

STEP = timedelta(hours=2)


def history_moments(start: datetime, now: datetime, steps: int) -> list[datetime]:
    """The moments of an item's `steps` staff actions, sent at `start`: `STEP` apart after it, squeezed
    closer when it was sent less than that long ago, so that none is in the future and they keep their
    order."""
    gap = min(STEP, (now - start) / (steps + 1))
    return [start + gap * number for number in range(1, steps + 1)]
