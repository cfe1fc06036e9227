"""The dashboard request's parameters: the date range (?from, ?to) and the scope (?agency)."""

from __future__ import annotations

import re
from datetime import date

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.domain.roles import Role
from portal.extensions import db
from portal.i18n import locale_code

from .dashboard import Period, Scope

MAX_DAYS = 731  # two years; longer ranges are a report, not a dashboard
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_day(raw: str) -> date:
    if not DATE.fullmatch(raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def parse_period(args, today: date) -> tuple[Period, str | None]:
    """The requested range, or this month so far with a message saying why the request was not used."""
    default = Period(today.replace(day=1), today)
    raw_first, raw_last = args.get("from", "").strip(), args.get("to", "").strip()
    if not raw_first and not raw_last:
        return default, None
    try:
        last = min(_parse_day(raw_last), today) if raw_last else today  # nothing is known after today
        first = _parse_day(raw_first) if raw_first else last.replace(day=1)
    except ValueError:
        return default, _(
            "The dates were not understood (use the format YYYY-MM-DD). Showing this month instead."
        )
    if first > last:
        return default, _("The start date is after the end date. Showing this month instead.")
    if (last - first).days >= MAX_DAYS or first.year < 2000:
        return default, _("Choose a range of at most two years. Showing this month instead.")
    return Period(first, last), None


def chooses_agency() -> bool:
    """The province administrator chooses any agency or the whole province."""
    return current_user.role == Role.ADMIN


def resolve_scope(raw: str) -> tuple[Scope, str | None]:
    """Admins choose any agency or the whole province; everybody else sees their own agency only."""
    if chooses_agency():
        if raw in ("", "all"):
            return Scope(None), None
        agency = db.session.scalar(select(Agency).where(Agency.slug == raw[:80]))
        if agency is None:
            return Scope(None), _("Unknown agency. Showing the whole province instead.")
        return Scope(agency), None
    own = current_user.agency
    if own is None or raw not in ("", own.slug):
        abort(403)
    return Scope(own), None


def scope_name(scope: Scope) -> str:
    if scope.agency is None:
        return _("Sơn La province")
    return scope.agency.name_en if locale_code() == "en" and scope.agency.name_en else scope.agency.name
