"""What the queue page shows, written once per request in Python rather than once per row in Jinja.

A page of 25 rows used to look up ~140 translations, build ~70 URLs and write a CSRF token per row; then,
with the rows' text worked out here, the template still escaped ~400 values a request (the rows and the
~130 options of the filter dropdowns) and called into Jinja's runtime for each. Now:

- the rows are one `Markup` string built in one pass (`rows_html`): each label translated once per process
  and language, each due date formatted once, an item's link a prefix (built once per application and
  script root) plus its quoted code (what url_for gives: werkzeug's own path quoting), the officer's data
  (codes, titles) escaped as the template escaped it;
- the dropdowns' options are HTML written once: statuses per process and language (they come from code),
  communes, categories and procedures in both languages with the shared cache's entry (queue_cache), so a
  request only marks the chosen option (`select`).

The HTML is the template's, byte for byte, but for the whitespace between the rows' tags.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.calendar.queries import calendar_around
from portal.domain import dossier_status as dossier_status_rules
from portal.domain import feedback_status as feedback_status_rules
from portal.domain.working_days import Calendar, late_without_letter
from portal.dossiers.labels import STATUS as DOSSIER_STATUS
from portal.feedback.labels import STAFF_STATUS as FEEDBACK_STATUS
from portal.feedback.models import URGENT_RANK
from portal.i18n import local_date, locale_code
from portal.steering.effects import rows_hints_html

from .queue_cache import COUNTS_SECONDS, options_html
from .queue_keys import DOSSIER_OPEN, FAR_FUTURE, FEEDBACK_OPEN

ITEM_ENDPOINTS = {"feedback": "feedback_staff.item", "dossier": "dossiers_staff.item"}
PATH_SAFE = "!$&'()*+,/:;=@"  # werkzeug's BaseConverter.to_url, so the link is url_for's
RELEASE_ANY = ("leader", "admin")
# Where an item's clock runs (each kind's domain declares it): only there does the due column count
# working days left or late. A stopped clock (result ready, not yet received, paused for the citizen) is
# never late against its date, as the "Overdue" filter and the dashboard say (portal.domain.indicators).
ON_THE_CLOCK = {
    "dossier": {str(status.value) for status in dossier_status_rules.ON_THE_CLOCK},
    "feedback": {status.value for status in feedback_status_rules.ON_THE_CLOCK},
}
ROW_CLASS = {
    (False, False): "",
    (False, True): "overdue",
    (True, False): "urgent",
    (True, True): "urgent overdue",
}
# A code of these characters only (every code the portal makes) reads the same quoted and HTML-escaped.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def _item_prefixes() -> dict[str, str]:
    """The item pages' address up to the code, once per application and script root."""
    prefixes: dict[str, dict[str, str]] = current_app.extensions.setdefault("staff_queue_item_prefixes", {})
    found = prefixes.get(request.script_root)
    if found is None:
        found = {}
        for kind, endpoint in ITEM_ENDPOINTS.items():
            built = url_for(endpoint, code="-")
            assert built.endswith("/-"), built  # the code is the last path segment
            found[kind] = built[:-1]
        prefixes[request.script_root] = found
    return found


def select(options: str, chosen: Any) -> Markup:
    """The options with the one whose value is `chosen` (if any) marked selected."""
    if chosen is not None and chosen != "":
        value = f'<option value="{escape(chosen)}">'
        options = options.replace(value, value[:-1] + " selected>", 1)
    return Markup(options)  # noqa: S704 - written by options_html, every value and label escaped


@functools.lru_cache(maxsize=8)
def _labels(locale: str) -> dict[str, Any]:
    """The labels in `locale` (the request's: the key only tells the entries apart), translated and
    escaped once per process and language instead of once per row."""
    statuses = [
        (key.value, str(label)) for key, label in FEEDBACK_STATUS.items() if key.value in FEEDBACK_OPEN
    ] + [(str(key.value), str(label)) for key, label in DOSSIER_STATUS.items() if key.value in DOSSIER_OPEN]
    return {
        "feedback": {key.value: str(escape(label)) for key, label in FEEDBACK_STATUS.items()},
        "dossier": {str(key.value): str(escape(label)) for key, label in DOSSIER_STATUS.items()},
        "statuses": options_html(statuses),
        "kind": {"feedback": _("Feedback"), "dossier": _("Dossier")},  # the catalogue's text, as the template
        "overdue": _("Overdue"),
        "urgent": _("Urgent"),
        "claim": _("Claim"),
        "release": _("Release"),
        "due": _("Due %(date)s"),
        "paused": _("Paused"),
        "no_letter": _("No apology letter"),
        "no_letter_title": _("Late, and no apology letter (form 04) was sent before the due date"),
        "held_by": _("Held by"),
        "nobody": _("Unassigned"),
        "left": _("%(days)d wd left"),
        "today": _("due today"),
        "late_by": _("%(days)d wd late"),
        "left_title": _("wd: working days"),
        # Translators: opens a Decision 766 hint cut short in the queue's row, whole, with its fix
        "more": _("More"),
        # Translators: closes the hint opened by "More"
        "less": _("Less"),
    }


@functools.lru_cache(maxsize=8)
def _page_texts(locale: str) -> dict[str, Markup]:
    """The page's own labels in `locale`, as the template's `_()` gave them (the catalogue's text, not
    escaped), looked up once per process and language instead of ~25 `_()` calls per request."""
    texts = {
        "Work queue": _("Work queue"),
        "Take the next item": _("Take the next item"),
        "Quick filters": _("Quick filters"),
        "All": _("All"),
        "Dossiers": _("Dossiers"),
        "Feedback": _("Feedback"),
        "Overdue": _("Overdue"),
        "Assigned to me": _("Assigned to me"),
        "Unassigned": _("Unassigned"),
        "counts_age": _("These counts are at most %(seconds)d seconds old.", seconds=COUNTS_SECONDS),
        "Search by code, name or phone": _("Search by code, name or phone"),
        "Search": _("Search"),
        "Filters": _("Filters"),
        "Kind": _("Kind"),
        "Status": _("Status"),
        "Category": _("Category"),
        "All categories": _("All categories"),
        "Procedure": _("Procedure"),
        "All procedures": _("All procedures"),
        "Commune or ward": _("Commune or ward"),
        "All communes and wards": _("All communes and wards"),
        "Apply filters": _("Apply filters"),
        "Next page": _("Next page"),
        "Nothing waiting. Well done.": _("Nothing waiting. Well done."),
        "Code": _("Code"),
        "Name": _("Applicant or title"),
        "Due date": _("Due date"),
        "Held by": _("Held by"),
        "Action": _("Action"),
        "Awaiting my approval": _("Awaiting my approval"),
        "Costs points this week": _("Costs points this week"),
        "scan_hint": _("Scan a receipt's QR code, or type a code, name or phone"),
    }
    return {key: Markup(text) for key, text in texts.items()}  # noqa: S704 - our own catalogue's text


def page_texts() -> dict[str, Markup]:
    return _page_texts(locale_code())


def holders(rows: list[Any]) -> dict[int, str]:
    """The names of whoever holds the page's rows, escaped: read by the page statement itself (the rows'
    `holder`, portal.staff.queries), not by a statement of their own."""
    return {row.assignee_id: str(escape(row.holder)) for row in rows if row.assignee_id is not None}


def _days_left_text(labels: dict[str, Any], due: date, today: date, calendar: Calendar) -> str:
    """ "3 wd left", "due today" or "2 wd late", counted in working days (the province's calendar)."""
    if due == today:
        return str(escape(labels["today"]))
    if due > today:
        return str(escape(labels["left"] % {"days": calendar.working_days_between(today, due)}))
    return str(escape(labels["late_by"] % {"days": max(1, calendar.working_days_between(due, today))}))


def rows_html(
    rows: list[Any],
    today: date,
    officer_id: int,
    officer_role: str,
    names: dict[int, str] | None = None,
) -> Markup:
    """The `<li>` of every row: code (the link), kind with the urgent mark, name, status with the overdue,
    no-letter and 766 marks, due date with the working days left, who holds it, and the one action (claim
    where the officer's role has a next step, release where the officer may). Phones read each row as a
    card; from 1024 px the same cells line up as a table (static/css/portal.css, "queue table")."""
    if not rows:
        return Markup()
    prefixes = _item_prefixes()
    plain_prefixes = {kind: str(escape(prefix)) for kind, prefix in prefixes.items()}
    labels = _labels(locale_code())
    names = names or {}
    calendar = calendar_around(today)
    feedback_status, dossier_status, kind_label = labels["feedback"], labels["dossier"], labels["kind"]
    late_mark = f'<strong class="late">{labels["overdue"]}</strong> '
    no_letter_title, no_letter_text = escape(labels["no_letter_title"]), escape(labels["no_letter"])
    letter_mark = f'<span class="no-letter" title="{no_letter_title}">{no_letter_text}</span> '
    urgent_mark = f'<strong class="urgent">{labels["urgent"]}</strong> '
    claim = f'" class="secondary">{labels["claim"]}</button>'
    release = f'" class="link">{labels["release"]}</button>'
    held_by = f'<span class="q-label">{escape(labels["held_by"])}: </span>'
    # Where a row's one line cuts its hint short (from 1366 px), this opens it whole: a tap, a click or the
    # keyboard, no JavaScript (static/css/portal.css, "queue table"); hidden where the hint wraps whole.
    more = (
        '<details class="hint-more"><summary><span class="more"><span aria-hidden="true">⋯</span>'
        f'<span class="visually-hidden">{escape(labels["more"])}</span></span>'
        f'<span class="less">{escape(labels["less"])}</span></summary></details>'
    )
    nobody = f'<span class="nobody">{escape(labels["nobody"])}</span>'
    left_title = escape(labels["left_title"])
    paused = str(escape(labels["paused"]))
    due_texts: dict[tuple[date, bool], str] = {(FAR_FUTURE, True): paused, (FAR_FUTURE, False): paused}
    release_any = officer_role in RELEASE_ANY
    # Where this role has a next step (the domain's declarations): only there does it get "Claim".
    claimable = {
        "feedback": {status.value for status in feedback_status_rules.waiting_on(officer_role)},
        "dossier": {str(status.value) for status in dossier_status_rules.waiting_on(officer_role)},
    }
    hints = rows_hints_html(rows, today)  # Decision 766 effects (portal.steering): one statement per page
    parts = []
    for row in rows:
        kind = row.kind
        code_status = str(row.status)
        running = code_status in ON_THE_CLOCK[kind]
        due = due_texts.get((row.due, running))
        if due is None:
            due = str(escape(labels["due"] % {"date": local_date(row.due)}))
            if running:
                left = _days_left_text(labels, row.due, today, calendar)
                due += f' <small class="left" title="{left_title}">({left})</small>'
            due_texts[row.due, running] = due
        status = (feedback_status if kind == "feedback" else dossier_status).get(code_status) or escape(
            code_status
        )
        late = bool(row.overdue)  # one definition with the dashboard (queries.py: _overdue)
        # Late on the clock with no apology letter that moved the date (cheap: two dates of the row).
        no_letter = kind == "dossier" and running and late_without_letter(row.legal_due, row.due, today)
        urgent = row.rank == URGENT_RANK
        if row.assignee_id is None:
            button = (
                f'<button type="submit" name="claim" value="{kind}:{row.id}{claim}'
                if code_status in claimable[kind]
                else ""
            )
        elif row.assignee_id == officer_id or release_any:
            button = f'<button type="submit" name="release" value="{kind}:{row.id}{release}'
        else:
            button = ""
        title = escape(row.title)  # also the cell's tooltip: a long title is cut short in the table
        holder = nobody if row.assignee_id is None else names.get(row.assignee_id, "?")
        code = row.code
        if _PLAIN(code):
            href = plain_prefixes[kind] + code
        else:
            href, code = escape(prefixes[kind] + quote(code, safe=PATH_SAFE)), escape(code)
        hint = hints[kind, row.id]
        parts.append(
            f'<li class="{ROW_CLASS[urgent, late]}">'
            f'<span class="q-code"><a href="{href}"><span class="title">{code}</span></a></span>\n'
            f'<span class="q-kind">{urgent_mark if urgent else ""}{kind_label[kind]}</span>'
            f'<span class="q-name" title="{title}">{title}</span>\n'
            f'<span class="q-status"><span class="status">{status}</span> {late_mark if late else ""}'
            f"{letter_mark if no_letter else ''}{hint}{more if hint else ''}</span>"
            f'<span class="q-due">{due}</span>\n'
            f'<span class="q-holder">{held_by}{holder}</span>'
            f'<span class="q-act">{button}</span></li>\n'
        )
    return Markup("".join(parts))  # noqa: S704 - every value from the data is escaped above


def dropdowns(choices: dict[str, Any], criteria: Any) -> dict[str, Markup]:
    """The filter dropdowns' options in the reader's language, the chosen ones marked."""
    locale = locale_code()
    english = "en" if locale == "en" else "vi"
    return {
        "status_options": select(_labels(locale)["statuses"], criteria.status),
        "category_options": select(choices["categories"][english], criteria.category),
        "procedure_options": select(choices["procedures"][english], criteria.procedure),
        "unit_options": select(choices["units"], criteria.commune),
    }
