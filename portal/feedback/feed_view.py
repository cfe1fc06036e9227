"""The public feed's page (`/feedback`): one statement, then HTML kept by what it shows (issue 17).

Every request reads the page's rows (`queries.public_feed`: one statement through SQLAlchemy Core) and the
reference lists (categories, communes: portal/fragments.py, at most 30 s old after another process's
change). What is rendered from them is kept in this process under a key made of those rows and lists, so
it is exact whoever changed what: a publication, an edit or a rename gives other rows, hence another key.

- **The content** (`feedback/_feed.html`) is kept per rows, lists, filters, language and script root. The
  search box shows the visitor's query: when the page has no "Older reports" link (the only other place
  the query appears), the content is kept once for every query with the same answer, the query's place
  holding an unguessable slot that `_with_query` fills (escaped) per request. So a search that matches
  nothing costs its statement and the layout, not the filter form's hundred options, for ANY query.
- **The whole page** (base.html around the content) is kept too for the visitor the same layout serves
  alike: nobody signed in, no flashed message, not in shared-phone mode, a short address (the rule of the
  status pages, `page_cache.same_layout_for_everyone`), keyed by the content's key and the address (the
  language links are built from it). Anyone else gets base.html rendered per request.
- **Without a search** (page 1, the filters, the older pages), that visitor's whole page is kept by its
  address for at most `RECENT_SECONDS` without reading the database (`fragments.recent`), and dropped as
  soon as this process flushes a change of any table (a publication, an edit, a rename made here shows at
  once). So an item published, changed or hidden through another process (worker, node, command line) or
  by a plain SQL UPDATE (the "my problem too" count) shows on those pages within RECENT_SECONDS. A search
  always reads the database: no query, matching or not, is answered from a kept page.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import render_template, request
from markupsafe import Markup

from portal import fragments
from portal.i18n import locale_code
from portal.places import queries as places
from portal.tracking import page_cache

from . import queries
from .labels import STATUS

# Unguessable, so no text anyone writes can contain it (and a query is escaped anyway).
QUERY_SLOT = f"feed-query-{secrets.token_hex(16)}"
# How old a page without a search may be for a visitor the same layout serves alike (README: staleness).
RECENT_SECONDS = 3


def page(criteria: queries.FeedFilter) -> str:
    """The feed's HTML for `criteria`, as the visitor of this request sees it."""
    if not criteria.query and page_cache.same_layout_for_everyone():
        # A page without a search, for a visitor the same layout serves alike: at most RECENT_SECONDS old.
        address = (request.path, request.query_string)
        return fragments.recent("feedback-feed-recent", address, RECENT_SECONDS, lambda: _page(criteria))
    return _page(criteria)


def _page(criteria: queries.FeedFilter) -> str:
    items, next_before = queries.public_feed(criteria)
    categories = queries.categories()
    units = places.choices()
    # Without a next page the query shows only in the search box: kept once, the query as a slot.
    shown = criteria if next_before else replace(criteria, query=QUERY_SLOT)
    key = (shown, tuple(items), next_before, categories, units)

    def content() -> Markup:
        def render() -> str:
            en = locale_code() == "en"
            return render_template(
                "feedback/_feed.html",
                items=items,
                next_before=next_before,
                criteria=shown,
                categories=queries.categories_in_order(categories, locale_code()),
                category_names={c.id: c.name_en if en else c.name for c in categories},
                units=units,
                unit_names=dict(units),
                status_labels=STATUS,
            )

        return _with_query(fragments.rendered("feedback-feed", key, render), shown, criteria.query)

    if page_cache.same_layout_for_everyone():
        address = (request.path, request.query_string)
        return fragments.rendered(
            "feedback-feed-page",
            (key, criteria.query, address),
            lambda: render_template("feedback/feed.html", content=content()),
        )
    return render_template("feedback/feed.html", content=content())


def _with_query(part: Markup, shown: queries.FeedFilter, query: str) -> Markup:
    if shown.query != QUERY_SLOT:
        return part
    return Markup(part.replace(QUERY_SLOT, query))  # noqa: S704 - Markup.replace escapes the query
