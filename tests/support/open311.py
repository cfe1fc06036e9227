"""Open311 in tests: an API key, a report's form fields, published items."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from portal.apikeys import operations as keys
from portal.apikeys.models import ApiKey
from portal.settings import Smtp
from tests.support.feedback import TO_HIEU_COMMUNE

API = "/open311/v2"


def issue_key(name: str = "Ứng dụng thử", **options) -> tuple[ApiKey, str]:
    return keys.issue(name, None, **options)


def report(api_key: str, **overrides) -> dict:
    """A POST requests form as an Open311 client sends it."""
    data = {
        "api_key": api_key,
        "service_code": "giao-thong",
        "lat": "21.3256",
        "long": "103.9188",
        "attribute[commune]": TO_HIEU_COMMUNE,
        "attribute[consent]": "yes",
        "description": "Đất đá sạt xuống đường sau mưa lớn, xe máy không đi được.",
        "first_name": "Pọm",
        "last_name": "Lò Văn",
        "phone": "0912 345 678",
        "email": "pom@example.com",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def with_mail(app):
    """The app's settings with a mail server named, so receipts are queued (not sent: no worker runs)."""
    settings = app.config["PORTAL_SETTINGS"]
    return dataclasses.replace(settings, smtp=Smtp(host="127.0.0.1", port=2525))


def xml_root(response) -> ET.Element:
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), body[:60]
    return ET.fromstring(body)  # noqa: S314 - our own server's answer, in a test
