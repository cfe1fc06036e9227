"""What the SMS feature plugs in at app start: the "sms" job kind and the notice listeners."""

from __future__ import annotations

from flask import Flask

from portal import jobs

from . import notices, sending


def init_app(app: Flask) -> None:
    jobs.register(app, sending.KIND, sending.send_text)
    notices.install_listeners()
