"""Issue 13 item 5, on every run of the suite (both databases): each lite page, with everything it loads,
stays within 50 KB on a first visit, counted as the portal sends it (gzip accepted, as every browser does).

The lite pages are the report form, the tracking form and status pages, the catalogue and a procedure page.
Counted: the page's HTML and every stylesheet, script, image and icon it names (and what the stylesheets
name with url()), each response's body as sent plus its status line and headers. tests/browser/
test_page_weight.py measures the same in Chromium on a throttled link (first and repeat visits).
"""

from __future__ import annotations

import re

import pytest

LIMIT = 50 * 1000  # bytes
ASSET = re.compile(r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)="(/[^"]+)\"""", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?(/[^'")]+)""")
SAFE = re.compile(r'rel="(?:stylesheet|icon|preload|modulepreload|manifest|apple-touch-icon)"')


def _weight(client, path: str) -> dict[str, int]:
    """Bytes of the page and of each file it loads, as sent (body, status line and headers)."""

    def fetch(url: str) -> tuple[int, str, str]:
        response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data()
        response.close()  # a static file's answer holds the file open until closed
        headers = sum(len(name) + len(value) + 4 for name, value in response.headers.items())
        text = ""
        if response.mimetype in ("text/html", "text/css"):
            text = _plain(response, body)
        return len(body) + headers + len("HTTP/1.1 200 OK\r\n\r\n"), text, response.mimetype

    parts: dict[str, int] = {}
    size, html, _ = fetch(path)
    parts[path] = size
    pending = [url for url in _links(html)]
    while pending:
        url = pending.pop()
        if url in parts:
            continue
        size, text, mimetype = fetch(url)
        parts[url] = size
        if mimetype == "text/css":
            pending.extend(match.split("#")[0] for match in CSS_URL.findall(text))
    return parts


def _links(html: str) -> list[str]:
    found = []
    for tag in re.findall(r"<(?:link|script|img)\b[^>]*>", html, re.I):
        if tag.lower().startswith("<link") and not SAFE.search(tag):
            continue  # rel="alternate" and the like are not loaded
        match = ASSET.search(tag)
        if match:
            found.append(match[1].replace("&amp;", "&"))
    return found


def _plain(response, body: bytes) -> str:
    if response.headers.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


@pytest.fixture
def lite_pages(client, create_feedback, create_dossier):
    feedback = create_feedback()
    dossier = create_dossier()
    with client.session_transaction() as session:
        session["feedback_access"] = [feedback.id]
        session["dossier_access"] = [dossier.id]
    return {
        "report form": "/feedback/new",
        "tracking form": "/track",
        "feedback status page": f"/feedback/{feedback.code}/status",
        "dossier status page": f"/dossiers/{dossier.code}",
        "catalogue": "/procedures",
        "procedure page": "/procedures/1.001193",
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_lite_page_stays_within_50_kb_on_a_first_visit(client, lite_pages, lang):
    client.set_cookie("portal_lang", lang)
    heavy = {}
    for name, path in lite_pages.items():
        parts = _weight(client, path)
        assert len(parts) >= 2, f"{name}: the page and its stylesheet at least, found {parts}"
        total = sum(parts.values())
        if total > LIMIT:
            heavy[name] = (total, parts)
    assert not heavy, f"over {LIMIT:,} bytes on a first visit: {heavy}"


def test_the_count_sees_every_kind_of_file(client):
    """The counter itself: the layout's stylesheet and icon are counted, compressed as sent."""
    parts = _weight(client, "/track")
    assert any(url.endswith(".css") for url in parts) and any(url.endswith(".svg") for url in parts), parts
    css = next(url for url in parts if url.endswith(".css"))
    answer = client.get(css)
    plain = answer.get_data()
    answer.close()
    assert parts[css] < len(plain) / 2  # gzip, as a browser receives it
