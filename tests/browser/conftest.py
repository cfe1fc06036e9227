"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server.

The live server has its own throwaway database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
CSRF switched on, and is never wrapped in the per-test transaction of the root conftest: these
tests must not request the `app` or `client` fixtures.

No browser is ever downloaded. Without /usr/bin/chromium the tests are skipped, or fail when
PORTAL_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.databases import throwaway_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
VIEWPORTS = {
    "360x800": {"width": 360, "height": 800},
    "1024x768": {"width": 1024, "height": 768},
    "1280x800": {"width": 1280, "height": 800},
    "1366x768": {"width": 1366, "height": 768},
}
BROWSER_LOCALES = {"vi": "vi-VN", "en": "en-US"}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (the root conftest counts them by keyword)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_server(chromium_executable, tmp_path_factory) -> Iterator[str]:
    """Base URL of the portal served by werkzeug in a daemon thread, with its own seeded database."""
    from werkzeug.serving import make_server

    from portal.extensions import db
    from tests.conftest import build_app, migrate_and_seed

    folder = tmp_path_factory.mktemp("browser-instance")
    with throwaway_database(folder, "browser") as url:
        application = build_app(folder, url)
        application.config["WTF_CSRF_ENABLED"] = True  # a real browser gets the real forms
        migrate_and_seed(application)
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal-live-server", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with application.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Callable]:
    """page(viewport="360x800", lang="vi", javascript=True, touch=False) -> a fresh Playwright page.

    Each call gets its own browser context (no shared cookies). `lang` sets the browser's locale and
    the portal's remembered-language cookie, as if the citizen had chosen it on an earlier visit;
    lang=None leaves the cookie out; touch=True gives a touch screen (locator.tap()). page.problems
    collects console errors (CSP violations, 404s of assets, script errors) for `check_page` to report.
    """
    contexts = []

    def open_page(
        viewport: str = "360x800",
        lang: str | None = "vi",
        javascript: bool = True,
        browser_locale: str | None = None,
        touch: bool = False,
    ):
        context = browser.new_context(
            base_url=live_server,
            viewport=VIEWPORTS[viewport],
            locale=browser_locale or BROWSER_LOCALES.get(lang or "vi"),
            java_script_enabled=javascript,
            has_touch=touch,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if lang:
            context.add_cookies([{"name": "portal_lang", "value": lang, "url": live_server}])
        new_page = context.new_page()
        new_page.problems = []
        new_page.on(
            "console",
            lambda message: message.type == "error" and new_page.problems.append(f"console: {message.text}"),
        )
        new_page.on("pageerror", lambda error: new_page.problems.append(f"page error: {error}"))
        new_page.on(
            "response",
            lambda response: (
                response.status >= 400 and new_page.problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        return new_page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


A11Y_SCRIPT = """() => ({
    // A submit, button, reset or image input is named by its value or alt, not by a <label>.
    unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(el => !['submit', 'button', 'reset', 'image'].includes(el.type))
        .filter(el => !el.labels || el.labels.length === 0)
        .map(el => el.outerHTML.slice(0, 120)),
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role=main]').length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    lang: document.documentElement.lang,
})"""


@pytest.fixture
def check_page() -> Callable:
    """check_page(page, name, lang) screenshots the page and checks what every public page must do."""

    def check(page, name: str, lang: str) -> None:
        screenshot(page, name)
        facts = page.evaluate(A11Y_SCRIPT)
        assert facts["lang"] == lang, f"{name}: <html lang={facts['lang']!r}>, expected {lang!r}"
        assert facts["scrollWidth"] <= facts["innerWidth"], (
            f"{name}: horizontal scrolling, content is {facts['scrollWidth']} px wide "
            f"in a {facts['innerWidth']} px viewport"
        )
        assert not facts["unlabelled"], f"{name}: form controls without a <label>: {facts['unlabelled']}"
        assert facts["h1"] == 1, f"{name}: {facts['h1']} <h1> elements, expected exactly one"
        assert facts["main"] == 1, f"{name}: {facts['main']} main landmarks, expected exactly one"
        assert not page.problems, f"{name}: {page.problems}"

    return check
