"""Incoming texts forwarded by eSMS.vn's short-code service (SMS_INBOUND=esms), the same provider that sends.

Format followed: eSMS "Kết nối đầu số ngắn" (connect to a short-code service),
https://developers.esms.vn/esms-api/ket-noi-ma-svoucher/ket-noi-dau-so-ngan (English page:
https://developers.esms.vn/en/esms-api/svoucher-connect/connect-to-shortcode-service). When a citizen texts
the short code, eSMS calls the partner's URL with an HTTP GET:

    /sms/inbound?sender=84912345678&content=TC PA-...&serviceNumber=8077&keyword=TC&sign=...&cpid=...
                &smsid=...&receiverTime=20261206130101

`sender` is international (84...), `smsid` is unique per text ("to check duplicates"), `receiverTime` is
yyyyMMddhhmmss. `sign` = MD5(cpid + smsid + content + receiverTime + PrivateKey) as hex, the documented
hashValue(value1, value2, ...) = MD5(value1 + value2 + ... + private_key); PrivateKey is
SMS_INBOUND_SECRET, cpid SMS_INBOUND_CPID. The partner answers with XML
<ClientResponse><Message/><Smsid/><Receiver/></ClientResponse>, whose Message eSMS may text back.

What the portal adds: the sign is compared in constant time and `cpid` must be ours; a `receiverTime` more
than a day away is refused (the zone is not documented: a day covers UTC and Vietnam time); a `smsid` seen
before is answered once only (the answer's outbox key holds it); SMS_INBOUND_ALLOW can limit the callers to
eSMS's addresses. The sign does not cover `sender`, hence the one answer per smsid and the per-sender limit.
The answer is NOT put in <Message>: it leaves through the "sms" job like every text (after the commit,
retried, its cost counted), so <Message> is left empty.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from flask import Response, request
from sqlalchemy import select

from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.extensions import db
from portal.jobs.models import OutboxJob
from portal.settings import Sms

from . import lookup

SIGNED = ("cpid", "smsid", "content", "receiverTime")  # in the order they are hashed, then the key
MAX_SKEW = timedelta(days=1)
_SMSID = re.compile(r"[A-Za-z0-9_.:\-]{1,100}")


def sign(values: list[str], private_key: str) -> str:
    """eSMS's hashValue(value1, value2, ...) = MD5(value1 + value2 + ... + private_key), in hex."""
    return hashlib.md5(("".join(values) + private_key).encode("utf-8"), usedforsecurity=False).hexdigest()


def _fresh(stamp: str, now: datetime) -> bool:
    try:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return False
    return abs(now - moment) <= MAX_SKEW + timedelta(hours=7)  # written in UTC or in Vietnam time (UTC+7)


def _allowed(settings: Sms) -> bool:
    if not settings.inbound_allow:
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network) for network in settings.inbound_allow)


def authentic(settings: Sms, args, now: datetime) -> bool:
    if not settings.inbound_secret or not settings.inbound_cpid or not _allowed(settings):
        return False
    given = args.get("sign", "")
    if not given or not hmac.compare_digest(args.get("cpid", ""), settings.inbound_cpid):
        return False
    expected = sign([args.get(name, "") for name in SIGNED], settings.inbound_secret)
    return hmac.compare_digest(expected, given.lower()) and _fresh(args.get("receiverTime", ""), now)


def _client_response(smsid: str, receiver: str, status: int = 200) -> Response:
    """The documented reply; <Message> empty (the answer is texted by the "sms" job)."""
    body = (
        "<ClientResponse><Message></Message>"
        f"<Smsid>{escape(smsid)}</Smsid><Receiver>{escape(receiver)}</Receiver></ClientResponse>"
    )
    return Response(body, status=status, mimetype="application/xml")


def receive(settings: Sms) -> Response:
    """One forwarded text: check it, and queue its answer once."""
    args = request.args
    if not authentic(settings, args, datetime.now(UTC)):
        return Response(
            "<ClientResponse><Message></Message></ClientResponse>", 401, mimetype="application/xml"
        )
    smsid, sender = args.get("smsid", ""), args.get("sender", "")
    try:
        if not _SMSID.fullmatch(smsid):
            raise ValueError(smsid)
        phone = normalise_mobile(sender)
    except (ValueError, InvalidPhone):
        return _client_response(smsid[:100], sender[:20], 400)
    key = f"sms:lookup:esms:{smsid}"
    if db.session.scalar(select(OutboxJob.id).where(OutboxJob.key == key)) is None:
        lookup.reply(phone, args.get("content", "")[:480], key=key)
        db.session.commit()
    return _client_response(smsid, sender)
