"""Issue 18 item 5 in Chromium at 360 px, without JavaScript: the agency asks for more information, the
citizen answers from the status page with a photo; a form error (no text) keeps the photo, listed, and the
next send uses it without choosing it again; the photo shows with the reply on the timeline, for the
citizen and the agency. Screenshots: tests/artifacts/screenshots/reply-photos-*.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_feedback_journey import (
    ADMIN,
    COMMUNE,
    click_and_wait,
    receipt_code,
    report_a_problem,
    sign_in,
)
from tests.browser.test_feedback_journey import (
    CATEGORY as CATEGORIES,
)
from tests.support.files import jpeg_bytes

pytestmark = pytest.mark.browser
CATEGORY = CATEGORIES["vi"]


def test_reply_with_a_photo_kept_across_an_error(page, check_page, tmp_path):
    first, answer_photo = tmp_path / "sat-lo.jpg", tmp_path / "anh-gan.jpg"
    first.write_bytes(jpeg_bytes())
    answer_photo.write_bytes(jpeg_bytes(color=(20, 160, 40)))
    citizen = page("360x800", "vi", javascript=False)
    report_a_problem(citizen, "vi", "Cống vỡ tổ 5 Chiềng Cơi", first)
    code = receipt_code(citizen)

    admin = page("360x800", "vi")
    sign_in(admin, ADMIN)
    admin.goto(f"/staff/feedback/{code}")
    ask = admin.locator("form[action$='/request_info']")
    ask.locator("textarea[name=note]").fill("Xin gửi ảnh chụp gần chỗ cống vỡ.")
    with admin.expect_navigation():
        ask.locator("button[type=submit]").click()
    assert admin.locator("span.status.status-info_requested").is_visible()

    citizen.goto(f"/feedback/{code}/status")
    form = citizen.locator("form[action$='/reply']")
    assert form.locator("input[type=file]#photos").count() == 1
    check_page(citizen, "reply-photos-1-status-with-form", "vi")
    form.locator("#photos").set_input_files(str(answer_photo))
    click_and_wait(citizen, "form[action$='/reply'] button[type=submit]:not([name])")  # no text: an error
    assert "anh-gan.jpg" in citizen.locator("ul.kept-files").inner_text()
    assert citizen.locator(".field.has-error textarea#text").count() == 1
    assert all("400" in problem for problem in citizen.problems), citizen.problems
    citizen.problems.clear()  # the 400 of the form's answer is expected
    screenshot(citizen, "reply-photos-2-error-keeps-photo")
    citizen.locator("textarea#text").fill("Đây là ảnh chụp gần, cống vỡ một nửa.")
    click_and_wait(citizen, "form[action$='/reply'] button[type=submit]:not([name])")
    assert urlsplit(citizen.url).path == f"/feedback/{code}/status"
    assert citizen.locator("p.status.status-accepted").is_visible()
    thumbs = citizen.locator("ol.timeline .photos img")
    assert thumbs.count() == 1
    thumbs.first.scroll_into_view_if_needed()
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(citizen, "reply-photos-3-sent", "vi")

    admin.goto(f"/staff/feedback/{code}")
    assert admin.locator("ol.timeline .photos img").count() == 1


def test_hide_my_name_from_the_status_page(page, check_page):
    citizen = page("360x800", "vi", javascript=False)
    citizen.goto("/feedback/new")
    form = citizen.locator("main form[enctype='multipart/form-data']")
    form.locator("label.category-choice", has_text=CATEGORY).locator("input").check()
    form.locator("#title").fill("Đèn đường tắt cả tuần")
    form.locator("#description").fill("Đèn đường trước nhà văn hoá tổ 2 tắt cả tuần, buổi tối rất tối.")
    form.locator("#commune").select_option(label=COMMUNE)
    form.locator("#contact_name").fill("Lò Thị Tên Hiện")
    form.locator("#phone").fill("0912 345 679")
    form.locator("#show_name").check()
    form.locator("#consent").check()
    click_and_wait(citizen, "main form button[type=submit]:not(.hp)")
    code = receipt_code(citizen)
    citizen.goto(f"/feedback/{code}/status")
    hide = citizen.locator("form.hide-name")
    assert "Lò Thị Tên Hiện" in hide.inner_text()
    check_page(citizen, "reply-photos-4-status-hide-name", "vi")
    click_and_wait(citizen, "form.hide-name button[type=submit]")
    assert urlsplit(citizen.url).path == f"/feedback/{code}/status"
    assert citizen.locator(".flash-success").is_visible() and citizen.locator("form.hide-name").count() == 0
    check_page(citizen, "reply-photos-5-name-hidden", "vi")
