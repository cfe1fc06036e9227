"""The gateway's incoming texts (MO) at /sms/inbound, in the format SMS_INBOUND names:

- "esms" (portal/sms/inbound_esms.py): eSMS.vn's short-code forwarding, an HTTP GET signed with the CP's
  private key, answered with eSMS's <ClientResponse> XML;
- "signed" (here, the default): the portal's own format, for a forwarder configured to post it. A POST of
  JSON {"from": "0912345678", "to": "<look-up number>", "text": "PA-261206-0001"}, signed like the bank
  webhook: X-Portal-Timestamp (Unix seconds, within 5 minutes) and X-Portal-Signature, the hex HMAC-SHA256
  of "<timestamp>.<body>" under SMS_INBOUND_SECRET (README "SMS").

Either way the answer is texted back by the "sms" job after the commit; the HTTP reply says only whether
one was queued.
"""

from __future__ import annotations

import hmac
import json
import re
import time

from flask import Blueprint, abort, current_app, jsonify, request

from portal.domain.digests import keyed_digest
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.extensions import csrf, db

from . import inbound_esms, lookup

bp = Blueprint("sms", __name__)
WINDOW = 300
MAX_BODY = 4096


def _authentic(body: bytes) -> bool:
    secret = current_app.config["PORTAL_SETTINGS"].sms.inbound_secret
    timestamp = request.headers.get("X-Portal-Timestamp", "")
    given = request.headers.get("X-Portal-Signature", "")
    if not secret or not given or not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    if abs(time.time() - int(timestamp)) > WINDOW:
        return False
    expected = keyed_digest(secret, timestamp.encode() + b"." + body).hex()
    return hmac.compare_digest(expected, given.lower())


@bp.route("/sms/inbound", methods=["GET", "POST"])
@csrf.exempt  # authenticated by its signature instead
def inbound():
    settings = current_app.config["PORTAL_SETTINGS"].sms
    if settings.inbound == "esms":
        return inbound_esms.receive(settings)
    if request.method != "POST":
        abort(405)
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    body = request.get_data(cache=False)
    if not _authentic(body):
        return jsonify(error="signature"), 401
    try:
        message = json.loads(body)
        sender = normalise_mobile(str(message["from"]))
        text = str(message.get("text", ""))[:480]
    except (ValueError, KeyError, TypeError, InvalidPhone):
        return jsonify(error="malformed"), 400
    answered = lookup.reply(sender, text)
    db.session.commit()
    return jsonify(status="answered" if answered else "not_answered")
