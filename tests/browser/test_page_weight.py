"""Issue 13 item 5: the lite pages load in at most 50 KB on a first visit, on a 2G-class link.

Chromium at 360x800 with JavaScript off (the lite path works without it) and its network throttled through
the DevTools protocol to a 2G-class link (250 kbit/s down, 50 kbit/s up, 300 ms round trip). Bytes are what
went over the wire: `encodedDataLength` of every response the page loaded (HTML, CSS, scripts, images,
icon), headers included, compressed as served. A first visit starts with an empty cache; a repeat visit
opens the same address again in the same browser (its cache kept). The figures of each run are written to
tests/artifacts/page-weight.json (bench/README.md quotes them).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

LIMIT = 50 * 1000  # bytes
TWO_G = {"offline": False, "latency": 300, "downloadThroughput": 250_000 / 8, "uploadThroughput": 50_000 / 8}
ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "page-weight.json"


class Wire:
    """The bytes each response of a page took on the wire, from Chromium's network events."""

    def __init__(self, tab) -> None:
        self.cdp = tab.context.new_cdp_session(tab)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", TWO_G)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.cdp.on(
            "Network.responseReceived",
            lambda event: self.urls.update({event["requestId"]: event["response"]["url"]}),
        )
        self.cdp.on(
            "Network.loadingFinished",
            lambda event: self.sizes.update({event["requestId"]: int(event["encodedDataLength"])}),
        )

    def visit(self, tab, path: str) -> dict[str, int]:
        self.urls.clear()
        self.sizes.clear()
        tab.goto(path, wait_until="load")
        tab.wait_for_timeout(300)  # the last loadingFinished events arrive after "load"
        parts: dict[str, int] = {}
        for key, size in self.sizes.items():  # an address loaded twice (the icon, the logo) counts twice
            path = urlsplit(self.urls.get(key, key)).path
            parts[path] = parts.get(path, 0) + size
        return parts


def submitted_report(tab) -> str:
    """A report sent through the lite form itself; the address of its status page."""
    tab.goto("/feedback/new")
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name=category]").first.check()
    form.locator("#title").fill("Đèn đường không sáng")
    form.locator("#description").fill("Ba cột đèn trước nhà văn hoá bản đã không sáng hơn một tuần nay.")
    form.locator("#commune").select_option(index=1)
    form.locator("#phone").fill("0912 345 678")
    form.locator("#consent").check()
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    link = tab.locator("main a.button[href$='/status']").first.get_attribute("href")
    assert link, "the receipt links the status page"
    return urlsplit(link).path


def test_lite_pages_stay_under_50_kb(page):
    citizen = page(viewport="360x800", lang="vi", javascript=False)
    status = submitted_report(citizen)
    pages = {
        "report form": "/feedback/new",
        "tracking form": "/track",
        "tracking status page": status,
        "catalogue": "/procedures",
        "procedure page": "/procedures/1.001193",
    }
    figures = {}
    for name, path in pages.items():
        # A first visit: a new browser context has an empty cache; the citizen's session is carried over
        # for the status page (its cookie is a few dozen bytes, sent, not received).
        tab = page(viewport="360x800", lang="vi", javascript=False)
        tab.context.add_cookies(citizen.context.cookies())
        wire = Wire(tab)
        first = wire.visit(tab, path)
        repeat = wire.visit(tab, path)
        figures[name] = {
            "path": path,
            "first_visit_bytes": sum(first.values()),
            "repeat_visit_bytes": sum(repeat.values()),
            "first_visit_parts": first,
        }
        assert not tab.problems, f"{name}: {tab.problems}"
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    heavy = {name: f["first_visit_bytes"] for name, f in figures.items() if f["first_visit_bytes"] > LIMIT}
    assert not heavy, f"lite pages over {LIMIT:,} bytes on a first visit: {heavy} ({figures})"
    for name, figure in figures.items():
        assert figure["repeat_visit_bytes"] <= figure["first_visit_bytes"], name
        assert len(figure["first_visit_parts"]) >= 2, f"{name}: the page and its stylesheet at least"
