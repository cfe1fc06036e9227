"""/staff/queue: one queue for feedback and dossiers; claim, take next, release. Closed by default."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from portal import pagination
from portal.auth.access import agency_scope, allow, protect
from portal.calendar.queries import local_now
from portal.domain.roles import CASE_WORKERS, LEADERS, QUEUE_ROLES
from portal.domain.text import clean
from portal.dossiers import queries as dossier_queries
from portal.dossiers.policy import can_handle, sees_restricted
from portal.extensions import db
from portal.i18n import locale_code

from . import approvals, operations, queries, queue_cache, queue_rows, queue_view

bp = protect(Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates"))


def _filter(officer: Any) -> queries.QueueFilter:
    args = request.args
    # The key of the last row shown: (rank, due date, kind, id), as queries.queue_page gives it.
    after = pagination.decode(
        args.get("after", ""),
        lambda rank: int(pagination.one_of("0", "1")(rank)),
        date.fromisoformat,
        pagination.one_of("feedback", "dossier"),
        pagination.row_id(11),
    )
    return queries.QueueFilter(
        agency_id=agency_scope(),
        me=officer.id,
        kind=args.get("kind", "") if args.get("kind") in ("feedback", "dossier") else "",
        status=clean(args.get("status", ""))[:20],
        commune=clean(args.get("commune", ""))[:5],
        query=clean(args.get("q", ""))[:200],
        overdue=args.get("overdue") == "1",
        mine=args.get("mine") == "1",
        unassigned=args.get("unassigned") == "1",
        approval=args.get("approval") == "1" and officer.role in LEADERS,
        costly=args.get("costly") == "1",
        after=after,
        category=int(args["category"]) if re.fullmatch(r"[0-9]{1,9}", args.get("category", "")) else None,
        procedure=int(args["procedure"]) if re.fullmatch(r"[0-9]{1,9}", args.get("procedure", "")) else None,
    )


@bp.get("/")
@allow(*QUEUE_ROLES)
def home():
    return redirect(url_for(".queue"))


@bp.get("/queue")
@allow(*QUEUE_ROLES)
def queue():
    officer = current_user._get_current_object()  # once: each `current_user.x` is a context look-up
    criteria = _filter(officer)
    if criteria.query and (found := _scanned(criteria.query)) is not None:
        return redirect(found)
    today = local_now().date()

    def page() -> tuple[Markup, tuple | None, int | None]:
        return _page(criteria, today, officer)

    if criteria.query:  # a search: read afresh, not kept
        rows_html, next_key, waiting = page()
    else:  # the filter holds the officer's id: an entry is this officer's own
        key = (criteria, today, officer.role, locale_code(), request.script_root)
        rows_html, next_key, waiting = queue_rows.rows(key, page, lambda: queue_rows.writing(db.session()))
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    next_url = url_for(".queue", **args, after=pagination.encode(*next_key)) if next_key else None
    counted, choices = queue_cache.page_data(criteria.agency_id, today)
    return render_template(
        "staff/queue.html",
        rows_html=rows_html,
        approvals=waiting,
        criteria=criteria,
        officer_role=officer.role,
        counts=queue_cache.for_officer(counted, officer.id),
        t=queue_view.page_texts(),
        next_url=next_url,
        **queue_view.dropdowns(choices, criteria),
        args=args,
    )


def _page(
    criteria: queries.QueueFilter, today: date, officer: Any
) -> tuple[Markup, tuple | None, int | None]:
    """The rows written out, the next page's key and (for a leader) the approvals count: what
    queue_rows keeps for a second or two."""
    leader = officer.role in LEADERS
    rows, next_key = queries.queue_page(criteria, today, approvals=leader)
    return (
        queue_view.rows_html(rows, today, officer.id, officer.role, queue_view.holders(rows)),
        next_key,
        approvals.waiting(criteria.agency_id, rows) if leader else None,
    )


def _scanned(query: str) -> str | None:
    """The item page of a scanned receipt QR (its URL) or a typed dossier code, as /staff/dossiers opens
    it; None when the text is not a code of a dossier this officer may handle (then it is a search)."""
    code = dossier_queries.code_from_scan(query)
    if code is None:
        return None
    found = dossier_queries.by_code(code)
    if found is None or not (can_handle(found) or sees_restricted(found)):
        return None
    return url_for("dossiers_staff.item", code=found.code)  # a restricted one: its notice, no personal data


def _item_url(kind: str, item_id: int) -> str:
    model = operations.MODELS[kind]
    code = db.session.scalar(select(model.code).where(model.id == item_id))
    return url_for("feedback_staff.item" if kind == "feedback" else "dossiers_staff.item", code=code)


@bp.post("/queue/take-next")
@allow(*CASE_WORKERS)
def take_next():
    taken = operations.take_next(current_user)
    if taken is None:
        flash(_("Nothing is waiting to be taken."), "success")
        return redirect(url_for(".queue"))
    db.session.commit()
    flash(_("The most urgent item is now yours."), "success")
    return redirect(_item_url(*taken))


def _claim(kind: str, item_id: int):
    try:
        operations.claim(kind, item_id, current_user)
    except operations.ClaimLost:
        db.session.rollback()
        return render_template("staff/claim_lost.html"), 409
    db.session.commit()
    return redirect(_item_url(kind, item_id))


def _release(kind: str, item_id: int):
    try:
        operations.release(kind, item_id, current_user)
    except operations.ClaimLost:
        db.session.rollback()
        return render_template("staff/claim_lost.html"), 409
    db.session.commit()
    flash(_("Released back to the queue."), "success")
    return redirect(url_for(".queue"))


@bp.post("/queue/act")
@allow(*CASE_WORKERS)
def act():
    """The queue page's one form: the pressed button names the action and carries "kind:id"."""
    for action, handle in (("claim", _claim), ("release", _release)):
        target = request.form.get(action)
        if target is not None:
            kind, _sep, item_id = target.partition(":")
            if kind not in operations.MODELS or not re.fullmatch(r"[0-9]{1,11}", item_id):
                break
            return handle(kind, int(item_id))
    abort(400)


@bp.post("/queue/<kind>/<int:item_id>/claim")
@allow(*CASE_WORKERS)
def claim(kind: str, item_id: int):
    if kind not in operations.MODELS:
        abort(404)
    return _claim(kind, item_id)


@bp.post("/queue/<kind>/<int:item_id>/release")
@allow(*CASE_WORKERS)
def release(kind: str, item_id: int):
    if kind not in operations.MODELS:
        abort(404)
    return _release(kind, item_id)
