"""The intermediary's pages (/intermediary): the cases they filed, filing a report for a villager, and the
slips to hand over. Open only to an enabled intermediary account (policy.require_intermediary)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.choices import options
from portal.domain.phone import normalise_mobile
from portal.dossiers.labels import STATUS as DOSSIER_STATUS
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.feedback import queries as feedback_queries
from portal.feedback.labels import STATUS
from portal.feedback.models import Feedback
from portal.feedback.routes import photo_error
from portal.forms import required
from portal.i18n import locale_code
from portal.papers.routes import _slip, slip_size
from portal.places import queries as places
from portal.privacy.notices import feedback_notice
from portal.uploads.images import ImageRejected

from . import operations, policy
from .forms import ConsentFields, FileForVillagerForm

bp = Blueprint("intermediaries", __name__, url_prefix="/intermediary", template_folder="templates")
PRIVATE = {"Cache-Control": "no-store"}
TOKENS = "intermediary_links"  # the private links of the last few reports filed in this session, for the slip
KEEP_TOKENS = 5
# After filing for a villager without a phone: the slip (with the QR of the private link, shown only in this
# session) is all they will have, for a report as for a dossier.
NO_PHONE_SLIP = {
    "feedback": _l(
        "No phone number was given: nothing is texted to the villager. Print the slip now and give it to them: "
        "its QR code is how they follow the report, and it is shown only now."
    ),
    "dossier": _l(
        "No phone number was given: nothing is texted to the villager. Print the slip now and give it to them: "
        "its QR code is how they follow the dossier, and it is shown only now."
    ),
}


@bp.before_request
def _only_intermediaries():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    policy.require_intermediary()
    return None


def consent_from(form: ConsentFields, villager_name: str, notice_version: str) -> operations.Consent:
    paper = request.files.get(form.consent_photo.name)
    return operations.Consent(
        villager_name=villager_name,
        method=form.consent_method.data,
        paper_photo=paper.read() if paper and paper.filename else None,
        witnessed=form.witnessed.data,
        notice_version=notice_version,
    )


def consent_missing(form: ConsentFields, missing: operations.ConsentMissing) -> None:
    if str(missing) == "photo":
        form.consent_photo.errors = [_("Take a photo of the signed or thumb-printed paper.")]
    else:
        form.witnessed.errors = [
            _("Tick the box once you have read the notice aloud and the villager agreed.")
        ]


def remember_link(code: str, token: str) -> None:
    """The private link of a case just filed, kept in this session only, for its slip's QR."""
    links = dict(list(session.get(TOKENS, {}).items())[-(KEEP_TOKENS - 1) :])
    links[code] = token
    session[TOKENS] = links


def filed(kind: str, item: Feedback | Dossier, token: str) -> None:
    """What follows every filing for a villager: the link kept for the slip, and without a phone, the
    warning to print the slip now."""
    remember_link(item.code, token)
    if not item.phone:
        flash(NO_PHONE_SLIP[kind], "warning")


def slip_context() -> dict[str, str]:
    """Who filed the case and where: a villager without a phone comes back there to learn the answer."""
    agency = current_user.agency
    return {"filed_by": current_user.full_name, "office": agency.name if agency else ""}


def _choices(form: FileForVillagerForm) -> None:
    en = locale_code() == "en"
    form.category.choices = options(
        [(-1, _("Choose…"))]
        + [
            (row.id, row.name_en if en else row.name)
            for row in feedback_queries.categories()
            if row.is_active
        ]
    )
    form.commune.choices = options([("", _("Choose…")), *((code, name) for code, name in places.choices())])
    if request.method == "GET" and current_user.agency and current_user.agency.admin_unit_code:
        form.commune.data = current_user.agency.admin_unit_code


@bp.get("")
def cases():
    rows = policy.my_filings()
    dossier_rows = policy.my_dossier_filings()
    open_rows = [(item, filing) for item, filing in rows if policy.is_open(item)]
    open_dossiers = [(dossier, filing) for dossier, filing in dossier_rows if policy.is_open(dossier)]
    closed = len(rows) + len(dossier_rows) - len(open_rows) - len(open_dossiers)
    return (
        render_template(
            "intermediaries/cases.html",
            rows=open_rows,
            dossiers=open_dossiers,
            closed=closed,
            status=STATUS,
            dossier_status=DOSSIER_STATUS,
        ),
        200,
        PRIVATE,
    )


@bp.route("/feedback/new", methods=["GET", "POST"])
def file_feedback():
    form = FileForVillagerForm()
    _choices(form)
    notice = feedback_notice()
    if form.validate_on_submit():
        uploads = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
        data = feedback_operations.Submission(
            category_id=form.category.data,
            title=required(form.title),
            description=required(form.description),
            admin_unit_code=form.commune.data,
            address=form.address.data or "",
            latitude=None,
            longitude=None,
            contact_name=required(form.villager_name),
            phone=normalise_mobile(form.villager_phone.data) if form.villager_phone.data else "",
            email="",
            show_name=False,
            locale="vi",
            photos=tuple(f.read() for f in uploads[: feedback_operations.MAX_PHOTOS + 1]),
        )
        consent = consent_from(form, required(form.villager_name), feedback_operations.CONSENT_VERSION)
        try:
            item, token = operations.file_feedback(current_user, data, consent)
        except operations.ConsentMissing as missing:
            db.session.rollback()
            consent_missing(form, missing)
        except ImageRejected as rejected:
            db.session.rollback()
            form.photos.errors = [photo_error(rejected.reason)]
        except feedback_operations.FeedbackError:
            db.session.rollback()
            form.category.errors = [_("Choose a category and a commune from the lists.")]
        else:
            db.session.commit()
            flash(_("Report %(code)s filed for %(name)s.", code=item.code, name=form.villager_name.data))
            filed("feedback", item, token)
            return redirect(url_for(".case", code=item.code))
    return render_template("intermediaries/file.html", form=form, notice=notice), 200, PRIVATE


@bp.get("/feedback/<code>")
def case(code: str):
    item, filing = policy.own_open_feedback(code)
    has_link = item.code in session.get(TOKENS, {})
    return (
        render_template(
            "intermediaries/case.html", item=item, filing=filing, status=STATUS, has_link=has_link
        ),
        200,
        PRIVATE,
    )


@bp.get("/feedback/<code>/slip")
def slip(code: str):
    """The slip to hand to the villager. With the private link's QR only in the session that filed it (the
    link is shown once); later, a slip without QR (code, last digits, look-up by text)."""
    item, _filing = policy.own_open_feedback(code)
    token = session.get(TOKENS, {}).get(item.code)
    if token is None:
        return sheet([item])
    return _slip(
        "feedback",
        item,
        url_for("feedback.secret_qr", token=token),
        slip_size(),
        back=url_for(".case", code=item.code),
        **slip_context(),
    )


@bp.get("/slips")
def slips():
    """Every open report and dossier filed, one slip each (no QR: see `slip`), to print on one sheet."""
    items: list[Feedback | Dossier] = [item for item, _filing in policy.my_filings() if policy.is_open(item)]
    items += [dossier for dossier, _filing in policy.my_dossier_filings() if policy.is_open(dossier)]
    if not items:
        abort(404)
    return sheet(items)


def sheet(items: list[Feedback | Dossier]):
    settings = current_app.config["PORTAL_SETTINGS"]
    with force_locale("vi"):  # slips are in Vietnamese whatever the page's language, as papers/slip.html
        page = render_template(
            "intermediaries/slips.html",
            items=[("dossier" if isinstance(item, Dossier) else "feedback", item) for item in items],
            track_url=settings.base_url + url_for("tracking.track"),
            lookup_number=settings.sms.lookup_number,
            desk_phone=settings.desk_phone,
            **slip_context(),
        )
    return page, 200, PRIVATE


from . import routes_dossiers  # noqa: E402, F401 - the dossier pages, on this blueprint
