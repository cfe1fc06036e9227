"""Help around the report form: similar reports and "my problem too", the emergency numbers and the
commune's hotline, finding a commune by its pre-2025 name. On the feedback blueprint.

Without JavaScript it all happens in the report form itself: the "check for similar reports", "find" and
"this is my problem too" buttons post the form back to /feedback/new, which answers with the same form
(everything typed kept) and the help filled in (`help_step`). With JavaScript, report-help.js fetches the
same help part from /feedback/similar as the citizen chooses and types.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal import throttle
from portal.domain.ids import parse_id
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.extensions import db
from portal.places import queries as places

from . import help as report_help_rules
from . import queries
from .forms import SubmitForm
from .labels import STATUS
from .routes import bp

SUPPORTS_PER_ADDRESS_HOUR = 30
# The help's look-ups (report-help.js asks again half a second after the citizen stops typing; the form's
# "check" and "find" buttons): a citizen writing a report asks a few dozen times, a script thousands.
HELP_LOOKUPS_PER_ADDRESS_HOUR = 120
SESSION_SUPPORTER = "supporter_id"
HELP_BUTTONS = ("check", "find_commune")


def _as_int(value: Any) -> int | None:
    """A row id from the query or the form, None for anything else (past 64 bits too: no row has it)."""
    return parse_id(value)


def report_help(
    category_id: int | None,
    commune: str | None,
    title: str,
    *,
    search: str = "",
    supported: bool | None = None,
) -> dict[str, Any]:
    """What the help part of the form shows for these choices (the one function the form, its help buttons
    and report-help.js all show; help.similar decides what of other reports may be shown)."""
    urgent = report_help_rules.is_urgent(category_id)
    nearby = report_help_rules.similar(category_id, commune, title)
    return {
        "urgent": urgent,
        "numbers": report_help_rules.EMERGENCY_NUMBERS,
        "hotline": places.hotline(commune) if urgent and commune else "",
        "similar": nearby.published,
        "being_checked": nearby.being_checked,
        "chosen": bool(category_id and category_id > 0 and commune) and not nearby.protected,
        "search": search,
        "matches": places.find(search) if search else [],
        "supported": supported,
        "status_labels": STATUS,
    }


def _supporter(phone_text: str | None) -> str:
    try:
        phone = normalise_mobile(phone_text or "") if phone_text else None
    except InvalidPhone:
        phone = None
    session_id = session.setdefault(SESSION_SUPPORTER, secrets.token_hex(16))
    return report_help_rules.supporter_key(phone, session_id)


def _count_support(item_id: int | None, phone_text: str | None) -> bool | None:
    """True: counted; False: this phone or session already counted; None: a closed report. A report the
    public cannot see (unpublished, reporter protected, missing) is 404, as its page is."""
    if item_id is None:
        abort(404)
    supportable = report_help_rules.supportable(item_id)
    if supportable is None:
        abort(404)
    if not supportable:
        return None
    throttle.enforce(f"support:ip:{throttle.client_source()}", SUPPORTS_PER_ADDRESS_HOUR, 3600)
    counted = report_help_rules.support(item_id, _supporter(phone_text))
    db.session.commit()
    return counted


def _count_look_up() -> None:
    """One help look-up from this address (429 past the limit)."""
    throttle.enforce(f"help:ip:{throttle.client_source()}", HELP_LOOKUPS_PER_ADDRESS_HOUR, 3600)


def help_step(form: SubmitForm) -> dict[str, Any] | None:
    """The form was posted by one of the help buttons, not "Send": do that, and return the help to show
    with the form (no validation errors: the citizen has not tried to send yet). None for a real send."""
    pressed = next((name for name in HELP_BUTTONS if name in request.form), None)
    # "support-<id>" and "pick_commune-<code>": the value of a submit input is its label, so the name says what.
    chosen = next((key for key in request.form if key.startswith(("support-", "pick_commune-"))), None)
    if pressed is None and chosen is None:
        return None
    _count_look_up()
    search = (request.form.get("commune_search") or "").strip()[:80]
    supported = None
    if chosen and chosen.startswith("pick_commune-"):
        code = chosen.removeprefix("pick_commune-")
        if any(code == value for value, _label in places.choices()):
            form.commune.data, search = code, ""
    elif chosen:
        supported = _count_support(_as_int(chosen.removeprefix("support-")), request.form.get("phone"))
    if pressed == "find_commune" and search:
        matches = places.find(search)
        if len(matches) == 1:  # one answer: chosen for them (they see it in the list and can change it)
            form.commune.data = matches[0][0]
    return report_help(
        form.category.data, form.commune.data, form.title.data or "", search=search, supported=supported
    )


@bp.get("/similar")
def similar():
    """The help part for report-help.js: the same template the form shows without JavaScript."""
    _count_look_up()
    category_id = _as_int(request.args.get("category"))
    commune = request.args.get("commune", "")[:5]
    search = request.args.get("commune_search", "").strip()[:80]
    context = report_help(category_id, commune, request.args.get("title", "")[:200], search=search)
    part = render_template("feedback/_report_help_live.html", report_help=context)
    # JSON, not a page: a part of the form, which report-help.js puts in place.
    return jsonify(html=part), 200, {"Cache-Control": "no-store"}


@bp.post("/<code>/support")
def support_published(code: str):
    """ "My problem too" from a published report's public page."""
    item = queries.published_by_code(code) or abort(404)
    counted = _count_support(item.id, None)
    if counted is None:
        flash(_("This report is closed; if the problem is back, please send a new report."), "error")
    elif counted:
        flash(_("Thank you: you were counted among the people with this problem."), "success")
    else:
        flash(_("You have already said this is your problem too."), "success")
    return redirect(url_for(".public_item", code=item.code))
