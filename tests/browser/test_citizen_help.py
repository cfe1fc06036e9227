"""Help before and after a report, and citizen accounts, in Vietnamese at 360 px in Chromium: duplicate
hints, "my problem too", code recovery, sign-up with an e-mailed or texted code, and password reset.

This module runs its own live server (not the shared one of conftest.py) so that the test can reach its
application: a real SMTP server (aiosmtpd, tests/support/smtp.py) receives the mail the jobs send, and the
"sms" jobs are read from its outbox (the SMS contract: the SMS branch registers the real handler).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Feedback
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.support.databases import throwaway_database
from tests.support.jobs import run_jobs
from tests.support.smtp import Collector, smtp_server_on

COMMUNE = "Phường Chiềng Cơi"
COMMUNE_CODE = "03670"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def mail_server() -> Iterator[Collector]:
    collector = Collector()
    port = _free_port()
    controller = smtp_server_on(collector, port)
    collector.port = port  # type: ignore[attr-defined]
    try:
        yield collector
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def portal(chromium_executable, tmp_path_factory, mail_server):
    """(application, base URL): a live portal with mail to `mail_server` and "sms" jobs kept."""
    from werkzeug.serving import make_server

    from tests.conftest import build_app, migrate_and_seed

    folder = tmp_path_factory.mktemp("help-instance")
    with throwaway_database(folder, "help") as url:
        application = build_app(folder, url, smtp=Smtp(host="127.0.0.1", port=mail_server.port))
        application.config["WTF_CSRF_ENABLED"] = True
        handlers = jobs_of(application).handlers
        handlers.setdefault("sms", lambda payload, key: None)  # until the SMS branch registers the gateway
        migrate_and_seed(application)
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield application, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with application.app_context():
                db.engine.dispose()


@pytest.fixture
def tab(browser, portal):
    """tab(javascript=True): a fresh Vietnamese page at 360 px on this module's portal."""
    _application, base = portal
    contexts = []

    def open_tab(javascript: bool = True):
        context = browser.new_context(
            base_url=base,
            viewport={"width": 360, "height": 800},
            locale="vi-VN",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "portal_lang", "value": "vi", "url": base}])
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def deliver(application) -> None:
    """What the jobs worker does: send the queued mail to the SMTP server."""
    with application.app_context():
        run_jobs(application)


def published_report(application, title: str, phone: str = "+84912345678", email: str = "") -> str:
    from tests.support.feedback import make_item, publish

    with application.app_context():
        item = publish(make_item(title=title, phone=phone, email=email))
        code = item.code
        db.session.commit()
        return code


def support_count(application, code: str) -> int:
    with application.app_context():
        return db.session.scalar(select(Feedback.support_count).where(Feedback.code == code))


def test_duplicate_hints_and_me_too_with_javascript(tab, portal):
    application, _base = portal
    code = published_report(application, "Cống thoát nước bị tắc ở tổ 5")
    page = tab()
    page.goto("/feedback/new")
    page.locator("label.category-choice", has_text="Giao thông – đường, cầu").locator("input").check()
    page.locator("#commune").select_option(label=COMMUNE)
    page.locator("#title").fill("Cống bị tắc")
    hints = page.locator("#report-help-live")
    hints.get_by_text("Cống thoát nước bị tắc ở tổ 5").wait_for()
    page.screenshot(path=_shot("help-hints-360"), full_page=True)
    hints.get_by_role("button", name="Tôi cũng gặp vấn đề này").first.click()
    page.get_by_text("bạn đã được tính vào số người gặp vấn đề này").wait_for()
    assert support_count(application, code) == 1
    assert page.locator("#title").input_value() == "Cống bị tắc"  # nothing typed was lost
    # The public page shows the count; a second "me too" from the same browser is not counted.
    page.goto(f"/feedback/{code}")
    assert "1 người cũng gặp vấn đề này" in page.content()
    page.get_by_role("button", name="Tôi cũng gặp vấn đề này").click()
    page.get_by_text("Bạn đã cho biết mình cũng gặp vấn đề này.").wait_for()
    assert support_count(application, code) == 1


def test_duplicate_hints_without_javascript_and_the_emergency_numbers(tab, portal):
    application, _base = portal
    published_report(application, "Đá lăn xuống đường lên bản Hụm")
    page = tab(javascript=False)
    page.goto("/feedback/new")
    assert page.locator("a[href='tel:114']").first.is_visible()  # before the form
    assert page.locator("#use-location").is_hidden()  # "use my location" needs JavaScript
    page.locator("label.category-choice", has_text="Sạt lở đất, đá").locator("input").check()
    page.locator("#commune").select_option(label=COMMUNE)
    page.get_by_role("button", name="Kiểm tra phản ánh tương tự").click()
    live = page.locator("#report-help-live")
    live.get_by_text("Nếu có người gặp nguy hiểm, hãy gọi ngay").wait_for()
    for number in ("112", "113", "114", "115"):
        assert live.locator(f"a[href='tel:{number}']").count() == 1
    page.screenshot(path=_shot("help-urgent-nojs-360"), full_page=True)
    # A commune found by its pre-2025 name.
    page.locator("#commune_search").fill("Chiềng Lề")
    page.get_by_role("button", name="Tìm", exact=True).click()
    assert page.locator("#commune").input_value() == "03646"
    assert "trước đây là Phường Chiềng Lề" in page.content()


def test_code_recovery_sends_the_codes_never_shows_them(tab, portal, mail_server):
    application, _base = portal
    code = published_report(
        application, "Đèn đường tắt cả tháng", phone="+84987111222", email="ha@example.com"
    )
    page = tab()
    page.goto("/track")
    page.get_by_role("link", name="Mất mã phản ánh?").click()
    page.get_by_label("Số di động hoặc e-mail bạn đã ghi khi phản ánh").fill("0987 111 222")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_role("heading", name="Đã nhận yêu cầu").wait_for()
    assert code not in page.content()
    page.screenshot(path=_shot("help-lost-code-360"), full_page=True)
    with application.app_context():
        payloads = db.session.scalars(select(OutboxJob.payload).where(OutboxJob.kind == "sms")).all()
    assert any('"+84987111222"' in payload and code in payload for payload in payloads)
    deliver(application)
    [mail] = mail_server.to("ha@example.com")
    assert code in mail.body


def test_sign_up_then_reset_the_password(tab, portal, mail_server):
    application, _base = portal
    page = tab()
    page.goto("/login")
    page.get_by_role("link", name="Tạo tài khoản công dân").click()
    page.locator("#full_name").fill("Lò Thị Mai")
    page.locator("#email").fill("mai.citizen@example.com")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_role("heading", name="Nhập mã").wait_for()
    deliver(application)
    [mail] = mail_server.to("mai.citizen@example.com")
    code = re.search(r"\b(\d{6})\b", mail.body)[1]
    page.locator("#code").fill(code)
    page.locator("#password").fill("nương ngô Mộc Châu 2026")
    page.locator("#confirm").fill("nương ngô Mộc Châu 2026")
    page.screenshot(path=_shot("help-signup-verify-360"), full_page=True)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.get_by_text("Tài khoản đã sẵn sàng").wait_for()
    assert page.url.endswith("/feedback/mine")
    # Signed out, the citizen forgot the password: reset by e-mail.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "portal_lang", "value": "vi", "url": _base}])
    page.goto("/forgot-password")
    page.locator("#email").fill("mai.citizen@example.com")
    page.locator("main button[type=submit]").click()
    deliver(application)
    reset_mail = mail_server.to("mai.citizen@example.com")[-1]
    link = re.search(r"https?://\S+/reset/\S+", reset_mail.body)[0]
    page.goto(link.replace("http://localhost", _base))
    page.locator("#password").fill("ruộng bậc thang Mù Cang")
    page.locator("#confirm").fill("ruộng bậc thang Mù Cang")
    page.locator("main button[type=submit]").click()
    page.locator("main #email").fill("mai.citizen@example.com")
    page.locator("main #password").fill("ruộng bậc thang Mù Cang")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def _shot(name: str) -> str:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")


@pytest.fixture
def texting(portal):
    """The portal's application sending texts through the local eSMS-like gateway, for one test."""
    from dataclasses import replace

    from tests.support.sms import Gateway

    application, _base = portal
    before = application.config["PORTAL_SETTINGS"]
    with Gateway() as gateway:
        application.config["PORTAL_SETTINGS"] = replace(before, sms=gateway.settings())
        try:
            yield gateway
        finally:
            application.config["PORTAL_SETTINGS"] = before


def _texted_code(application, phone: str, purpose: str) -> str:
    """The code in the newest "sms" job for `phone` and `purpose`, read from the outbox."""
    import json

    with application.app_context():
        payloads = [
            json.loads(raw)
            for raw in db.session.scalars(
                select(OutboxJob.payload).where(OutboxJob.kind == "sms").order_by(OutboxJob.id)
            )
        ]
    [*_, latest] = [p for p in payloads if p.get("to") == phone and p.get("purpose") == purpose]
    return re.search(r"\b(\d{6})\b", latest["text"])[1]


def test_sign_up_with_a_phone_sign_in_with_it_and_reset_by_text(tab, portal, texting):
    application, base = portal
    page = tab(javascript=False)
    page.goto("/register")
    page.locator("#full_name").fill("Lò Văn Pọm")
    page.get_by_label("Tin nhắn (SMS) đến điện thoại di động của tôi").check()
    page.locator("#phone").fill("0977 123 456")
    page.screenshot(path=_shot("help-signup-phone-360"), full_page=True)
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    page.get_by_role("heading", name="Nhập mã").wait_for()
    assert "0977 123 456" in page.content()
    code = _texted_code(application, "+84977123456", "signup")
    deliver(application)  # the worker sends it through the gateway
    assert any(code in text.content for text in texting.received)
    page.locator("#code").fill(code)
    page.locator("#password").fill("nương ngô Mộc Châu 2026")
    page.locator("#confirm").fill("nương ngô Mộc Châu 2026")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.get_by_text("Tài khoản đã sẵn sàng").wait_for()
    # Signed out: sign in with the number as typed on paper, then forget the password and reset by text.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "portal_lang", "value": "vi", "url": base}])
    page.goto("/forgot-password")
    page.locator("#email").fill("0977.123.456")
    page.locator("main button[type=submit]").click()
    page.get_by_role("heading", name="Đặt mật khẩu mới").wait_for()
    code = _texted_code(application, "+84977123456", "reset")
    page.locator("#code").fill(code)
    page.locator("#password").fill("ruộng bậc thang Mù Cang")
    page.locator("#confirm").fill("ruộng bậc thang Mù Cang")
    page.screenshot(path=_shot("help-reset-phone-360"), full_page=True)
    page.locator("main button[type=submit]").click()
    page.locator("main #email").fill("0977 123 456")
    page.locator("main #password").fill("ruộng bậc thang Mù Cang")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url
