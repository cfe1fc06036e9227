"""Walk a keyset-paged admin list by its "Next page" links, collecting the row ids each page links to."""

from __future__ import annotations

import html
import re

NEXT = re.compile(r'<a class="button secondary" href="([^"]+)">')


def walk(client, url: str, row_link: str) -> tuple[list[int], list[str]]:
    """Every row id shown, in order, and the URLs of the pages after the first."""
    rows = re.compile(rf'href="{re.escape(row_link)}([0-9]+)"')
    ids: list[int] = []
    followed: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        ids += [int(found) for found in rows.findall(page)]
        following = NEXT.search(page)
        url = html.unescape(following.group(1)) if following else ""
        if url:
            followed.append(url)
    return ids, followed
