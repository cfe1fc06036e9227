"""Signed bank notifications for tests."""
import hashlib
import hmac
import json
import time


SECRET = "test-webhook-secret-" + "s" * 24  # Settings.for_tests


def signed(body: dict | bytes, secret: str = SECRET, timestamp: int | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {"X-Portal-Timestamp": stamp, "X-Portal-Signature": signature, "Content-Type": "application/json"}
