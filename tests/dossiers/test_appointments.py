"""Appointment dates of dossiers (portal.dossiers.deadlines) against the seeded calendar, and timeliness.

Times in the tables are Asia/Ho_Chi_Minh wall-clock times; they are passed to the code as aware UTC
datetimes, as the database returns them. The calendar is the real one: the `holidays` package plus the
`calendar_days` table seeded by `seed-demo` (the 2026 swaps 2/1 ↔ 10/1 and 31/8 ↔ 22/8).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import intake, operations
from portal.dossiers.deadlines import appointment_for, timeliness
from portal.extensions import db
from tests.support.factories import account
from tests.support.files import PDF

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = date


def at(year, month, day, hour=9, minute=0) -> datetime:
    """A local (Vietnam) wall-clock time, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=VN).astimezone(UTC)


def procedure(days: int, same_day: bool = False):
    return SimpleNamespace(processing_days=days, same_day=same_day, afternoon_cutoff=False)


def pause(started: datetime, resumed: datetime | None, reason: str = "supplement"):
    return SimpleNamespace(started_at=started, resumed_at=resumed, reason=reason)


@pytest.fixture
def rule(app, monkeypatch):
    """rule("restart") switches PORTAL_SUPPLEMENT_RULE for this test only."""

    def use(value: str) -> None:
        settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], supplement_rule=value)
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)

    return use


# --- appointment dates ----------------------------------------------------------------------------

APPOINTMENTS = [
    # VIETNAM.md §2.4, the worked examples.
    pytest.param(at(2026, 2, 12, 9), 3, D(2026, 2, 24), id="thu-12-2-tet-skipped"),
    pytest.param(at(2026, 4, 24, 10), 5, D(2026, 5, 6), id="fri-24-4-gio-to-in-lieu-30-4-1-5"),
    pytest.param(at(2026, 8, 20, 16), 3, D(2026, 8, 24), id="thu-20-8-make-up-saturday-22-8"),
    pytest.param(at(2026, 11, 23, 8), 1, D(2026, 11, 25), id="mon-23-11-culture-day-24-11"),
    pytest.param(at(2025, 12, 31, 17, 30), 1, D(2026, 1, 6), id="wed-31-12-2025-after-hours-2-1-swapped"),
    # In office hours: day 0 is the receipt day.
    pytest.param(at(2026, 3, 2, 8), 3, D(2026, 3, 5), id="mon-office-hours"),
    pytest.param(at(2026, 3, 2, 16, 59), 1, D(2026, 3, 3), id="mon-16-59"),
    pytest.param(at(2026, 3, 6, 10), 1, D(2026, 3, 9), id="fri-over-the-weekend"),
    # Before opening still counts as that day (only receipts at/after closing move).
    pytest.param(at(2026, 3, 2, 6, 30), 1, D(2026, 3, 3), id="mon-06-30-utc-is-sunday"),
    # At or after 17:00: day 0 is the next working day.
    pytest.param(at(2026, 3, 2, 17, 0), 1, D(2026, 3, 4), id="mon-17-00"),
    pytest.param(at(2026, 3, 2, 21, 30), 3, D(2026, 3, 6), id="mon-evening-online"),
    pytest.param(at(2026, 3, 6, 17, 30), 1, D(2026, 3, 10), id="fri-after-hours"),
    # Rest days: day 0 is the next working day.
    pytest.param(at(2026, 3, 7, 10), 1, D(2026, 3, 10), id="saturday"),
    pytest.param(at(2026, 3, 8, 10), 3, D(2026, 3, 12), id="sunday"),
    pytest.param(at(2026, 1, 1, 10), 1, D(2026, 1, 6), id="new-year-day"),
    pytest.param(at(2026, 1, 2, 10), 1, D(2026, 1, 6), id="fri-2-1-swapped-off"),
    # Make-up Saturdays are working days: day 0 and counted days.
    pytest.param(at(2026, 1, 10, 10), 1, D(2026, 1, 12), id="make-up-saturday-10-1"),
    pytest.param(at(2026, 1, 9, 10), 1, D(2026, 1, 10), id="fri-9-1-due-on-make-up-saturday"),
    pytest.param(at(2026, 1, 10, 17, 30), 1, D(2026, 1, 13), id="make-up-saturday-10-1-after-hours"),
    pytest.param(at(2026, 8, 22, 10), 1, D(2026, 8, 24), id="make-up-saturday-22-8"),
    pytest.param(at(2026, 8, 21, 10), 1, D(2026, 8, 22), id="fri-21-8-due-on-make-up-saturday"),
    # Tết 2026: off Sat 14/2 – Sun 22/2.
    pytest.param(at(2026, 2, 13, 10), 1, D(2026, 2, 23), id="fri-13-2-before-tet"),
    pytest.param(at(2026, 2, 17, 10), 1, D(2026, 2, 24), id="received-on-tet"),
    pytest.param(at(2026, 2, 10, 10), 5, D(2026, 2, 24), id="tue-10-2-across-tet"),
    # Quốc khánh 2026: off Sat 29/8 – Wed 2/9 (31/8 swapped with 22/8).
    pytest.param(at(2026, 8, 28, 10), 2, D(2026, 9, 4), id="fri-28-8-across-2-9"),
    pytest.param(at(2026, 8, 27, 10), 1, D(2026, 8, 28), id="thu-27-8"),
    pytest.param(at(2026, 9, 1, 10), 1, D(2026, 9, 4), id="received-on-1-9"),
    # Ngày Văn hóa Việt Nam, Tue 24/11/2026.
    pytest.param(at(2026, 11, 20, 10), 2, D(2026, 11, 25), id="fri-20-11-across-24-11"),
    pytest.param(at(2026, 11, 24, 10), 1, D(2026, 11, 26), id="received-on-24-11"),
    # Long land procedures (Decree 101/2024): 20 working days over Tết.
    pytest.param(at(2026, 2, 2, 10), 20, D(2026, 3, 9), id="20-days-over-tet"),
]


@pytest.mark.parametrize(("received", "days", "due"), APPOINTMENTS)
def test_appointment_date(app, received, days, due):
    assert appointment_for(procedure(days), received) == due


SAME_DAY = [
    # Decree 23/2015 Art. 7: same-day procedures received after 15:00 are returned the next working day.
    pytest.param(at(2026, 3, 2, 9), D(2026, 3, 2), id="morning"),
    pytest.param(at(2026, 3, 2, 14, 59), D(2026, 3, 2), id="14-59"),
    pytest.param(at(2026, 3, 2, 15, 0), D(2026, 3, 3), id="15-00"),
    pytest.param(at(2026, 3, 2, 16, 30), D(2026, 3, 3), id="16-30-before-closing"),
    pytest.param(at(2026, 3, 6, 15, 30), D(2026, 3, 9), id="friday-afternoon"),
    pytest.param(at(2026, 3, 7, 9), D(2026, 3, 9), id="saturday"),
    pytest.param(at(2026, 1, 10, 9), D(2026, 1, 10), id="make-up-saturday"),
    pytest.param(at(2026, 1, 10, 15, 30), D(2026, 1, 12), id="make-up-saturday-afternoon"),
    pytest.param(at(2026, 2, 13, 15, 30), D(2026, 2, 23), id="before-tet"),
    pytest.param(at(2026, 11, 23, 15, 1), D(2026, 11, 25), id="before-24-11"),
]


@pytest.mark.parametrize(("received", "due"), SAME_DAY)
def test_same_day_procedure(app, received, due):
    assert appointment_for(procedure(0, same_day=True), received) == due
    # Zero working days is a same-day procedure even without the flag.
    assert appointment_for(procedure(0), received) == due


def test_seeded_procedures_use_their_own_terms(app):
    temporary = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))  # 3 working days
    birth = db.session.scalar(select(Procedure).where(Procedure.code == "1.001193"))  # same day
    assert (temporary.processing_days, birth.same_day) == (3, True)
    assert appointment_for(temporary, at(2026, 2, 12, 9)) == D(2026, 2, 24)
    assert appointment_for(birth, at(2026, 2, 12, 15, 30)) == D(2026, 2, 13)
    assert appointment_for(birth, at(2026, 2, 13, 15, 30)) == D(2026, 2, 23)


def test_office_closing_is_configuration(app, monkeypatch):
    settings = app.config["PORTAL_SETTINGS"]
    assert appointment_for(procedure(1), at(2026, 3, 2, 16, 45)) == D(2026, 3, 3)
    monkeypatch.setitem(
        app.config,
        "PORTAL_SETTINGS",
        dataclasses.replace(settings, office_closing=datetime(2026, 1, 1, 16, 30).time()),
    )
    assert appointment_for(procedure(1), at(2026, 3, 2, 16, 45)) == D(2026, 3, 4)


# --- supplement pauses ------------------------------------------------------------------------------

# Received Mon 2/3/2026 09:00, 5 working days: due Mon 9/3. Documents requested Wed 4/3 10:00 and
# completed Fri 6/3 11:00: Thu 5/3 and Fri 6/3 belong to the citizen.
RECEIVED = at(2026, 3, 2, 9)
ONE_PAUSE = [pause(at(2026, 3, 4, 10), at(2026, 3, 6, 11))]


def test_without_pause(app):
    assert appointment_for(procedure(5), RECEIVED) == D(2026, 3, 9)


@pytest.mark.parametrize(
    ("value", "due"),
    [
        # Decision 766: the citizen's working days (5/3, 6/3) are added: Mon 9/3 + 2 = Wed 11/3.
        ("exclude", D(2026, 3, 11)),
        # Decree 61/2018 practice: the full 5 days again from Fri 6/3: Fri 13/3.
        ("restart", D(2026, 3, 13)),
    ],
)
def test_one_supplement_pause(app, rule, value, due):
    rule(value)
    assert appointment_for(procedure(5), RECEIVED, ONE_PAUSE) == due


@pytest.mark.parametrize("value", ["exclude", "restart"])
def test_open_pause_has_no_date(app, rule, value):
    rule(value)
    assert appointment_for(procedure(5), RECEIVED, [pause(at(2026, 3, 4, 10), None)]) is None


@pytest.mark.parametrize(
    ("value", "due"),
    [
        # 4/3 → 6/3 (2 days) and 10/3 → 11/3 (1 day): Mon 9/3 + 3 = Thu 12/3.
        ("exclude", D(2026, 3, 12)),
        # 5 days from Wed 11/3 09:00: Wed 18/3.
        ("restart", D(2026, 3, 18)),
    ],
)
def test_two_pauses(app, rule, value, due):
    rule(value)
    pauses = [*ONE_PAUSE, pause(at(2026, 3, 10, 9), at(2026, 3, 11, 9))]
    assert appointment_for(procedure(5), RECEIVED, pauses) == due


@pytest.mark.parametrize(
    ("value", "due"),
    [
        # Requested Thu 12/2, completed Mon 23/2 10:00 after Tết: only Fri 13/2 and Mon 23/2 are working
        # days of the pause. Due without pause Tue 24/2 (3 days), plus 2: Thu 26/2.
        ("exclude", D(2026, 2, 26)),
        # 3 days from Mon 23/2: Thu 26/2.
        ("restart", D(2026, 2, 26)),
    ],
)
def test_pause_over_tet(app, rule, value, due):
    rule(value)
    pauses = [pause(at(2026, 2, 12, 14), at(2026, 2, 23, 10))]
    assert appointment_for(procedure(3), at(2026, 2, 12, 9), pauses) == due


def test_restart_after_hours_counts_from_the_next_working_day(app, rule):
    rule("restart")
    # Completed Fri 6/3 at 18:00: day 0 is Mon 9/3, 5 days: Mon 16/3.
    pauses = [pause(at(2026, 3, 4, 10), at(2026, 3, 6, 18))]
    assert appointment_for(procedure(5), RECEIVED, pauses) == D(2026, 3, 16)


# --- timeliness -----------------------------------------------------------------------------------


def dossier(appointment, *, finished=None, returned=None, status=4, pauses=(), original=None):
    return SimpleNamespace(
        appointment_on=appointment,
        original_appointment_on=original or appointment,
        finished_at=finished,
        returned_at=returned,
        status=status,
        pauses=list(pauses),
    )


DUE = D(2026, 3, 9)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2026, 3, 6, 16), "early"),
        (at(2026, 3, 9, 8), "on_time"),
        (at(2026, 3, 9, 23, 30), "on_time"),  # 16:30 UTC, 9/3
        (at(2026, 3, 10, 0, 30), "late"),  # 17:30 UTC on 9/3, but already 10/3 in Vietnam
        (at(2026, 3, 10, 9), "late"),
    ],
)
def test_finished_dossiers(app, finished, expected):
    assert timeliness(dossier(DUE, finished=finished, status=9), D(2026, 3, 20)) == expected


def test_returned_without_finished_time_uses_the_return(app):
    assert timeliness(dossier(DUE, returned=at(2026, 3, 10, 9), status=10), D(2026, 3, 20)) == "late"
    assert timeliness(dossier(DUE, returned=at(2026, 3, 5, 9), status=10), D(2026, 3, 20)) == "early"


def test_finished_time_wins_over_the_return(app):
    # Ready on time at the desk; the citizen collected it a week later: on time.
    done = dossier(DUE, finished=at(2026, 3, 9, 10), returned=at(2026, 3, 16, 10), status=10)
    assert timeliness(done, D(2026, 3, 20)) == "on_time"


def test_apology_does_not_make_a_late_dossier_on_time(app):
    # Form 04 moved the appointment from 9/3 to 12/3; finishing on 11/3 is still late against 9/3.
    moved = dossier(D(2026, 3, 12), original=DUE, finished=at(2026, 3, 11, 10), status=9)
    assert timeliness(moved, D(2026, 3, 20)) == "late"


def test_more_than_one_supplement_request_is_late(app):
    one = [pause(at(2026, 3, 3, 9), at(2026, 3, 4, 9))]
    two = [*one, pause(at(2026, 3, 5, 9), at(2026, 3, 5, 15))]
    finished = at(2026, 3, 6, 9)
    assert timeliness(dossier(DUE, finished=finished, status=9, pauses=one), D(2026, 3, 20)) == "early"
    assert timeliness(dossier(DUE, finished=finished, status=9, pauses=two), D(2026, 3, 20)) == "late"
    # Fee requests are not supplement requests.
    fees = [*one, pause(at(2026, 3, 5, 9), at(2026, 3, 5, 15), reason="fee")]
    assert timeliness(dossier(DUE, finished=finished, status=9, pauses=fees), D(2026, 3, 20)) == "early"
    # Open dossiers with two requests are already late.
    assert timeliness(dossier(DUE, status=4, pauses=two), D(2026, 3, 6)) == "late"


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (2, D(2026, 3, 9), "on_time"),
        (4, D(2026, 3, 9), "on_time"),
        (2, D(2026, 3, 10), "overdue"),
        (4, D(2026, 3, 10), "overdue"),
        (4, D(2026, 4, 1), "overdue"),
    ],
)
def test_open_dossiers(app, status, today, expected):
    assert timeliness(dossier(DUE, status=status), today) == expected


def test_nothing_before_an_appointment_exists(app):
    # While documents are being asked for there is no date, and nothing to say.
    assert timeliness(dossier(None, status=5), D(2026, 3, 10)) == ""


# --- through the operations: the pause really moves the date, and timeliness follows ---------------


def received_dossier(code="1.004194", when=RECEIVED):
    """Submitted online the evening before, received by the desk at `when`."""
    proc = db.session.scalar(select(Procedure).where(Procedure.code == code))
    applicant = intake.Applicant("Lò Thị Xuân", "014190000123", None, "+84912345678", "", "Tổ 3", "03646")
    dossier_ = intake.submit_online(
        proc, applicant, [intake.Upload(PDF, "to-khai.pdf")], None, "vi", now=at(2026, 3, 1, 20)
    )
    operations.staff_act(dossier_, A.RECEIVE, account("receptionist"), now=when)
    return dossier_


@pytest.mark.parametrize(("value", "due"), [("exclude", D(2026, 3, 9)), ("restart", D(2026, 3, 10))])
def test_supplement_through_the_operations(app, rule, value, due):
    rule(value)
    dossier_ = received_dossier()  # 3 working days from Mon 2/3 09:00: Thu 5/3
    assert dossier_.appointment_on == D(2026, 3, 5)
    processor = account("processor")
    operations.staff_act(dossier_, A.START, processor, now=at(2026, 3, 2, 10))
    operations.staff_act(
        dossier_, A.REQUEST_SUPPLEMENT, processor, note="Thiếu giấy xác nhận chỗ ở.", now=at(2026, 3, 3, 10)
    )
    assert dossier_.appointment_on is None
    operations.citizen_supplement(dossier_, [intake.Upload(PDF, "cho-o.pdf")], "", now=at(2026, 3, 5, 11))
    # exclude: Wed 4/3 and Thu 5/3 were the citizen's: Thu 5/3 + 2 = Mon 9/3.
    # restart: 3 days again from Thu 5/3 11:00: Fri 6/3, Mon 9/3, Tue 10/3.
    assert dossier_.appointment_on == due
    assert [(p.started_at, p.resumed_at) for p in dossier_.pauses] == [
        (at(2026, 3, 3, 10), at(2026, 3, 5, 11))
    ]


def test_supplement_time_is_excluded_from_timeliness(app, rule):
    """Regression: timeliness compared with original_appointment_on, which the pause never moved."""
    rule("exclude")
    dossier_ = received_dossier()  # due Thu 5/3
    processor = account("processor")
    operations.staff_act(dossier_, A.START, processor, now=at(2026, 3, 2, 10))
    operations.staff_act(
        dossier_, A.REQUEST_SUPPLEMENT, processor, note="Thiếu giấy xác nhận chỗ ở.", now=at(2026, 3, 3, 10)
    )
    operations.citizen_supplement(dossier_, [intake.Upload(PDF, "cho-o.pdf")], "", now=at(2026, 3, 5, 11))
    assert dossier_.appointment_on == D(2026, 3, 9)
    operations.staff_act(dossier_, A.FINISH, processor, now=at(2026, 3, 9, 10))
    # Finished on the pause-adjusted date, after a single supplement request: on time, not late.
    assert timeliness(dossier_, D(2026, 3, 9)) == "on_time"


def test_an_apology_date_survives_a_later_supplement_but_does_not_excuse_lateness(app, rule):
    rule("exclude")
    dossier_ = received_dossier()  # due Thu 5/3
    processor = account("processor")
    operations.staff_act(dossier_, A.START, processor, now=at(2026, 3, 2, 10))
    operations.staff_act(
        dossier_, A.APOLOGISE, processor, note="Chờ xác minh.", new_date=D(2026, 3, 12), now=at(2026, 3, 4, 9)
    )
    operations.staff_act(
        dossier_, A.REQUEST_SUPPLEMENT, processor, note="Thiếu giấy xác nhận chỗ ở.", now=at(2026, 3, 4, 11)
    )
    operations.citizen_supplement(dossier_, [intake.Upload(PDF, "cho-o.pdf")], "", now=at(2026, 3, 5, 10))
    # The legal date moves by the pause (Thu 5/3 was the citizen's): Fri 6/3. The citizen keeps the later
    # date the apology promised.
    assert dossier_.original_appointment_on == D(2026, 3, 6)
    assert dossier_.appointment_on == D(2026, 3, 12)
    operations.staff_act(dossier_, A.FINISH, processor, now=at(2026, 3, 9, 10))
    assert timeliness(dossier_, D(2026, 3, 9)) == "late"
