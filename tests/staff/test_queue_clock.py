"""The unified queue's due column counts working days only while the item's clock runs.

Regression (walk-through of the demo): a dossier whose result was ready before its appointment date
(status 9, "result ready", still in the queue until it is handed over) showed "Due 07/12/2026 (1 wd late)"
while the queue's "Overdue" filter and the dashboard counted it nowhere. What a row says must agree with
the filter and with `portal.domain.indicators.is_overdue` (the dashboard's "overdue now"): a stopped clock
(result ready, not yet received, paused) is neither counting down nor late against its appointment date.

The same HTML is the 360 px cards and the 1280 px table (static/css/portal.css lays it out), so one
reading of the rows covers both. Dates: Mon 2/3/2026 09:00 received, 3 WD, due Thu 5/3/2026, long past.
"""

from __future__ import annotations

import re
from datetime import date

from portal.calendar.queries import local_now
from portal.domain import indicators
from portal.domain.dossier_status import DossierAction as A
from portal.domain.feedback_status import FeedbackAction as F
from portal.dossiers import deadlines, operations
from portal.extensions import cache, db
from portal.feedback import operations as feedback_operations
from tests.dossiers.test_deadline_pages import at, overdue_dossier, received
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import account
from tests.support.feedback import make_item

COUNTDOWN = re.compile(r"wd left|due today|wd late")


def rows(app, query: str = "") -> dict[str, str]:
    """Each row's HTML by its code, as the processor of Tô Hiệu reads the queue."""
    db.session.commit()
    cache.clear()
    body = signed_in(app, "processor").get(f"/staff/queue?lang=en{query}").get_data(as_text=True)
    found = re.findall(r"<li[^>]*>(.*?)</li>", body, re.S)
    return {code: row for row in found for code in re.findall(r'<span class="title">([^<]+)</span>', row)}


def due_cell(row: str) -> str:
    cell = re.search(r'<span class="q-due">(.*?)</span>\n', row, re.S)
    assert cell, row
    return cell[1]


def test_a_result_ready_before_its_date_is_not_late_in_the_queue(app):
    finished = overdue_dossier()
    operations.staff_act(finished, A.FINISH, account("processor"), note="Đã cấp.", now=at(2026, 3, 4, 10))
    running = overdue_dossier()  # the same dates, its clock still running: late, and marked so
    today = local_now().date()
    shown, late_only = rows(app), rows(app, "&overdue=1")

    assert finished.status == 9 and finished.appointment_on == date(2026, 3, 5)
    assert not indicators.is_overdue(deadlines.facts_of(finished), today)  # the dashboard's "overdue now"
    assert finished.code not in late_only
    cell = due_cell(shown[finished.code])
    assert "Due 05/03/2026" in cell and not COUNTDOWN.search(cell), cell
    assert "Overdue" not in shown[finished.code]

    assert indicators.is_overdue(deadlines.facts_of(running), today)
    assert running.code in late_only
    assert "wd late" in due_cell(shown[running.code]) and "Overdue" in shown[running.code]


def test_an_online_dossier_not_yet_received_does_not_count_down(app):
    # Its date is provisional until the desk receives it (README, dossier step 4): no clock runs yet.
    waiting = make_dossier(now=at(2026, 3, 2, 9))
    shown = rows(app)
    assert waiting.status == 1 and waiting.appointment_on is not None
    assert waiting.code not in rows(app, "&overdue=1")
    cell = due_cell(shown[waiting.code])
    assert not COUNTDOWN.search(cell), cell
    assert "Overdue" not in shown[waiting.code]


def test_running_items_still_count_down(app):
    dossier = received("1.004194", local_now())
    item = make_item()
    feedback_operations.staff_act(item, F.ACCEPT, account("processor"))
    shown = rows(app)
    assert re.search(r"wd left|due today", due_cell(shown[dossier.code])), shown[dossier.code]
    assert re.search(r"wd left|due today", due_cell(shown[item.code])), shown[item.code]


def test_feedback_waiting_for_the_citizen_is_paused_not_late(app):
    item = make_item()
    feedback_operations.staff_act(item, F.REQUEST_INFO, account("processor"), note="Xin thêm ảnh.")
    shown = rows(app)
    assert item.status == "info_requested"
    assert not COUNTDOWN.search(due_cell(shown[item.code])) and "Overdue" not in shown[item.code]
    assert item.code not in rows(app, "&overdue=1")
