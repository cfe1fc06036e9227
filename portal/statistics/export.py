"""The dashboard's CSV export: the rows the screen shows, plain digits, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain.spreadsheet import csv_safe
from portal.events.registry import Registry, Subject

from .view import Value, View

# The event logged when figures leave the portal (about the agency, or the province with id 0).
EXPORTED = "dashboard_exported"
EVENT_LABELS = {EXPORTED: _l("Dashboard figures exported (CSV)")}


def _plain(value: Value | None) -> str:
    return value.plain() if value is not None else ""


def csv_rows(view: View, scope_label: str) -> list[list[str]]:
    board = view.board
    rows = [
        [_("Section"), _("Key"), _("Label"), _("Value"), _("Points"), _("Maximum points"), _("Threshold")],
        [_("Scope"), "agency", _("Agency"), scope_label, "", "", ""],
        [_("Scope"), "from", _("From"), board.period.first.isoformat(), "", "", ""],
        [_("Scope"), "to", _("To"), board.period.last.isoformat(), "", "", ""],
    ]
    for row in view.figures:
        rows.append([_("Figures"), row.key, row.label, row.value.plain(), "", "", ""])
    for _group, _label, lines, total in view.indicators:
        for row in lines:
            rows.append(
                [
                    _("Decision 766 indicators"),
                    row.key,
                    row.label,
                    row.value.plain(),
                    row.points.plain() if row.points else "",
                    row.max_points.plain() if row.max_points else "",
                    row.threshold.plain() if row.threshold else "",
                ]
            )
        rows.append(
            [
                _("Group totals"),
                total.key,
                total.label,
                "",
                _plain(total.points),
                _plain(total.max_points),
                "",
            ]
        )
    rows.append(
        [
            _("Group totals"),
            "total",
            view.total.label,
            "",
            _plain(view.total.points),
            _plain(view.total.max_points),
            "",
        ]
    )
    for row in view.series:
        rows.append(
            [
                _("Dossiers received per day")
                if board.received_by == "day"
                else _("Dossiers received per month"),
                row.key,
                row.label,
                row.value.plain(),
                "",
                "",
                "",
            ]
        )
    return [[csv_safe(str(cell)) for cell in row] for row in rows]


def file_name(view: View) -> str:
    period, scope = view.board.period, view.board.scope
    return f"dashboard-{scope.agency.slug if scope.agency else 'province'}-{period.first}-{period.last}.csv"


def csv_response(view: View, scope_label: str) -> Response:
    """UTF-8 with a byte-order mark (so spreadsheets read the Vietnamese), CRLF lines, as an attachment."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(view, scope_label))
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(view)}"'
    return response


def register_events(events: Registry) -> None:
    """The export is logged about the agency, or about the province (id 0) for province-wide figures."""
    events.subject(Subject("province", _l("Province")), EVENT_LABELS)
    events.action_labels("agency", EVENT_LABELS)
