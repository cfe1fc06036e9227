"""/feedback/<code>/reply: the citizen answers a request for information from the status page, with
photos if they like (issue 18 item 5; a view of the feedback blueprint, split from routes.py).

The status page's form is kept for every viewer (portal/tracking/page_cache.py), so it carries no nonce.
Each post's photos are kept at once as drafts under a nonce this browser was given (the posted one when
it was issued here, else a new one), so when the form comes back with an error (no text, a bad photo, a
"remove" press) the photos already received are listed and never uploaded again; that page is this
viewer's own, with the nonce in it. Sending takes the drafts into the reply.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal import form_nonce
from portal.domain.feedback_status import InvalidTransition
from portal.extensions import db
from portal.forms import required
from portal.uploads import drafts

from . import operations, policy, queries, reply, report_photos
from .forms import SupplyInfoForm
from .routes import bp, photo_error


def _nonce(posted: str) -> str:
    return posted if form_nonce.well_formed(posted) and form_nonce.issued_here(posted) else form_nonce.issue()


def _drop_drafts(nonce: str) -> None:
    names = drafts.purge(drafts.listed(reply.FORM, nonce))
    db.session.commit()
    drafts.delete_files(names)


@bp.post("/<code>/reply", endpoint="reply")
def reply_to_request(code: str):
    item = queries.by_code(code)
    if item is None or not policy.can_view_private(item):
        abort(404)  # another citizen's item looks exactly like a missing one
    form = SupplyInfoForm()
    nonce = form.nonce.data = _nonce(form.nonce.data or "")
    if item.status != "info_requested":  # answered already (a second tap) or nothing asked
        _drop_drafts(nonce)
        flash(_("No information is being asked for at the moment."), "error")
        return redirect(url_for(".status", code=code))
    removing, photo_errors = report_photos.keep_posted(form.photos, nonce, photo_error, reply.FORM)
    valid = form.validate_on_submit()
    if removing or not valid or photo_errors:
        if removing:
            form.text.errors = []  # a "remove" press is not a send: no complaint about the text
        form.photos.errors = photo_errors
        page = render_template(
            "feedback/reply.html", item=item, form=form, photo_drafts=report_photos.kept(nonce, reply.FORM)
        )
        return page, 200 if removing else 400, {"Cache-Control": "no-store"}
    kept, duplicates = drafts.take(reply.FORM, nonce)
    try:
        reply.send(item, required(form.text), kept)
    except (operations.FeedbackError, InvalidTransition):
        db.session.rollback()
        _drop_drafts(nonce)
        flash(_("No information is being asked for at the moment."), "error")
        return redirect(url_for(".status", code=code))
    db.session.commit()
    drafts.delete_files(duplicates)
    flash(_("Thank you. Your information was sent to the agency."), "success")
    return redirect(url_for(".status", code=code))
