"""Papers the citizen is the addressee of, opened by the citizen (their account, or a browser given access)
or by the agency's staff: forms 02, 03 and 06, and the paper slips of dossiers and reports.

A slip carries the private link's QR, so it is shown only to whoever may already see that link: for a
dossier, whoever may see its receipt (the link is derived from the code with SECRET_KEY); for a report,
the browser that has just sent it (its receipt's session) or whoever opens the private link itself (the
token is in the address). Staff never see a report's link (only its hash is stored), so a report has no
staff slip.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.calendar.queries import LOCAL_TZ
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.phone import last_digits
from portal.dossiers.models import Dossier
from portal.dossiers.routes import private_dossier
from portal.feedback import operations as feedback_operations
from portal.feedback import policy as feedback_policy
from portal.feedback import queries as feedback_queries
from portal.feedback.models import Feedback

from . import queries

bp = Blueprint("papers", __name__, template_folder="templates")
SLIP_SIZES = ("a6", "58mm")
PRIVATE = {"Cache-Control": "no-store"}  # personal data, and a slip's private link


def clock(moment: datetime | None) -> str:
    """'14 giờ 30 phút, ngày 07/12/2026' (forms 01, 05, 06 write the time so), in the province's time."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_TZ)
    return _(
        "%(hour)02d h %(minute)02d, %(date)s",
        hour=local.hour,
        minute=local.minute,
        date=f"{local.day:02d}/{local.month:02d}/{local.year:04d}",
    )


def local_day(moment: datetime):
    return moment.astimezone(LOCAL_TZ).date()


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


@bp.get("/dossiers/<code>/papers/02/<int:pause_id>")
def supplement_request(code: str, pause_id: int):
    """Form 02, one per request for documents: what is missing, who asked, when."""
    dossier = private_dossier(code)
    pause = next((p for p in dossier.pauses if p.id == pause_id and p.reason == "supplement"), None)
    if pause is None:
        abort(404)
    # The n-th request for documents is the n-th such event (the pause and its event are made together).
    requests = [p for p in dossier.pauses if p.reason == "supplement"]
    asked = [s for s in queries.steps(dossier.id) if s.action == "request_supplement"]
    index = requests.index(pause)
    step = asked[index] if index < len(asked) else None
    items = [line.strip() for line in pause.request.splitlines() if line.strip()]
    return (
        render_template(
            "papers/form02.html",
            dossier=dossier,
            pause=pause,
            items=items,
            issued=local_day(pause.started_at),
            officer=step.actor if step else "",
            clock=clock,
        ),
        200,
        PRIVATE,
    )


@bp.get("/dossiers/<code>/papers/03")
def refusal(code: str):
    """Form 03: the refusal, its reason and legal basis, while the dossier is refused (status 3)."""
    dossier = private_dossier(code)
    if dossier.status_enum is not S.REFUSED:
        abort(404)
    step = queries.last_step(queries.steps(dossier.id), "refuse")
    refused_at = step.at if step else dossier.submitted_at
    return (
        render_template(
            "papers/form03.html",
            dossier=dossier,
            issued=local_day(refused_at),
            refused_at=refused_at,
            officer=step.actor if step else "",
            clock=clock,
        ),
        200,
        PRIVATE,
    )


@bp.get("/dossiers/<code>/papers/06")
def register_entry(code: str):
    """Form 06: the dossier's line of the register (sổ theo dõi hồ sơ), with the result's hand-over that
    the citizen signs. The citizen sees it once the result is ready; the agency's staff at any time."""
    dossier = private_dossier(code)
    if not _is_staff() and dossier.status_enum not in (S.DONE, S.RETURNED):
        abort(404)
    steps = queries.steps(dossier.id)
    sent = next((s for s in steps if s.action in ("start", "assign")), None)
    ready = queries.last_step(steps, "approve") or queries.last_step(steps, "finish")
    handed = queries.last_step(steps, "return_result")
    return (
        render_template(
            "papers/form06.html",
            dossier=dossier,
            received=dossier.received_at or dossier.submitted_at,
            sent=sent,
            ready=ready,
            handed=handed,
            issued=local_day(handed.at) if handed else None,
            clock=clock,
        ),
        200,
        PRIVATE,
    )


def slip_size() -> str:
    size = request.args.get("size", "a6")
    return size if size in SLIP_SIZES else "a6"


def _slip(kind: str, item: Dossier | Feedback, qr_url: str, size: str, **context):
    settings = current_app.config["PORTAL_SETTINGS"]
    with force_locale("vi"):  # the slip is in Vietnamese whatever the page's language (issue 13)
        page = render_template(
            "papers/slip.html",
            kind=kind,
            item=item,
            qr_url=qr_url,
            size=size,
            phone_hint=last_digits(item.phone, 3),
            track_url=settings.base_url + url_for("tracking.track"),
            desk_phone=settings.desk_phone,
            lookup_number=settings.sms.lookup_number,  # a basic phone looks the case up by text (portal/sms)
            **context,
        )
    return page, 200, PRIVATE


@bp.get("/dossiers/<code>/slip")
def dossier_slip(code: str):
    """Whoever may see the receipt (and its QR) may print the slip."""
    dossier = private_dossier(code)
    return _slip(
        "dossier",
        dossier,
        url_for("dossiers.receipt_qr", code=dossier.code),
        slip_size(),
        back=url_for("dossiers.receipt", code=dossier.code),
    )


@bp.get("/feedback/slip")
def feedback_slip():
    """The report this browser has just sent (its receipt's session holds the private link's token)."""
    saved = session.get("feedback_receipt")
    if not saved:
        abort(404)
    item = feedback_queries.by_code(saved["code"])
    if item is None or not feedback_policy.can_view_private(item):
        abort(404)
    token = saved["token"]
    return _slip(
        "feedback",
        item,
        url_for("feedback.secret_qr", token=token),
        slip_size(),
        back=url_for("feedback.receipt"),
    )


@bp.get("/feedback/t/<token>/slip")
def feedback_slip_by_link(token: str):
    """The slip of a report opened by its private link: the token in the address is the proof."""
    item = feedback_queries.by_token_hash(feedback_operations.hash_token(token)) if len(token) < 100 else None
    if item is None:
        abort(404)
    return _slip(
        "feedback",
        item,
        url_for("feedback.secret_qr", token=token),
        slip_size(),
        back=url_for("feedback.secret_link", token=token),
        token=token,
    )
