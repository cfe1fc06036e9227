"""The citizen's "my data" pages (/my-data): see, export, correct, erase; give and withdraw consents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.calendar.queries import local_now
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.domain.phone import national_format
from portal.events.operations import record
from portal.extensions import db
from portal.feedback.labels import EVENT as FEEDBACK_EVENT
from portal.feedback.models import Feedback
from portal.i18n import locale_code
from portal.security import private_grant
from portal.uploads import serving

from . import consents, correction, erasure, export, policy, queries
from .forms import CodeForm, CorrectForm, EraseForm
from .labels import ACCOUNT_EVENT, CHANNEL, OUTCOME, PURPOSE, REQUEST, ROLE, RULE
from .models import Consent
from .queries import ACCOUNT, Subject
from .wiring import rules

bp = Blueprint("privacy", __name__, url_prefix="/my-data", template_folder="templates")
EXPORT_TOKENS = private_grant("privacy_exports")  # export id -> token, in this browser's signed session


def _subject() -> Subject:
    found = policy.current_subject()
    if found is None:
        if current_user.is_authenticated:  # staff: no "my data" pages
            abort(404)
        return abort(redirect(url_for("accounts.login", next=request.path)))
    return found


def _labels() -> dict:
    from portal.dossiers.labels import EVENT as DOSSIER_EVENT
    from portal.dossiers.labels import FILE_KINDS
    from portal.payments.labels import STATUS as PAYMENT_STATUS

    return {
        "purpose": PURPOSE,
        "channel": CHANNEL,
        "request_kinds": REQUEST,
        "outcome": OUTCOME,
        "role": ROLE,
        "rule": RULE,
        "events": {"feedback": FEEDBACK_EVENT, "dossier": DOSSIER_EVENT, "account": ACCOUNT_EVENT},
        "may_erase": erasure.may_erase,
        "payment_status": PAYMENT_STATUS,
        "file_kinds": FILE_KINDS,
    }


@bp.get("")
def index():
    subject = _subject()
    found = queries.holdings(subject)
    tokens = session.get(EXPORT_TOKENS, {})
    return render_template(
        "privacy/my_data.html",
        found=found,
        subject=subject,
        tokens=tokens,
        codes={("feedback", f.id): f.code for f in found.feedback}
        | {("dossier", d.id): d.code for d in found.dossiers},
        now=utcnow(),
        **_labels(),
    )


@bp.get("/t/<token>")
def link(token: str):
    """An anonymous reporter's way in: the report's private link (the token of /feedback/t/<token>)."""
    item = queries.feedback_by_token_hash(sha256_hex(token)) if len(token) < 100 else None
    if item is None:
        abort(404)
    policy.open_item(item)
    return redirect(url_for(".index"))


@bp.post("/leave")
def leave():
    policy.leave_item()
    return redirect(url_for("main.home"))


@bp.post("/export")
def export_start():
    subject = _subject()
    archive, token = export.request_export(subject, locale_code())
    record(subject.kind, subject.id, "data_exported", actor_id=policy.actor_id())
    db.session.commit()
    tokens = dict(session.get(EXPORT_TOKENS, {}))
    tokens[str(archive.id)] = token
    session[EXPORT_TOKENS] = dict(list(tokens.items())[-5:])
    if archive.status == "ready":
        flash(_("Your export is ready. The download link works for 7 days."), "success")
    else:
        flash(_("Your export is being prepared. Come back to this page in a few minutes."), "success")
    return redirect(url_for(".index") + "#exports")


@bp.get("/export/<token>")
def export_download(token: str):
    archive = queries.export_by_token_hash(sha256_hex(token)) if len(token) < 100 else None
    if archive is None or archive.expires_at <= utcnow():
        abort(404)
    if archive.status != "ready":
        return render_template("privacy/export_pending.html"), 202
    handle = serving.open_stored(archive.stored_name)
    if handle is None:
        return serving.missing_file_page()
    stamp = archive.created_at.date().isoformat()
    return serving.attachment(handle, archive.stored_name, "application/zip", f"my-data-{stamp}.zip")


@bp.route("/correct", methods=["GET", "POST"])
def correct():
    subject = _subject()
    now_has = correction.current(subject)
    form = CorrectForm(data={"name": now_has.name, "email": now_has.email, "phone": now_has.phone})
    if form.validate_on_submit():
        # An empty phone field removes the number (it used to keep the old one: no way to remove it).
        wanted = correction.Contact(form.name.data or "", form.email.data or "", form.phone.data or "")
        try:
            started = correction.start(subject, wanted, locale_code())
        except correction.CorrectionError as error:
            db.session.commit()  # what needs no code (the name, a removed phone) is kept, as the page says
            _flash_saved(error.saved, now_has)
            field = form.phone if error.field == "phone" else form.email
            field.errors = [*field.errors, _correction_error(error.reason)]
            return render_template("privacy/correct.html", form=form), 400
        db.session.commit()
        _flash_saved(started.saved, now_has)
        if started.waiting is None:
            if not started.saved:
                flash(_("Nothing changed."), "success")
            return redirect(url_for(".index"))
        flash(
            _("We sent you a code by e-mail or text message. Enter it to confirm the new details."), "success"
        )
        return redirect(url_for(".confirm"))
    return render_template("privacy/correct.html", form=form), 400 if form.errors else 200


def _flash_saved(saved: tuple[str, ...], before: correction.Contact) -> None:
    if "name" in saved:
        flash(_("Your name was saved."), "success")
    if "phone" in saved:
        flash(
            _(
                "Your mobile phone number %(phone)s was removed. You will no longer get text messages about "
                "your reports and dossiers; the portal writes to your e-mail address instead, if you have one.",
                phone=national_format(before.phone),
            ),
            "success",
        )


def _correction_error(reason: str) -> str:
    return {
        "email_required": _("An account needs an e-mail address or a mobile phone number."),
        "email_taken": _("Another account uses this e-mail address."),
        "no_address": _(
            "We need an e-mail address or a phone that can receive texts to send you a code. "
            "Please visit a one-stop desk."
        ),
        "mail": _("The portal cannot send the code at the moment. Please try again later."),
        "too_many": _("Too many codes were sent in the last hour. Please try again later."),
    }.get(reason, _("This change is not possible."))


@bp.route("/correct/confirm", methods=["GET", "POST"])
def confirm():
    subject = _subject()
    change = queries.open_change(subject)
    if change is None:
        return redirect(url_for(".correct"))
    form = CodeForm()
    if form.validate_on_submit():
        done = correction.confirm(change, form.code.data or "")
        db.session.commit()
        if done:
            flash(_("Your details were corrected."), "success")
            return redirect(url_for(".index"))
        form.code.errors = [_("This code is wrong or has expired.")]
    return render_template("privacy/confirm.html", form=form), 400 if form.errors else 200


def _own_consent(subject: Subject, consent_id: int) -> tuple[Consent, Feedback | None]:
    found = queries.holdings(subject, with_touches=False)
    consent = next((c for c in found.consents if c.id == consent_id), None)
    if consent is None:
        abort(404)
    item = next(
        (f for f in found.feedback if consent.subject_type == "feedback" and f.id == consent.subject_id), None
    )
    return consent, item


@bp.post("/consents/<int:consent_id>/withdraw")
def withdraw(consent_id: int):
    consent, item = _own_consent(_subject(), consent_id)
    try:
        consents.withdraw(consent, item, policy.actor_id())
    except consents.ConsentError:
        abort(400)
    db.session.commit()
    flash(_("Consent withdrawn. It took effect at once."), "success")
    return redirect(url_for(".index") + "#consents")


@bp.post("/feedback/<code>/show-name")
def give_name(code: str):
    found = queries.holdings(_subject(), with_touches=False)
    item = next((f for f in found.feedback if f.code == code), None) or abort(404)
    try:
        consents.give(item, "publish_name", policy.actor_id())
    except consents.ConsentError:
        flash(_("Add your name to this report first."), "error")
        return redirect(url_for(".index") + "#consents")
    db.session.commit()
    flash(_("Your name is now shown with this report."), "success")
    return redirect(url_for(".index") + "#consents")


@bp.route("/erase", methods=["GET", "POST"])
def erase():
    subject = _subject()
    found = queries.holdings(subject, with_touches=False)
    form = EraseForm()
    today = local_now().date()
    if not form.validate_on_submit():
        return render_template(
            "privacy/erase.html", form=form, found=found, subject=subject, **_labels()
        ), 400 if form.errors else 200
    if subject.kind == ACCOUNT:
        account = found.account
        assert account is not None
        try:
            done = erasure.delete_account(account, rules(), today)
        except erasure.AccountOpen:
            db.session.rollback()
            flash(
                _("A dossier of yours is still being handled: withdraw it or wait for its result first."),
                "error",
            )
            return redirect(url_for(".erase"))
        db.session.commit()
        logout_user()
        session.clear()
    else:
        done = [erasure.anonymise_feedback(found.feedback[0], None)]
        db.session.commit()
        policy.leave_item()
    return render_template("privacy/erased.html", requests=done, **_labels())


@bp.post("/feedback/<code>/erase")
def erase_feedback(code: str):
    subject = _subject()
    found = queries.holdings(subject, with_touches=False)
    item = next((f for f in found.feedback if f.code == code), None) or abort(404)
    done = erasure.anonymise_feedback(item, policy.actor_id())
    db.session.commit()
    return render_template("privacy/erased.html", requests=[done], **_labels())


@bp.route("/dossiers/<code>/erase", methods=["GET", "POST"])
def erase_dossier(code: str):
    """Ask to erase one dossier: a page saying what will happen (erased, or restricted until a date, or not
    possible while it is being handled) and a box to tick; nothing happens on one tap, with or without
    JavaScript."""
    subject = _subject()
    found = queries.holdings(subject, with_touches=False)
    dossier = next((d for d in found.dossiers if d.code == code), None) or abort(404)
    today = local_now().date()
    form = EraseForm()
    if not erasure.may_erase(dossier) or dossier.restricted_at is not None or not form.validate_on_submit():
        return render_template(
            "privacy/erase_dossier.html",
            form=form,
            dossier=dossier,
            will=erasure.outcome_for(dossier, rules(), today),
            **_labels(),
        ), 400 if form.errors else 200
    done = erasure.erase_dossier(dossier, rules(), today, policy.actor_id())
    db.session.commit()
    return render_template("privacy/erased.html", requests=[done], **_labels())


from . import routes_name  # noqa: E402,F401  (its view joins this blueprint)
