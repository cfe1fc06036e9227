"""The dashboard as rows of rounded numbers: one list feeds the page, its table, the print view and the CSV,
so the export is exactly what the screen shows. The arithmetic is `portal.domain.indicators`'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain.indicators import DEFAULT_TABLE, decimal, percent
from portal.i18n import local_date, locale_code

from .dashboard import Dashboard

INDICATOR_LABELS = {
    "on_time_dossiers": _l("Dossiers handled early or on time"),
    "online_procedures": _l("Procedures offered online"),
    "online_dossiers": _l("Dossiers submitted online"),
    "online_payment_procedures": _l("Fee-bearing procedures with online payment"),
    "procedures_paid_online": _l("Procedures with at least one online payment"),
    "dossiers_paid_online": _l("Dossiers with fees paid online"),
    "electronic_results": _l("Dossiers with an electronic result"),
    "digitised_dossiers": _l("Digitised dossiers"),
    "feedback_on_time": _l("Feedback handled on time"),
    "feedback_satisfaction": _l("Satisfaction with feedback handling"),
    "dossier_satisfaction": _l("Satisfaction with dossier handling"),
}
GROUP_LABELS = {
    "2": _l("Progress and results"),
    "3": _l("Online services"),
    "4": _l("Digitisation"),
    "5": _l("Satisfaction"),
}
# key of indicators.Figures, label, kind of number
FIGURES = (
    ("received", _l("Dossiers received"), "count"),
    ("handled", _l("Dossiers handled"), "count"),
    ("processed", _l("Dossiers processed"), "count"),
    ("on_time", _l("Finished on time"), "count"),
    ("late", _l("Finished late"), "count"),
    ("open_within", _l("Open, within the deadline"), "count"),
    ("overdue_now", _l("Overdue now"), "count"),
    ("online_submission_share", _l("Submitted online"), "percent"),
    ("online_payment_share", _l("Fees paid online"), "percent"),
    ("digitised_share", _l("Digitised"), "percent"),
    ("average_processing_days", _l("Average processing time (working days)"), "days"),
    ("feedback_received", _l("Feedback received"), "count"),
    ("feedback_on_time_share", _l("Feedback answered on time"), "percent"),
    ("dossier_satisfaction", _l("Citizens satisfied with dossier handling"), "percent"),
    ("feedback_satisfaction", _l("Citizens satisfied with feedback answers"), "percent"),
)
# What each count is, shown under the figures: the definitions of portal.domain.indicators.Figures.
DEFINITIONS = (
    ("received", _l("Dossiers received: accepted by a one-stop desk in the range, whatever the channel.")),
    (
        "handled",
        _l(
            "Dossiers handled: the population of indicator 2.1, every dossier that ended in the range or "
            "is still open at its end (processed + open within the deadline + overdue now)."
        ),
    ),
    (
        "processed",
        _l(
            "Dossiers processed: ended in the range (result ready or returned, stopped, refused at intake, or "
            "waiting for the citizen's documents) = finished on time + finished late."
        ),
    ),
    (
        "on_time",
        _l(
            "Finished on time: ended by the appointment date, pushed back by the citizen's time, with at "
            "most one request for documents; a refusal at intake is on time."
        ),
    ),
    ("late", _l("Finished late: ended after that date, or after more than one request for documents.")),
    (
        "open_within",
        _l("Open, within the deadline: still being handled at the end, appointment date not passed."),
    ),
    (
        "overdue_now",
        _l(
            "Overdue now: still being handled at the end and already late; the same dossiers the work "
            "queue marks as overdue. Withdrawn dossiers are not counted."
        ),
    ),
    (
        "online_submission_share",
        _l(
            "Submitted online: indicator 3.3, dossiers sent through this portal out of all dossiers received; "
            "one whose result is a paper document without an electronic copy does not count."
        ),
    ),
)
NO_DATA = _l("No data")
PATTERNS = {"percent": "#,##0.0", "days": "#,##0.0", "points": "#,##0.00"}


@dataclass(frozen=True)
class Value:
    """A rounded number and how to show it: on screen in the reader's locale, in the CSV as plain digits."""

    number: int | Decimal | None
    kind: str  # count, percent, days, points, max; "no_data" when the source does not exist yet

    def display(self) -> str:
        if self.kind == "no_data":
            return str(NO_DATA)
        if self.number is None:
            return _("N/A")
        if self.kind in PATTERNS:
            text = format_decimal(self.number, format=PATTERNS[self.kind], locale=locale_code())
        else:
            text = format_decimal(self.number, locale=locale_code())
        return f"{text}%" if self.kind == "percent" else text

    def plain(self) -> str:
        if self.kind == "no_data":
            return str(NO_DATA)
        return _("N/A") if self.number is None else str(self.number)

    def __str__(self) -> str:
        return self.display()


def _share(value: Fraction | None) -> Value:
    return Value(percent(value), "percent")


def _max(value: Fraction) -> Value:
    return Value(int(value) if value.denominator == 1 else decimal(value, 2), "max")


def _points(value: Fraction | None) -> Value:
    return Value(decimal(value, 2), "points")


def _sum(points: Fraction, max_points: Fraction) -> Value:
    """A group's (or the overall) points; not applicable when none of its indicators is."""
    return _points(points if max_points else None)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Value
    points: Value | None = None
    max_points: Value | None = None
    threshold: Value | None = None
    met: bool = True  # the rate reaches the threshold (or there is none); False when not applicable


@dataclass(frozen=True)
class View:
    """Everything the page, the print view and the CSV show, already rounded."""

    board: Dashboard
    figures: list[Row]
    definitions: list[tuple[str, str]]  # (figure key, what it counts)
    indicators: list[tuple[str, str, list[Row], Row]]  # group id, label, its lines, its total
    total: Row
    series: list[Row]


def build_view(board: Dashboard) -> View:
    figures = board.figures
    rows = []
    for key, label, kind in FIGURES:
        raw = getattr(figures, key)
        value = (
            Value(raw, "count")
            if kind == "count"
            else _share(raw)
            if kind == "percent"
            else Value(decimal(raw, 1), "days")
        )
        rows.append(Row(key, str(label), value))
    groups: dict[str, list[Row]] = {}
    for line in board.scorecard.lines:
        threshold = DEFAULT_TABLE[line.id][1] if line.id in DEFAULT_TABLE else None
        groups.setdefault(line.id.split(".")[0], []).append(
            Row(
                line.id,
                str(INDICATOR_LABELS.get(line.label, line.label)),
                Value(None, "no_data") if line.no_data else _share(line.rate),
                _points(line.points),
                _max(line.max_points),
                _share(threshold) if threshold is not None else None,
                line.rate is not None and (threshold is None or line.rate >= threshold),
            )
        )
    indicators = []
    for total in board.scorecard.groups:
        label = str(GROUP_LABELS.get(total.group, total.group))
        indicators.append(
            (
                total.group,
                label,
                groups.get(total.group, []),
                Row(
                    f"group-{total.group}",
                    label,
                    _sum(total.points, total.max_points),
                    _sum(total.points, total.max_points),
                    _max(total.max_points),
                ),
            )
        )
    card = board.scorecard
    overall = Row(
        "total",
        _("Total"),
        _sum(card.points, card.max_points),
        _sum(card.points, card.max_points),
        _max(card.max_points),
    )
    fmt = local_date if board.received_by == "day" else _month
    series = [
        Row(
            day.isoformat() if board.received_by == "day" else day.strftime("%Y-%m"),
            fmt(day),
            Value(count, "count"),
        )
        for day, count in board.received_series
    ]
    definitions = [(key, str(text)) for key, text in DEFINITIONS]
    return View(board, rows, definitions, indicators, overall, series)


def _month(day: date) -> str:
    return day.strftime("%m/%Y")
