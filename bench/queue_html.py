"""Not a timing: the staff queue's HTML as each role sees it, written to a JSON file, so that two checkouts
can be compared page by page (a change meant to make the page cheaper must not change what it shows).

Usage:
    PYTHONPATH=OLD .venv/bin/python bench/queue_html.py --database-url sqlite:///q.db --out before.json [--seed]
    PYTHONPATH=NEW .venv/bin/python bench/queue_html.py --database-url sqlite:///q.db --out after.json
    .venv/bin/python bench/queue_html.py --compare before.json after.json

`--seed` migrates and seeds the demo into an empty database first (then both runs read the same rows); with
`--dataset` the pages are a built data set's officer's (bench/dataset.py). Each page is the `<main>`
element of 13 addresses (page 1, page 2 and 4 by the "next page" links, both kinds of status, costs points
this week, overdue, mine, unassigned, awaiting approval, a commune, a search, an unknown status) for each
staff role of the demo's ward (processor, leader, agency admin) and the province admin, in vi and en. Only
the CSRF tokens are blanked. `today` is the real day: run both checkouts the same day.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.inprocess import compare_pages  # noqa: E402

ROLES = ("xuly@demo.sonla.vn", "lanhdao@demo.sonla.vn", "quantri.xa@demo.sonla.vn", "admin@demo.sonla.vn")
ADDRESSES = (
    "/staff/queue",
    "/staff/queue?status=accepted",
    "/staff/queue?status=new",
    "/staff/queue?status=4",
    "/staff/queue?status=2",
    "/staff/queue?costly=1",
    "/staff/queue?overdue=1",
    "/staff/queue?mine=1",
    "/staff/queue?unassigned=1",
    "/staff/queue?approval=1",
    "/staff/queue?kind=dossier",
    "/staff/queue?q=nguyen",
    "/staff/queue?status=nonsense",
)


def main_of(body: str) -> str:
    found = re.search(r"<main.*?</main>", body, re.S)
    assert found, body[:500]
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', found[0])


def pages_of(client, address: str, walk: int) -> dict[str, str]:
    out = {}
    for number in range(1, walk + 1):
        body = client.get(address).get_data(as_text=True)
        out[f"{address} #{number}"] = main_of(body)
        following = re.search(r'class="button secondary" href="(/staff/queue\?[^"]*after=[^"]+)"', body)
        if following is None:
            break
        address = following[1].replace("&amp;", "&")
    return out


def render(args) -> None:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.accounts import sessions
    from portal.extensions import db
    from portal.settings import Settings

    folder = Path(tempfile.mkdtemp())
    overrides = {"testing": False}
    url = args.database_url
    dataset = json.loads(Path(args.dataset).read_text()) if args.dataset else None
    if dataset:
        url, overrides["secret_key"] = dataset["url"], dataset["secret_key"]
    app = create_app(Settings.for_tests(folder, url, **overrides))
    app.config["WTF_CSRF_ENABLED"] = False
    if args.seed:
        from portal.demo import seed_demo

        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
    pages: dict[str, str] = {}
    if dataset:
        from queue_profile import sign_in_dataset

        client = app.test_client()
        sign_in_dataset(app, client, dataset["officer"])
        for language in ("vi", "en"):
            client.get(f"/staff/queue?lang={language}")
            for address in ADDRESSES:
                for key, html in pages_of(client, address, args.walk).items():
                    pages[f"officer {language} {key}"] = html
    else:
        from portal.demo import DEMO_PASSWORD

        for email in ROLES:
            client = app.test_client()
            assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
            with client.session_transaction() as session:
                session[sessions.SECOND_FACTOR_PASSED] = True
            for language in ("vi", "en"):
                client.get(f"/staff/queue?lang={language}")
                for address in ADDRESSES:
                    for key, html in pages_of(client, address, args.walk).items():
                        pages[f"{email} {language} {key}"] = html
    Path(args.out).write_text(json.dumps(pages, ensure_ascii=False, indent=0), encoding="utf-8")
    rows = sum(html.count("<li class=") for html in pages.values())
    print(f"{len(pages)} pages, {rows} rows → {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--dataset", default="", help="the .json of a bench/dataset.py data set")
    parser.add_argument("--seed", action="store_true", help="migrate and seed the demo first")
    parser.add_argument("--walk", type=int, default=4, help="pages followed by the next-page link")
    parser.add_argument("--out", default="")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        raise SystemExit(compare_pages(*args.compare))
    render(args)


if __name__ == "__main__":
    main()
