"""What the queue template shows, worked out once per request in Python rather than once per row in Jinja.

A page of 25 rows used to look up ~140 translations, build ~70 URLs and write a CSRF token per row. Here
each label is translated once per request, each due date formatted once per distinct date, an item's link is
a prefix built once plus its quoted code (what url_for would give: werkzeug's own path quoting), and the
dropdowns come from the shared cache (queue_cache). The template shows the same text as before.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import quote

from flask import url_for
from flask_babel import gettext as _

from portal.dossiers.labels import STATUS as DOSSIER_STATUS
from portal.feedback.labels import STAFF_STATUS as FEEDBACK_STATUS
from portal.i18n import local_date, locale_code

from .queue_keys import DOSSIER_OPEN, FAR_FUTURE, FEEDBACK_OPEN

ITEM_ENDPOINTS = {"feedback": "feedback_staff.item", "dossier": "dossiers_staff.item"}
PATH_SAFE = "!$&'()*+,/:;=@"  # werkzeug's BaseConverter.to_url, so the link is url_for's
RELEASE_ANY = ("leader", "admin")


class Line(NamedTuple):
    """One row of the queue as the template writes it."""

    kind: str
    href: str
    code: str
    title: str
    status: str
    late: bool
    due: str
    action: str  # "claim", "release" or "" (nothing this officer may do from the list)
    target: str  # the button's value: "kind:id"


def _item_prefixes() -> dict[str, str]:
    prefixes = {}
    for kind, endpoint in ITEM_ENDPOINTS.items():
        built = url_for(endpoint, code="-")
        assert built.endswith("/-"), built  # the code is the last path segment
        prefixes[kind] = built[:-1]
    return prefixes


@functools.lru_cache(maxsize=8)
def _labels(locale: str) -> dict[str, Any]:
    """The status labels in `locale` (the request's: the key only tells the entries apart), translated
    once per process and language instead of once per row."""
    return {
        "feedback": {key.value: str(label) for key, label in FEEDBACK_STATUS.items()},
        "dossier": {str(key.value): str(label) for key, label in DOSSIER_STATUS.items()},
        "statuses": [
            (key.value, str(label)) for key, label in FEEDBACK_STATUS.items() if key.value in FEEDBACK_OPEN
        ]
        + [
            (str(key.value), str(label)) for key, label in DOSSIER_STATUS.items() if key.value in DOSSIER_OPEN
        ],
    }


@functools.lru_cache(maxsize=4096)
def _date(locale: str, day: date) -> str:
    return local_date(day)


def lines(rows: list[Any], today: date, officer_id: int, officer_role: str) -> list[Line]:
    prefixes = _item_prefixes()
    locale = locale_code()
    labels = _labels(locale)
    feedback_status, dossier_status = labels["feedback"], labels["dossier"]
    due_format = _("Due %(date)s")
    due_texts: dict[date, str] = {FAR_FUTURE: _("Paused")}
    release_any = officer_role in RELEASE_ANY
    result = []
    for row in rows:
        due = due_texts.get(row.due)
        if due is None:
            due = due_texts[row.due] = due_format % {"date": _date(locale, row.due)}
        statuses = feedback_status if row.kind == "feedback" else dossier_status
        if row.assignee_id is None:
            action = "claim"
        elif row.assignee_id == officer_id or release_any:
            action = "release"
        else:
            action = ""
        result.append(
            Line(
                kind=row.kind,
                href=prefixes[row.kind] + quote(row.code, safe=PATH_SAFE),
                code=row.code,
                title=row.title,
                status=statuses.get(str(row.status), row.status),
                late=row.due < today,
                due=due,
                action=action,
                target=f"{row.kind}:{row.id}",
            )
        )
    return result


def dropdowns(choices: dict[str, list[tuple]], english: bool) -> dict[str, list[tuple[Any, Any]]]:
    """The filter dropdowns' (value, label) pairs in the reader's language."""
    return {
        "statuses": _labels(locale_code())["statuses"],
        "categories": [(id_, name_en if english else name) for id_, name, name_en in choices["categories"]],
        "procedures": [
            (id_, name_en if english and name_en else name) for id_, name, name_en in choices["procedures"]
        ],
        "units": [(code, name) for code, name in choices["units"]],
    }
