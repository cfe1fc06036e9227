"""A member of staff sets up two-step sign-in and signs in with a code, on a 360 px phone, in Vietnamese.

Real clicks in Chromium against the live server: password, enrolment page (QR code decoded from the
screenshot, key typed from the page), a wrong code, the right one, the recovery codes, sign out, password
again, a wrong code, a code from the app. On every page of the walk: check_page (html lang, no horizontal
scrolling, labelled controls, one h1, one main landmark, no console or HTTP errors), no English word left,
and the code box set up for a phone (number pad, one-time-code autofill). Screenshots land in
tests/artifacts/screenshots/two-factor-vi-<step>.png.

The finance officer's account is used because no other browser test signs in with it: once enrolled, it
needs a code to sign in.
"""

from __future__ import annotations

import io
import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

pytestmark = pytest.mark.browser

FINANCE = "ketoan@demo.sonla.vn"
VIEWPORT = "360x800"
SUBMIT = "main form:not([action='/logout']) button[type=submit]"  # not "Cancel and start again"
# English words from the sign-in pages' own msgids that no Vietnamese sentence contains. Not "in" (the
# Vietnamese for "print") nor "to" (a Vietnamese word too).
ENGLISH = re.compile(
    r"\b(the|and|your|code|codes|sign|enter|continue|recovery|key|phone|account|password|back|home|cancel|"
    r"try|again|wait|minutes?|turn|shown|scan|scanning|type|print|kept|app|step|set up|copy|forgot|e-mail)\b",
    re.IGNORECASE,
)
# Everything a person sees or hears: text (hidden buttons included), the title, alt texts, labels of
# landmarks. The key and the recovery codes are random letters, left out.
WORDS_SCRIPT = """() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll('script, .secret-key, .recovery-codes').forEach(e => e.remove());
    const attributes = [...document.querySelectorAll('[alt], [aria-label], [placeholder], [title]')]
        .map(e => [e.alt, e.getAttribute('aria-label'), e.placeholder, e.title].filter(Boolean).join(' '));
    return [document.title, body.textContent, ...attributes].join(' ');
}"""


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()


def no_english(tab, step: str) -> None:
    words = tab.evaluate(WORDS_SCRIPT)
    words = words.replace(FINANCE, "")  # the account's own address, shown on the enrolment page
    found = sorted({match.group(0).lower() for match in ENGLISH.finditer(words)})
    assert not found, f"{step}: English left on a Vietnamese page: {found}"


def walk(tab, check_page, step: str, expected_status_problem: bool = False) -> None:
    if expected_status_problem:  # a refused code answers 401 on purpose
        assert tab.problems and all("401" in p for p in tab.problems), tab.problems
        tab.problems.clear()
    check_page(tab, f"two-factor-vi-{step}", "vi")
    no_english(tab, step)


def code_box_for_a_phone(tab, focused: bool) -> None:
    box = tab.locator("main #code")
    assert box.get_attribute("autocomplete") == "one-time-code"
    assert box.get_attribute("inputmode") == "numeric"
    assert box.input_value() == "", "a refused code stays in the box"
    if focused:
        assert tab.evaluate("document.activeElement && document.activeElement.id") == "code"


def password_step(tab) -> None:
    from portal.demo import DEMO_PASSWORD

    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/login']")
    tab.locator("main #email").fill(FINANCE)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, SUBMIT)


def decoded_qr(tab) -> str:
    import zxingcpp
    from PIL import Image

    image = tab.locator("main img.qr")
    box = image.bounding_box()
    assert 160 <= box["width"] <= 320 - 16, f"QR {box['width']} px wide on a 360 px screen"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert found, "the QR code on the enrolment page does not scan"
    return found[0].text


def test_staff_enrol_and_sign_in_with_a_code_on_a_phone_in_vietnamese(page, check_page):
    tab = page(VIEWPORT, "vi")
    password_step(tab)
    # No policy in the test database: signed in by password, on finance's own page (issue 16 item 8).
    assert urlsplit(tab.url).path == "/staff/payments", tab.url
    walk(tab, check_page, "signed-in")

    # Enrolment (the voluntary way in; with the admin's policy on, sign-in leads here by itself).
    tab.goto("/login/two-factor/setup")
    walk(tab, check_page, "setup")
    code_box_for_a_phone(tab, focused=False)  # the QR code and the steps come first on this page
    uri = tab.locator("main a[href^='otpauth://']").get_attribute("href")
    assert decoded_qr(tab) == uri
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    typed_key = tab.locator("main .secret-key").inner_text()
    assert typed_key.replace(" ", "") == secret
    key_box = tab.locator("main .secret-key").bounding_box()
    assert key_box["x"] + key_box["width"] <= 360
    # The key wraps between its groups of four, never inside one.
    lines = tab.locator("main .secret-key").evaluate("""e => {
        const range = document.createRange(); const text = e.firstChild; const tops = {};
        for (let i = 0; i < text.length; i++) {
            range.setStart(text, i); range.setEnd(text, i + 1);
            const top = Math.round(range.getBoundingClientRect().top);
            tops[top] = (tops[top] || '') + text.data[i];
        }
        return Object.keys(tops).sort((a, b) => a - b).map(k => tops[k].trim());
    }""")
    assert all(re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})*", line) for line in lines), lines

    totp = pyotp.TOTP(secret)
    tab.locator("main #code").fill(f"{(int(totp.now()) + 1) % 1_000_000:06d}")
    click_and_wait(tab, SUBMIT)
    # The refusal is said at the top, where the person is after the page reloads, and links to the box.
    alert = tab.locator("main .flash-error[role=alert] a[href='#code']")
    assert alert.is_visible() and alert.bounding_box()["y"] < 800
    walk(tab, check_page, "setup-wrong-code", expected_status_problem=True)
    code_box_for_a_phone(tab, focused=False)

    enrolled_at = time.time()
    tab.locator("main #code").fill(totp.at(enrolled_at))
    click_and_wait(tab, SUBMIT)
    codes = tab.locator("main .recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", c) for c in codes)
    for item in tab.locator("main .recovery-codes li").all():
        assert item.bounding_box()["height"] < 40, "a recovery code wraps onto two lines"
    assert tab.locator("main button[data-print]").is_visible()  # JavaScript on: the print button shows
    walk(tab, check_page, "recovery-codes")
    click_and_wait(tab, "main a.button")
    assert urlsplit(tab.url).path == "/staff/payments"

    # Sign out, and sign in again: password, then a code.
    click_and_wait(tab, "nav.main-nav form[action='/logout'] button")
    password_step(tab)
    assert urlsplit(tab.url).path == "/login/two-factor", tab.url
    walk(tab, check_page, "code")
    code_box_for_a_phone(tab, focused=True)
    assert tab.locator("main details.recovery summary").is_visible()
    assert tab.locator("main form[action='/logout'] button").is_visible()  # a way back

    tab.locator("main #code").fill("000000" if totp.now() != "000000" else "111111")
    click_and_wait(tab, SUBMIT)
    assert urlsplit(tab.url).path == "/login/two-factor"
    walk(tab, check_page, "code-wrong", expected_status_problem=True)
    code_box_for_a_phone(tab, focused=True)

    # The enrolment used this 30-second step's code; a used step is refused, so type the next step's
    # code (within the drift the portal allows), as a person who waits for the app's next code would.
    tab.locator("main #code").fill(totp.at(enrolled_at + 30))
    click_and_wait(tab, SUBMIT)
    assert urlsplit(tab.url).path == "/staff/payments", tab.url
    assert tab.locator("nav.main-nav a[href='/staff/payments']").is_visible()
    walk(tab, check_page, "signed-in-with-code")
    tab.goto("/staff/payments")
    walk(tab, check_page, "finance-payments")
