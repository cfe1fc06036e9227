"""Staff side of feedback: the agency's queue, one item, actions. Closed by default (portal.auth.access)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import mail
from portal.accounts import queries as account_queries
from portal.agencies import queries as agency_queries
from portal.agencies.models import Agency
from portal.auth.access import agency_scope, allow, protect
from portal.calendar.queries import local_now
from portal.choices import options
from portal.domain.feedback_status import FeedbackAction, InvalidTransition, NotPermitted, allowed_actions
from portal.domain.phone import mask
from portal.domain.roles import QUEUE_ROLES
from portal.domain.text import clean
from portal.events.operations import record
from portal.extensions import db
from portal.forms import required
from portal.i18n import locale_code
from portal.uploads.images import ImageRejected

from . import closure, deadlines, operations, policy, public_text, queries, redaction
from .alerts import alert_leaders
from .forms import RedactForm, StaffActionForm
from .labels import ACTION, EMAIL_MESSAGE, REFUSAL_REASONS, STAFF_STATUS
from .models import Feedback, ResponseTemplate
from .routes import photo_error
from .timeline import staff_timeline

# On a phone the officer sees the usual next step first and the rarer ones below.
DISPLAY_ORDER = (
    "answer",
    "accept",
    "request_info",
    "assign",
    "close",
    "forward",
    "reopen",
    "note",
    "refuse",
    "mark_duplicate",
)


def ordered(actions):
    return sorted(
        actions,
        key=lambda action: (
            DISPLAY_ORDER.index(action.value) if action.value in DISPLAY_ORDER else len(DISPLAY_ORDER)
        ),
    )


bp = protect(Blueprint("feedback_staff", __name__, url_prefix="/staff/feedback", template_folder="templates"))


def _error(reason: str) -> str:
    messages = {
        "reason": _("Choose a reason."),
        "note": _("Write the text."),
        "agency": _("Choose another active agency."),
        "assignee": _("Choose an officer of this agency."),
        "duplicate": _("Enter the code of another report."),
        "after_photo": _("This category needs a photo of the place after the repair to answer as fixed."),
    }
    return messages.get(reason, _("This action is not possible."))


def _item(code: str) -> Feedback:
    item = queries.by_code(code)
    if item is None or not policy.can_handle(item):
        abort(404)  # another agency's item does not exist for this officer
    return item


def _read(upload) -> bytes | None:
    """The after photo's bytes, or None when no file was chosen."""
    data = upload.read() if upload is not None and upload.filename else b""
    return data or None


@bp.get("")
@allow(*QUEUE_ROLES)
def queue():
    status = request.args.get("status", "")
    query = clean(request.args.get("q", ""))[:200]
    items = queries.agency_queue(agency_scope(), status if status in STAFF_STATUS else "", query)
    return render_template(
        "feedback/staff_queue.html",
        items=items,
        counts=queries.status_counts(agency_scope()),
        status=status,
        query=query,
        status_labels=STAFF_STATUS,
        today=local_now().date(),
        is_overdue=deadlines.is_overdue,
        mask=mask,
    )


@bp.get("/<code>")
@allow(*QUEUE_ROLES)
def item(code: str):
    feedback = _item(code)
    form = StaffActionForm()
    en = locale_code() == "en"
    form.agency.choices = options(
        (a.id, a.name_en if en else a.name)
        for a in agency_queries.in_order(
            db.session.scalars(select(Agency).where(Agency.is_active, Agency.id != feedback.agency_id))
        )
    )
    form.assignee.choices = options(
        (a.id, a.full_name) for a in account_queries.assignable(feedback.agency_id)
    )
    templates = db.session.scalars(
        select(ResponseTemplate).where(
            ResponseTemplate.is_active,
            (ResponseTemplate.agency_id.is_(None)) | (ResponseTemplate.agency_id == feedback.agency_id),
        )
    ).all()
    # Staff see the full phone of the item they handle; the view is audited (SECURITY.md I30/I32).
    record("feedback", feedback.id, "viewed", actor_id=current_user.id)
    db.session.commit()
    return (
        render_template(
            "feedback/staff_item.html",
            item=feedback,
            form=form,
            entries=staff_timeline(feedback),
            actions=allowed_actions(feedback.status_enum, current_user.role),
            action_labels=ACTION,
            deadlines=deadlines.compute(feedback),
            nearby=queries.nearby_open(feedback),
            templates=templates,
            status_labels=STAFF_STATUS,
            reasons=REFUSAL_REASONS,
            today=local_now().date(),
            is_overdue=deadlines.is_overdue,
            ordered=ordered,
            mask=mask,
            show_contact=policy.may_see_contact(current_user, feedback),
            filed_by=queries.filed_by_intermediary(feedback),
        ),
        200,
        {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.route("/<code>/redact", methods=["GET", "POST"])
@allow(*QUEUE_ROLES)
def redact(code: str):
    """What the public sees of the report: its text and photos, redacted by the agency (audited)."""
    item = _item(code)
    form = RedactForm()
    if request.method == "GET":
        form.public_title.data = public_text.public_title(item)
        form.public_description.data = public_text.public_description(item)
    if form.validate_on_submit():
        hidden = {int(v) for v in request.form.getlist("hide_photo") if v.isdigit()}
        title, description = required(form.public_title), required(form.public_description)
        if redaction.redact(item, current_user, title, description, hidden):
            db.session.commit()
            flash(_("What the public sees of this report was changed."), "success")
        return redirect(url_for(".item", code=code))
    return render_template("feedback/staff_redact.html", item=item, form=form), 400 if form.errors else 200


@bp.post("/<code>/<action>")
@allow(*QUEUE_ROLES)
def act(code: str, action: str):
    feedback = _item(code)
    try:
        chosen = FeedbackAction(action)
    except ValueError:
        abort(404)
    form = StaffActionForm()
    form.agency.choices = form.assignee.choices = []
    if not form.validate_on_submit():
        flash(_("The form could not be read. Please try again."), "error")
        return redirect(url_for(".item", code=code))
    duplicate = None
    if chosen is FeedbackAction.MARK_DUPLICATE:
        duplicate = queries.by_code(form.duplicate_of.data or "")
        if duplicate is None or not policy.can_handle(duplicate):
            duplicate = None
    fixed = None
    try:
        if chosen is FeedbackAction.ANSWER and request.form.get("fixed") == "1":
            upload = request.files.get("after_photo")
            fixed = closure.answer_fixed(feedback, current_user, form.note.data or "", _read(upload))
            notice = fixed.notice
        else:
            notice = operations.staff_act(
                feedback,
                chosen,
                current_user,
                note=form.note.data or "",
                reason=form.reason.data or "",
                agency_id=form.agency.data,
                assignee_id=form.assignee.data,
                duplicate_of=duplicate,
            )
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except InvalidTransition:
        db.session.rollback()
        flash(_("This action is not possible in the current status."), "error")
        return redirect(url_for(".item", code=code))
    except operations.FeedbackError as error:
        db.session.rollback()
        flash(_error(error.reason), "error")
        return redirect(url_for(".item", code=code))
    except ImageRejected as rejected:
        db.session.rollback()
        flash(photo_error(rejected.reason), "error")
        return redirect(url_for(".item", code=code))
    if notice is not None:
        link = current_app.config["PORTAL_SETTINGS"].base_url + url_for("tracking.track", code=feedback.code)
        mail.queue(
            feedback.email,
            "feedback/email/update.txt",
            feedback.locale,
            item=feedback,
            link=link,
            action=notice.action.value,
            message=EMAIL_MESSAGE[notice.action],
            reason=REFUSAL_REASONS.get(feedback.refusal_reason, ""),
        )
    if fixed is not None and fixed.token is not None:
        closure.ask(feedback, fixed.fix, fixed.token)  # "is it fixed?", after the answer's e-mail
    if chosen is FeedbackAction.FORWARD:
        alert_leaders(feedback)  # an urgent item reached another agency's queue: its leaders are told
    db.session.commit()
    flash(_("Done: %(action)s.", action=ACTION[chosen]), "success")
    if chosen is FeedbackAction.FORWARD and not policy.can_handle(feedback):
        return redirect(url_for(".queue"))
    return redirect(url_for(".item", code=code))
