"""Not a timing: the public feed's HTML for a set of addresses, vi and en, written to a JSON file, so that two
checkouts can be compared page by page (a change meant to make the feed cheaper must not change it).

Usage:
    PYTHONPATH=OLD .venv/bin/python bench/feed_html.py --dataset bench/.data/bench_pg_1m.json --out before.json
    PYTHONPATH=NEW .venv/bin/python bench/feed_html.py --dataset bench/.data/bench_pg_1m.json --out after.json
    .venv/bin/python bench/feed_html.py --compare before.json after.json

Each address is asked twice (a page kept by the first answer must be the same as a fresh one) by a new
anonymous visitor, in each language; the "Older reports" link is followed twice. The whole answer body is
kept. Reads only (GET), so a built data set can be used as it is.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.inprocess import compare_pages  # noqa: E402

ADDRESSES = (
    "/feedback",
    "/feedback?q=xzqvy+khong+co",
    "/feedback?q=fjwzfj",
    "/feedback?q=%C4%91%C3%A8n+chi%E1%BA%BFu+s%C3%A1ng",
    "/feedback?q=%C4%91%C6%B0%E1%BB%9Dng",
    "/feedback?q=co",
    "/feedback?q=%3Cscript%3E%22%27%26amp%3B",
    "/feedback?q=+",
    "/feedback?status=answered",
    "/feedback?status=closed",
    "/feedback?status=accepted",
    "/feedback?status=nonsense",
    "/feedback?category={category}",
    "/feedback?commune={commune}",
    "/feedback?commune={commune}&status=closed",
    "/feedback?q=%C4%91%C3%A8n&commune={commune}",
    "/feedback?before=nonsense",
)


def pages_of(client, address: str, walk: int = 3) -> dict[str, str]:
    out = {}
    for number in range(1, walk + 1):
        for ask in (1, 2):
            out[f"{address} #{number}.{ask}"] = client.get(address).get_data(as_text=True)
        body = out[f"{address} #{number}.1"]
        following = re.search(r'class="button secondary" href="(/feedback\?[^"]*before=[^"]+)"', body)
        if following is None:
            break
        address = following[1].replace("&amp;", "&")
    return out


def render(args) -> None:
    from portal import create_app
    from portal.settings import Settings

    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    app = create_app(
        Settings.for_tests(
            Path(tempfile.mkdtemp()), samples["url"], secret_key=samples["secret_key"], testing=False
        )
    )
    first = app.test_client().get("/feedback").get_data(as_text=True)
    category = re.search(r'<select id="category".*?<option value="([^"]+)"', first, re.S)[1]  # type: ignore[index]
    commune = re.search(r'<select id="commune".*?<option value="([^"]+)"', first, re.S)[1]  # type: ignore[index]
    pages: dict[str, str] = {}
    for language in ("vi", "en"):
        for address in ADDRESSES:
            address = address.format(category=category, commune=commune)
            client = app.test_client()
            if language == "en":
                client.get("/feedback?lang=en")
            for key, html in pages_of(client, address).items():
                pages[f"{language} {key}"] = html
    Path(args.out).write_text(json.dumps(pages, ensure_ascii=False, indent=0), encoding="utf-8")
    rows = sum(html.count('<a href="/feedback/') for html in pages.values())
    print(f"{len(pages)} pages, {rows} rows → {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="")
    parser.add_argument("--out", default="")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare_pages(*args.compare))
    render(args)


if __name__ == "__main__":
    main()
