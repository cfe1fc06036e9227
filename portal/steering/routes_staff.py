"""/staff/steering: the steering actions of staff (closed by default; each route opens per role)."""

from __future__ import annotations

from flask import Blueprint

from portal.auth.access import protect

bp = protect(Blueprint("steering_staff", __name__, url_prefix="/staff/steering", template_folder="templates"))
