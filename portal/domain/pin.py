"""The position of a report as a public view shows it. Pure: stdlib only.

A report's map pin may be a house. Without the reporter's "precise map pin" consent every public view (the
item page, Open311, any public map) shows it rounded to 0.01° (about 1 km: the village, not the house,
SECURITY.md check 30); with that consent, to 0.00001° (about 1 m, what a phone's GPS gives). Staff always
see the stored position.
"""

from __future__ import annotations

COARSE_DECIMALS = 2  # ~1.1 km
PRECISE_DECIMALS = 5  # ~1.1 m


def public_position(
    latitude: float | None, longitude: float | None, precise: bool
) -> tuple[float, float] | None:
    """(latitude, longitude) as shown publicly, or None when the report has no position."""
    if latitude is None or longitude is None:
        return None
    decimals = PRECISE_DECIMALS if precise else COARSE_DECIMALS
    return round(latitude, decimals), round(longitude, decimals)
