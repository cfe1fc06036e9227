"""A local SMS gateway for tests: an HTTP server on 127.0.0.1 speaking eSMS.vn's send API (JSON POST to
/MainService.svc/json/SendMultipleMessage_V4_post_json/, answered {"CodeResult": "100", "SMSID": ...}),
keeping every message it accepts. `code` makes it refuse (e.g. "99", "103") until set back to "100"."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob
from portal.settings import Sms

PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
INBOUND_SECRET = "test-sms-inbound-secret-" + "i" * 16
LOOKUP_NUMBER = "8077"


@dataclass
class Text:
    phone: str
    content: str
    unicode: bool
    request_id: str
    body: dict


class Gateway:
    def __init__(self) -> None:
        self.received: list[Text] = []
        self.code = "100"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def settings(self, **overrides) -> Sms:
        base = Sms(
            gateway="esms",
            url=self.url,
            api_key="test-api-key",
            secret_key="test-secret-key",
            brandname="SONLA-PORTAL",
            price_vnd=800,
            inbound_secret=INBOUND_SECRET,
            lookup_number=LOOKUP_NUMBER,
        )
        return replace(base, **overrides)

    def to(self, phone: str) -> list[Text]:
        return [text for text in self.received if text.phone == phone]

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                ok = (
                    self.path == PATH
                    and body.get("ApiKey") == "test-api-key"
                    and body.get("SecretKey") == "test-secret-key"
                )
                code = gateway.code if ok else "101"
                if code == "100":
                    gateway.received.append(
                        Text(
                            body["Phone"], body["Content"], body["IsUnicode"] == "1", body["RequestId"], body
                        )
                    )
                answer = json.dumps({"CodeResult": code, "SMSID": f"esms-{len(gateway.received)}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):  # quiet
                pass

        return Handler

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed(body: dict, secret: str = INBOUND_SECRET, timestamp: int | None = None) -> tuple[bytes, dict]:
    """An incoming text as the gateway forwards it: the JSON body and its signature headers."""
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    headers = {
        "X-Portal-Timestamp": stamp,
        "X-Portal-Signature": signature,
        "Content-Type": "application/json",
    }
    return raw, headers


# --- the "sms" jobs a feature queued (the SMS contract: portal/sms_queue.py) ---


def with_sms(app, monkeypatch) -> None:
    """Make sure an "sms" handler is registered (portal.sms registers one at start; kept for tests that
    read the queued job rows only)."""
    handlers = jobs_of(app).handlers
    if "sms" not in handlers:
        monkeypatch.setitem(handlers, "sms", lambda payload, key: None)


def queued_sms() -> list[dict]:
    """Payloads of the queued "sms" jobs, oldest first: {"to", "text", "purpose"}."""
    rows = db.session.scalars(select(OutboxJob.payload).where(OutboxJob.kind == "sms").order_by(OutboxJob.id))
    return [json.loads(row) for row in rows]


# --- eSMS.vn's short-code forwarding of an incoming text (portal/sms/inbound_esms.py) ---

ESMS_CPID = "test-cpid-1"
# eSMS's documentation example of a private key (developers.esms.vn, "Kết nối đầu số ngắn").
ESMS_PRIVATE_KEY = "17417a0d20114d36a902e49cad0e97f3"


def esms_mo(
    sender: str,
    content: str,
    smsid: str,
    *,
    received: str | None = None,
    private_key: str = ESMS_PRIVATE_KEY,
    cpid: str = ESMS_CPID,
    service_number: str = LOOKUP_NUMBER,
) -> str:
    """The query string eSMS sends with its HTTP GET when `sender` (84...) texts `content` to the short code:
    sender, content, serviceNumber, keyword (the first word), sign, cpid, smsid, receiverTime
    (yyyyMMddhhmmss), sign = MD5(cpid + smsid + content + receiverTime + PrivateKey)."""
    stamp = received or time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 7 * 3600))  # Vietnam time
    digest = hashlib.md5((cpid + smsid + content + stamp + private_key).encode(), usedforsecurity=False)
    return urlencode(
        {
            "sender": sender,
            "content": content,
            "serviceNumber": service_number,
            "keyword": content.split()[0] if content.split() else "",
            "sign": digest.hexdigest(),
            "cpid": cpid,
            "smsid": smsid,
            "receiverTime": stamp,
        }
    )
