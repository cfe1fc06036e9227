"""/my-data/feedback/<code>/hide-name: "hide my name" from the report's status page, one press (issue 18
item 5). The same withdrawal of the publish_name consent as /my-data's (consents.withdraw), for whoever may
open the status page (the report's account, or a browser given access by the receipt, the secret link or
the look-up): the name leaves the feed and the public page at once (the item's row changes, and with it
the feed's fragment key and the status page's version). A view of the privacy blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from portal.extensions import db
from portal.feedback import policy as feedback_policy
from portal.feedback import queries as feedback_queries

from . import consents, policy
from .routes import bp


@bp.post("/feedback/<code>/hide-name")
def hide_name(code: str):
    item = feedback_queries.by_code(code)
    if item is None or not feedback_policy.can_view_private(item):
        abort(404)  # another citizen's report looks exactly like a missing one
    if consents.withdraw_current(item, "publish_name", policy.actor_id()):
        db.session.commit()
        flash(_("Your name is no longer shown with this report."), "success")
    else:
        flash(_("Your name is not shown with this report."), "success")
    return redirect(url_for("feedback.status", code=item.code))
