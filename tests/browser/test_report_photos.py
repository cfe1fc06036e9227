"""Issue 18's Done-when for the report form on a mountain link, in Chromium at 360 px.

- With Chromium's network throttled to 400 kbps / 400 ms (CDP Network.emulateNetworkConditions), a report
  with a 5 MB photo ends on the receipt page with JavaScript (static/js/report-photos.js makes it a few
  hundred KB first and shows the upload's progress), and with JavaScript off a 2 MB photo, sent as it is,
  also ends on the receipt page.
- A form error after choosing two photos comes back with both listed (kept as drafts), and sending succeeds
  without choosing them again: the report has both photos.
"""

from __future__ import annotations

import io
import random
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

CATEGORY = "Giao thông – đường, cầu"
COMMUNE = "Phường Chiềng Cơi"
SLOW = 120_000  # ms: a 2 MB body at 400 kbps takes about 40 s
KBPS = 400


def photo_of(path, megabytes: float, seed: int):
    """A JPEG of about `megabytes` MB that looks like a phone photo to an encoder: smooth shapes and grain."""
    rng = random.Random(seed)
    side = 1200
    while True:
        width, height = side * 4 // 3, side
        base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        image = Image.blend(base, grain, 0.35)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=92)
        if len(buffer.getvalue()) >= megabytes * 1_000_000:
            path.write_bytes(buffer.getvalue())
            return path
        side += 400


def throttle(tab) -> None:
    session = tab.context.new_cdp_session(tab)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": KBPS * 1000 / 8,
            "uploadThroughput": KBPS * 1000 / 8,
        },
    )


def fill(tab, title: str = "Sạt lở đường tổ 3", photos=()) -> None:
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("label.category-choice", has_text=CATEGORY).locator("input").check()
    form.locator("#title").fill(title)
    form.locator("#description").fill(
        "Đất đá sạt xuống lấp nửa mặt đường sau mưa lớn, xe máy đi rất nguy hiểm."
    )
    if photos:
        form.locator("#photos").set_input_files([str(p) for p in photos])
    form.locator("#commune").select_option(label=COMMUNE)
    form.locator("#contact_name").fill("Lò Văn Pọm")
    form.locator("#phone").fill("0912 345 678")
    form.locator("#consent").check()


def send(tab) -> None:
    tab.locator("main form button[type=submit]:not(.hp)").last.click(no_wait_after=True)


def on_receipt(tab) -> str:
    tab.wait_for_url(re.compile(r"/feedback/receipt$"), timeout=SLOW)
    code = tab.locator(".code-box strong").inner_text().strip()
    assert re.fullmatch(r"PA-\d{6}-\d{4}", code), code
    return code


def photos_on_status_page(tab, code: str) -> int:
    tab.goto(f"/feedback/{code}/status")
    return tab.locator(".photos img").count()


def test_a_5_mb_photo_on_a_slow_link_with_javascript(page, tmp_path):
    big = photo_of(tmp_path / "IMG_0001.jpg", 5, seed=1)
    assert big.stat().st_size >= 5_000_000
    tab = page("360x800", "vi")
    tab.goto("/feedback/new")
    throttle(tab)
    fill(tab, photos=[big])
    sent = []
    tab.on("request", lambda r: r.method == "POST" and sent.append(len(r.post_data_buffer or b"")))
    send(tab)
    tab.locator("#upload-progress").wait_for(state="visible", timeout=SLOW)
    screenshot(tab, "report-photos-progress")
    code = on_receipt(tab)
    screenshot(tab, "report-photos-receipt-js")
    assert sent and sent[0] < 600_000, sent  # the photo was made smaller before it was sent
    assert photos_on_status_page(tab, code) == 1
    assert not [p for p in tab.problems if "Content Security Policy" in p], tab.problems


def test_a_2_mb_photo_on_a_slow_link_without_javascript(page, tmp_path):
    photo = photo_of(tmp_path / "IMG_0002.jpg", 2, seed=2)
    assert 2_000_000 <= photo.stat().st_size < 10_000_000
    tab = page("360x800", "vi", javascript=False)
    tab.goto("/feedback/new")
    throttle(tab)
    fill(tab, photos=[photo])
    send(tab)
    code = on_receipt(tab)
    screenshot(tab, "report-photos-receipt-nojs")
    assert urlsplit(tab.url).path == "/feedback/receipt"
    assert photos_on_status_page(tab, code) == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_form_error_keeps_both_photos(page, tmp_path, javascript):
    first = photo_of(tmp_path / "cau.jpg", 0.3, seed=3)
    second = photo_of(tmp_path / "duong.jpg", 0.3, seed=4)
    tab = page("360x800", "vi", javascript=javascript)
    tab.goto("/feedback/new")
    fill(tab, title="", photos=[first, second])  # no title: the form comes back with an error
    send(tab)
    kept = tab.locator("ul.kept-files li")
    kept.first.wait_for(timeout=SLOW)
    assert kept.count() == 2
    assert tab.locator("#title-error").is_visible()
    assert tab.locator("#description").input_value().startswith("Đất đá")  # typed text kept as before
    screenshot(tab, f"report-photos-kept-{'js' if javascript else 'nojs'}")
    tab.locator("#title").fill("Sạt lở đường tổ 3")
    tab.locator("#consent").check()
    send(tab)
    code = on_receipt(tab)
    assert photos_on_status_page(tab, code) == 2


def test_remove_a_kept_photo(page, tmp_path):
    photos = [photo_of(tmp_path / f"{n}.jpg", 0.2, seed=10 + n) for n in range(2)]
    tab = page("360x800", "vi", javascript=False)
    tab.goto("/feedback/new")
    fill(tab, title="", photos=photos)
    with tab.expect_navigation():
        send(tab)
    with tab.expect_navigation():
        tab.locator("ul.kept-files li button[name=remove_photo]").first.click()
    assert tab.locator("ul.kept-files li").count() == 1
    tab.locator("#title").fill("Broken bridge")
    tab.locator("#consent").check()
    with tab.expect_navigation():
        send(tab)
    assert photos_on_status_page(tab, on_receipt(tab)) == 1
