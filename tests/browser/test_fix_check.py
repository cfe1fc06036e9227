"""Issue 14 item 5 in Chromium at 360 px: the ward's processor answers a road report as fixed with an after
photo; the citizen, who gave no e-mail address, gets the one-tap "Đã khắc phục chưa?" link by SMS (the test
gateway), opens it with JavaScript off, answers "not fixed", and the report is back in the agency's
queue; the public page shows the before and after photos."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.support.databases import throwaway_database
from tests.support.files import jpeg_bytes
from tests.support.sms import Gateway

pytestmark = pytest.mark.browser
PROCESSOR = "xuly@demo.sonla.vn"
LINK = re.compile(r"https?://[^\s]+(/feedback/PA-[\d-]+/fixed/[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def portal(chromium_executable, tmp_path_factory):
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from portal.accounts.models import Account
    from portal.db_types import utcnow
    from portal.domain.feedback_status import FeedbackAction
    from portal.extensions import db
    from portal.feedback import operations
    from tests.conftest import build_app, migrate_and_seed
    from tests.support.feedback import make_item

    folder = tmp_path_factory.mktemp("fix-check-instance")
    with Gateway() as gateway, throwaway_database(folder, "fixcheck") as url:
        application = build_app(folder, url, sms=gateway.settings())
        application.config["WTF_CSRF_ENABLED"] = True
        migrate_and_seed(application)
        with application.app_context():
            item = make_item(
                email="", now=utcnow() - timedelta(days=3), photos=(jpeg_bytes(color=(120, 80, 30)),)
            )
            processor = db.session.scalar(select(Account).where(Account.email == PROCESSOR))
            operations.staff_act(item, FeedbackAction.ACCEPT, processor)
            code = item.code
            db.session.commit()
            db.session.remove()
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield application, f"http://127.0.0.1:{server.server_port}", gateway, code
        finally:
            server.shutdown()
            server.server_close()
            with application.app_context():
                db.engine.dispose()


def shot(tab, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"fix-check-{name}.png"), full_page=True)
    width = tab.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: horizontal scrolling at 360 px: {width}"


def test_answer_as_fixed_then_the_citizen_says_not_fixed(portal, browser, tmp_path):
    from portal.demo import DEMO_PASSWORD
    from portal.extensions import db
    from tests.support.jobs import run_jobs

    application, base, gateway, code = portal
    after = tmp_path / "sau.jpg"
    after.write_bytes(jpeg_bytes(color=(60, 140, 60)))

    staff_context = browser.new_context(base_url=base, viewport={"width": 360, "height": 800}, locale="vi-VN")
    staff = staff_context.new_page()
    staff.goto("/login")
    staff.locator("main #email").fill(PROCESSOR)
    staff.locator("main #password").fill(DEMO_PASSWORD)
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    staff.goto(f"/staff/feedback/{code}")
    form = staff.locator("form[action$='/answer']")
    form.locator("textarea[name=note]").fill("Đã san lấp ổ gà, xe đi lại bình thường.")
    form.locator("#fixed-answer").check()
    form.locator("#after-photo").set_input_files(str(after))
    form.scroll_into_view_if_needed()
    shot(staff, "0-staff-answer-form")
    with staff.expect_navigation():
        form.locator("button[type=submit]").click()
    assert staff.locator("span.status.status-answered").is_visible()
    assert staff.locator("section.fix img").count() == 2  # before and after
    shot(staff, "1-staff-answered")

    with application.app_context():
        run_jobs(application)
        db.session.remove()
    [text] = [t for t in gateway.received if "/fixed/" in t.content]
    path = LINK.search(text.content)[1]

    citizen_context = browser.new_context(
        base_url=base, viewport={"width": 360, "height": 800}, locale="vi-VN", java_script_enabled=False
    )
    citizen = citizen_context.new_page()
    citizen.goto(path)
    assert citizen.locator("h1").inner_text() == "Đã khắc phục chưa?"
    shot(citizen, "2-question")
    citizen.locator("textarea#comment").fill("Vẫn còn ổ gà ở đầu cầu.")
    with citizen.expect_navigation():
        citizen.locator("button[name=answer][value=no]").click()
    assert urlsplit(citizen.url).path == path
    assert citizen.locator("form.fix-reply").count() == 0  # answered: no second answer offered
    shot(citizen, "3-answered")

    staff.goto(f"/staff/feedback/{code}")
    assert staff.locator("span.status.status-accepted").is_visible()  # back in the queue

    citizen.goto(f"/feedback/{code}")
    assert citizen.locator("section.fix figure").count() == 2
    shot(citizen, "4-public")
    staff_context.close()
    citizen_context.close()
