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
