"""Citizen side of feedback: submit, receipt, private status page, public feed, photos."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal import form_nonce, http_cache, pagination, qr, shared_phone, throttle
from portal.calendar.queries import LOCAL_TZ, local_now
from portal.domain.feedback_status import InvalidTransition, allowed_actions, may_rate
from portal.domain.text import clean
from portal.extensions import db
from portal.forms import required
from portal.i18n import locale_code
from portal.tracking import access, page_cache
from portal.uploads import drafts
from portal.uploads.images import ImageRejected

from . import feed_view, form_page, operations, policy, post_reads, posted_form, queries, report_photos
from .alerts import alert_leaders
from .forms import RateForm, SubmitForm, SupplyInfoForm
from .labels import REFUSAL_REASONS, STATUS
from .models import Feedback
from .post_reads import PostReads
from .posted_form import PostedReport
from .receipt import queue_receipt
from .timeline import public_timeline

bp = Blueprint("feedback", __name__, url_prefix="/feedback", template_folder="templates")
# SECURITY.md F22: reports accepted per source address an hour and per phone number a day (all processes).
REPORTS_PER_ADDRESS_HOUR, REPORTS_PER_PHONE_DAY = 5, 20


def photo_error(reason: str) -> str:
    messages = {
        "empty": _("An uploaded photo is empty."),
        "too_large": _("A photo is larger than 10 MB."),
        "not_image": _("Only JPEG, PNG or WebP photos can be sent."),
        "too_many_pixels": _("A photo has too many pixels (more than 40 megapixels)."),
        "corrupt": _("A photo could not be read; it may be damaged."),
    }
    return messages.get(reason, messages["corrupt"])


def grant_access(item: Feedback) -> None:
    """Remember in the session that this browser may see the item's private page."""
    access.grant("feedback", item.id)


def _form_page(
    form: SubmitForm | PostedReport,
    status: int = 200,
    personal: list[str] | None = None,
    report_help: dict | None = None,
    reads: PostReads | None = None,
):
    """The form page. An untouched form's fields (no value, no error) are the same for everyone in a
    language: rendered once per language and choice lists; the CSRF token and nonce are per request.
    Photos kept from an earlier post of this form and the personal-details warning are never in it. A
    form coming back with a category and commune shows the help for them (routes_help.py). `reads`: a
    plain post's answers (post_reads.py), which say whether the form has drafts to list."""
    if isinstance(form, PostedReport):  # read without the form: the form of the same post, to show
        form = form.real()
    fields = None
    listing = request.method == "POST" and post_reads.may_have_drafts(reads)
    kept = report_photos.kept(form.nonce.data or "") if listing else []
    untouched = not any(f.data for f in form if f.name not in ("csrf_token", "nonce"))
    if not form.errors and untouched and not kept and not personal:
        fields = form_page.blank_fields(form)
    elif report_help is None and (form.category.data or -1) > 0 and form.commune.data:
        report_help = routes_help.report_help(form.category.data, form.commune.data, form.title.data or "")
    page = render_template(
        "feedback/new.html",
        form=form,
        fields=fields,
        photo_drafts=kept,
        personal_details=personal or [],
        report_help=report_help,
    )
    return page, status


def _post_reads(form: SubmitForm | PostedReport, nonce: str) -> PostReads | None:
    """A plain post's questions in one statement (post_reads.py); None for any other request, or when the
    category or the commune is missing (then each is asked separately, as before)."""
    if not isinstance(form, PostedReport):
        return None
    return post_reads.read(
        form.category.data,
        form.commune.data,
        form_nonce.stored(operations.FORM, nonce),
        drafts.key(operations.FORM, nonce),
    )


def _sent_with(nonce: str, reads: PostReads | None = None) -> Feedback | None:
    """The item already created with this form (tests hold concurrent posts here): as `reads` found it, or
    looked up."""
    if reads is not None:
        return reads.sent()
    return queries.by_form_nonce(form_nonce.stored(operations.FORM, nonce))


def _already_sent(item: Feedback, nonce: str, reads: PostReads | None = None):
    """A second post of one form: its first receipt, but only for the browser that was given the form
    (a copied nonce gets a page that names no report; see portal/form_nonce.py)."""
    # Photos this post kept as drafts belong to a form already sent: they go (the first post has its own).
    present = post_reads.may_have_drafts(reads)
    leftovers = drafts.purge(drafts.listed(operations.FORM, nonce)) if present else []
    if leftovers:
        db.session.commit()
        drafts.delete_files(leftovers)
    if not form_nonce.issued_here(nonce):
        return form_nonce.already_sent_page(url_for(".submit"))
    grant_access(item)
    flash(_("This form had already been sent, so nothing was sent again. Here is its receipt."), "success")
    token = operations.link_token(nonce)
    if operations.hash_token(token) != item.token_hash:  # SECRET_KEY changed since: no link to show
        return redirect(url_for(".status", code=item.code))
    session["feedback_receipt"] = {"code": item.code, "token": token, "mailed": False}
    return redirect(url_for(".receipt"))


def _photos_posted(form: SubmitForm | PostedReport) -> bool:
    return any(f and f.filename for f in request.files.getlist(form.photos.name))


@bp.route("/new", methods=["GET", "POST"])
def submit():
    if request.method == "GET" and not current_user.is_authenticated:  # nothing to prefill: no form built
        return form_page.blank_page()
    # A plain post that certainly validates is read without building the form (posted_form.py); the form is
    # built from it only for a page to show again.
    choices = form_page.choices()
    form: SubmitForm | PostedReport | None = posted_form.read(choices)
    if form is None:
        form = SubmitForm()
        form_page.fill_choices(form, choices)
    nonce = form_nonce.prepare(form.nonce)
    # A plain post asks its questions (sent already? drafts? the category and commune) in one statement.
    reads = _post_reads(form, nonce)
    if request.method == "POST" and (first := _sent_with(nonce, reads)) is not None:
        return _already_sent(first, nonce, reads)
    # A post read without the form has none of the help buttons (posted_form.py): no help step.
    if (
        request.method == "POST"
        and isinstance(form, SubmitForm)
        and (help_shown := routes_help.help_step(form)) is not None
    ):
        return _form_page(form, 200, report_help=help_shown)  # a help button, not "Send": nothing is sent yet
    if request.method == "GET":  # signed in (anyone else was given the blank page): their details prefilled
        form.contact_name.data = form.contact_name.data or current_user.full_name
        form.email.data = form.email.data or current_user.email
    # Photos are kept (drafts of this form) before anything else is checked: an error never loses them.
    # A post with no photo and no "remove" press has nothing to keep: no look-up, no commit of its own.
    drafted = report_photos.drafting(nonce)
    removing, photo_errors = (
        report_photos.keep_posted(form.photos, nonce, photo_error)
        if drafted and (request.form.get(report_photos.REMOVE, "") or _photos_posted(form))
        else (False, [])
    )
    if removing:
        form.photos.errors = photo_errors
        return _form_page(form, 200)  # a "remove" press: the form again, with what was typed, nothing sent
    if not form.validate_on_submit() or photo_errors:
        form.photos.errors = photo_errors or form.photos.errors
        if form.category.data == -1:
            form.category.errors = [_("Choose a category.")]
        return _form_page(form, 400 if request.method == "POST" else 200)
    if form.website.data:  # honeypot: answer like a success page, store nothing
        clean_form = SubmitForm(formdata=None)
        form_page.fill_choices(clean_form, choices)
        return _form_page(clean_form)
    throttle.enforce(f"feedback:ip:{throttle.client_source()}", REPORTS_PER_ADDRESS_HOUR, 3600)
    throttle.enforce(f"feedback:phone:{form.phone.data}", REPORTS_PER_PHONE_DAY, 86400)
    personal = report_photos.needs_warning(form.title.data or "", form.description.data or "")
    if personal:  # told before sending: shown again with the warning; the next press sends
        return _form_page(form, 200, personal, reads=reads)
    uploads = [] if drafted else [f for f in request.files.getlist(form.photos.name) if f and f.filename]
    if len(uploads) > operations.MAX_PHOTOS:
        form.photos.errors = [_("You can send at most 5 photos.")]
        return _form_page(form, 400)
    # Drafts are taken only when there may be some (a plain post was told whether there are).
    taking = drafted and post_reads.may_have_drafts(reads)
    kept, duplicates = drafts.take(operations.FORM, nonce) if taking else ([], [])
    data = operations.Submission(
        category_id=form.category.data,
        title=required(form.title),
        description=required(form.description),
        admin_unit_code=form.commune.data,
        address=form.address.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        contact_name=form.contact_name.data or "",
        phone=required(form.phone),
        email=form.email.data or "",
        show_name=form.show_name.data,
        precise_pin=form.precise_pin.data,
        locale=locale_code(),
        photos=tuple(f.read() for f in uploads),
        kept=tuple(kept),
        nonce=nonce,
    )
    try:
        account = current_user if current_user.is_authenticated else None
        item, token = operations.submit(data, account, known=reads.reference if reads else None)
        mailed = queue_receipt(item, token)
        alert_leaders(item)  # an urgent category: the agency's leaders, after the commit
        item_id, code = item.id, item.code  # read before the commit expires them (no reload after it)
        db.session.commit()  # the confirmation leaves with the report, or not at all
    except IntegrityError as error:  # the same form, sent at the same moment, was stored first
        return _already_sent(form_nonce.lost_race(error, lambda: _sent_with(nonce)), nonce)
    except ImageRejected as rejected:
        db.session.rollback()
        form.photos.errors = [photo_error(rejected.reason)]
        return _form_page(form, 400)
    except operations.FeedbackError as refused:
        db.session.rollback()
        if refused.reason == "commune":
            form.commune.errors = [_("Choose the commune or ward.")]
        else:
            form.category.errors = [_("Choose a category.")]
        return _form_page(form, 400, reads=reads)  # rolled back: the drafts as the post found them
    drafts.delete_files(duplicates)
    if form.shared_phone.data:
        shared_phone.begin(nonce)  # the earlier visitor's items are forgotten before this one's is remembered
    access.grant("feedback", item_id)
    session["feedback_receipt"] = {"code": code, "token": token, "mailed": mailed}
    return redirect(url_for(".receipt"))


@bp.get("/receipt")
def receipt():
    saved = session.get("feedback_receipt")
    if not saved:
        abort(404)
    item = queries.by_code(saved["code"])
    if item is None or not policy.can_view_private(item):
        abort(404)
    link = current_app.config["PORTAL_SETTINGS"].base_url + url_for(".secret_link", token=saved["token"])
    page = render_template(
        "feedback/receipt.html", item=item, link=link, token=saved["token"], mailed=saved.get("mailed", False)
    )
    # The receipt shows the secret link: a shared phone's Back button or a cache must not bring it back.
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/t/<token>")
def secret_link(token: str):
    """The link in the receipt's QR code and e-mails: opens the private page in this browser."""
    item = queries.by_token_hash(operations.hash_token(token)) if len(token) < 100 else None
    if item is None:
        abort(404)
    grant_access(item)
    return redirect(url_for(".status", code=item.code))


@bp.get("/t/<token>/qr.svg")
@http_cache.sessionless  # the token is the key: the session is neither read nor written
def secret_qr(token: str):
    if len(token) > 100 or queries.by_token_hash(operations.hash_token(token)) is None:
        abort(404)
    link = current_app.config["PORTAL_SETTINGS"].base_url + url_for(".secret_link", token=token)
    # A private link: rendered on each request (qr.svg), so the secret is never kept in the process's image
    # cache, and never stored by a browser or a shared cache.
    return Response(qr.svg(link), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


def _private_item(code: str, find: Callable[[str], Feedback | None] = queries.by_code) -> Feedback:
    item = find(code)
    if item is None or not policy.can_view_private(item):
        abort(404)  # another citizen's item looks exactly like a missing one
    return item


@bp.get("/<code>/status")
def status(code: str):
    """One statement when the page's main part is kept (portal/tracking/page_cache.py): the item's access
    columns, page version and shown names. The access check comes first; then the part kept under
    everything it shows, or rendered now (the item and its photos, then its public timeline)."""
    key = queries.status_page_key(code)
    if key is None or not policy.can_view_private(key):
        abort(404)  # another citizen's item looks exactly like a missing one
    return page_cache.status_page("feedback", key, local_now().date(), _status_part, "feedback/status.html")


def _status_part(code: str, today: date) -> str:
    """The main part of the status page, the same for everyone who may see it. The working-day deadlines
    are not computed here: the page shows the stored answer date (due_on)."""
    item = queries.for_status_page(code) or abort(404)
    can_rate = (
        item.answered_at is not None
        and "rate_satisfied" in allowed_actions(item.status_enum, "citizen")
        and may_rate((today - item.answered_at.astimezone(LOCAL_TZ).date()).days, bool(item.rating))
    )
    no_token = {"csrf": False}  # the token is the viewer's: page_cache.CSRF_FIELD is its slot
    return render_template(
        "feedback/_status_content.html",
        item=item,
        entries=public_timeline(item),
        can_rate=can_rate,
        rate_form=RateForm(meta=no_token),
        reply_form=SupplyInfoForm(meta=no_token),
        csrf_field=page_cache.CSRF_FIELD,
        status_labels=STATUS,
        reasons=REFUSAL_REASONS,
    )


@bp.post("/<code>/rate")
def rate(code: str):
    item = _private_item(code)
    form = RateForm()
    if not form.validate_on_submit():
        flash(_("Choose whether you are satisfied."), "error")
        return redirect(url_for(".status", code=code))
    try:
        operations.rate(item, form.satisfied.data == "yes", form.comment.data or "")
    except (operations.FeedbackError, InvalidTransition):
        db.session.rollback()
        flash(_("This answer can no longer be rated."), "error")
        return redirect(url_for(".status", code=code))
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for(".status", code=code))


@bp.get("")
def feed():
    """One statement (the page's rows) and HTML kept per distinct answer of it (portal/feedback/feed_view.py):
    exact, whoever changed what."""
    before = pagination.decode(request.args.get("before", ""), pagination.row_id(18))
    criteria = queries.FeedFilter(
        query=clean(request.args.get("q", ""))[:200],
        category=request.args.get("category", "")[:40],
        commune=request.args.get("commune", "")[:5],
        status=request.args.get("status", ""),
        before=before[0] if before else None,
    )
    return feed_view.page(criteria)


@bp.get("/<code>")
def public_item(code: str):
    item = queries.published_by_code(code) or abort(404)
    return render_template(
        "feedback/item.html", item=item, entries=public_timeline(item), status_labels=STATUS
    )


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "feedback/mine.html", items=queries.for_account(current_user.id), status_labels=STATUS
    )


from . import routes_closure, routes_help, routes_photos, routes_recovery, routes_reply  # noqa: E402,F401  (their views join this blueprint)
