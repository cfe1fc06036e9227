"""/staff/dashboard: figures and Decision 766 points against hand-computed tables, the CSV export
against the screen, the doors, bad parameters, CSV injection and the print view.

Every expected number below is worked out by hand from the seed files (portal/dossiers/demo.py with
its payments, portal/feedback/demo.py, portal/catalog/data/procedures.csv) or from the
scenario the test writes itself; none is read back from the code under test.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select

from portal.accounts.operations import create_account
from portal.agencies.models import Agency
from portal.calendar.queries import LOCAL_TZ, local_now
from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier, DossierFile, DossierPause
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackCategory, FeedbackPause
from portal.payments.models import Payment
from portal.statistics import dashboard
from portal.statistics.export import csv_safe
from portal.statistics.queries import dossiers as dossier_queries

TO_HIEU = "ubnd-phuong-to-hieu"


class Keyed(HTMLParser):
    """Collects the text of every element carrying data-key (the numbers the page shows)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._key: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._key is not None:
            self._depth += 1
        key = dict(attrs).get("data-key")
        if key is not None and self._key is None:
            self._key, self._depth = key, 0
            self.values[key] = ""

    def handle_endtag(self, tag):
        if self._key is not None:
            if self._depth == 0:
                self.values[self._key] = " ".join(self.values[self._key].split())
                self._key = None
            else:
                self._depth -= 1

    def handle_data(self, data):
        if self._key is not None:
            self.values[self._key] += data


def shown(body: str) -> dict[str, str]:
    parser = Keyed()
    parser.feed(body)
    return parser.values


def page(client, query: str) -> dict[str, str]:
    response = client.get(f"/staff/dashboard?lang=en&{query}")
    assert response.status_code == 200
    return shown(response.get_data(as_text=True))


def recent_range() -> str:
    today = local_now().date()
    return f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"


# --- the demo data, Phường Tô Hiệu -------------------------------------------------------------------------
#
# Dossiers (portal/dossiers/demo.py; all online, applicant in 03646 → UBND Phường Tô Hiệu; fees from
# procedures.csv: 1.004222 20 000, 1.004194 15 000, 1.002755 15 000, 1.010038 10 000, 1.003677 0, 1.001193 0):
#   1 status 1 (not received)           2 received (1.004222, 7 WD, 1 day ago)   3 refused at intake
#   4 processing (1.010038, 5 WD, 3 days ago)   5 waiting in 5 since its receipt (1.002755)
#   6 fee requested (1.004222)          7 withdrawn (1.004194)    8 stopped (1.010038, 6 days ago, stop
#   logged at seeding: ≤ 5 WD after a receipt 6 calendar days earlier, whatever the weekday)
#   9 finished at receipt (1.004194)    10 fee paid by VietQR transfer → processing (1.004222)
#   11 fee underpaid → still 6 (1.002755)    12 finished and returned at receipt (1.003677, no fee)
# received = 2,4,5,6,7,8,9,10,11,12 = 10, all online; no result files were attached, so 9 and 12 reached
# a (paper) result without an e-result: online_qualifying = digitised = 8; fee_bearing = 9 (all but 12);
# paid_online = 1 (10); results_ready = 2 (9, 12), withdrawn 1 (7); processing days 0 + 0.
# 2.1: ended on time 3 (refused at intake: on time, issue 11 item 6), 5 (at its supplement request), 8,
# 9, 12 = 5; open within 2, 4, 6, 10, 11 = 5; late 0, overdue 0 (appointments are 3–7 WD after receipts
# at most 5 days old; 6 and 11 wait for fees with the clock stopped). processed = ended = 5 + 0 = 5
# (the withdrawn 7 is in no count of 2.1), handled = 5 + 5 = 10. No dossier ratings: 5.4 has no data.
# Feedback (portal/feedback/demo.py, all at Tô Hiệu): the three urgent reports (landslide 1 day ago, flash
# flood and forest fire today, no staff action: open, far within any deadline) + the six older ones of
# categories of 15 WD = received 9; ended on time: answered 4 and 5 (≤ 12 calendar days), refused 6 (2 days)
# = 3; open within: the 3 urgent ones + 1, 2, 3 (3's request for information came 6 calendar days after
# receipt, within 5 WD) = 6; one "satisfied".
# Catalogue (procedures.csv, commune remit = "xã" and "xã / tỉnh"): 25 procedures, all online; with a fee
# above 0: rows 9, 11, 12, 13, 15, 16, 17, 19, 21 = 9; one of them (1.004222) paid online.
DEMO_FIGURES = {
    "received": "10",
    "handled": "10",  # 5 ended + 5 open
    "processed": "5",  # on time 5 + late 0
    "on_time": "5",
    "late": "0",
    "open_within": "5",
    "overdue_now": "0",
    "online_submission_share": "80.0%",  # 8/10, indicator 3.3's rule (it said 10/10 beside 3.3's 80%)
    "online_payment_share": "11.1%",  # 1/9
    "digitised_share": "80.0%",  # 8/10
    "average_processing_days": "0.0",  # 0/2
    "feedback_received": "9",
    "feedback_on_time_share": "100.0%",  # (3+6)/9
    "dossier_satisfaction": "N/A",  # no dossier ratings exist
    "feedback_satisfaction": "100.0%",  # 1 satisfied / 1 rating
}
DEMO_INDICATORS = {
    # id: (rate, points / max)
    "2.1": ("100.0%", "20.00 / 20"),  # (5+5)/10, no threshold
    "3.1": ("100.0%", "6.00 / 6"),  # 25/25
    "3.3": ("80.0%", "6.00 / 6"),  # 8/10 ≥ 50%
    "3.5": ("100.0%", "2.00 / 2"),  # 9/9
    "3.5b": ("11.1%", "0.22 / 2"),  # 1/9 × 2 = 0.222
    "3.6": ("11.1%", "0.67 / 6"),  # 1/9 × 6 = 0.667
    "4.1": ("0.0%", "0.00 / 6"),  # 0/2
    "4.2": ("80.0%", "4.00 / 4"),  # 8/10 = 80% threshold
    "5.2": ("100.0%", "6.00 / 6"),  # 6/6
    "5.3": ("100.0%", "6.00 / 6"),  # (6-0)/6
    # no dossier rated: no data, scores nothing, out of the maxima (was (4+5)/9 = 100% and full points)
    "5.4": ("No data", "N/A / 6"),
}
DEMO_TOTALS = {
    "group-2": "20.00 / 20",
    "group-3": "14.89 / 22",  # 6+6+2+2/9+2/3 = 14.889
    "group-4": "4.00 / 10",
    "group-5": "12.00 / 12",  # 5.2 + 5.3; 5.4 left out
    "total": "50.89 / 64",  # 20 + 14.889 + 4 + 12
}


def expected(figures: dict, indicators: dict, totals: dict) -> dict[str, str]:
    values = dict(figures) | dict(totals)
    for key, (rate, points) in indicators.items():
        values[key], values[f"{key}-points"] = rate, points
    return values


def test_demo_figures_for_to_hieu_match_the_hand_computed_table(client, login):
    login("leader")
    values = page(client, recent_range())
    wanted = expected(DEMO_FIGURES, DEMO_INDICATORS, DEMO_TOTALS)
    assert {key: values.get(key) for key in wanted} == wanted
    assert sum(int(v) for k, v in values.items() if k.startswith("day-")) == 10


def test_demo_facts_for_to_hieu(app):
    """The same table one level down: the facts the queries fill."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == TO_HIEU))
    today = local_now().date()
    board = dashboard.build(dashboard.Scope(agency), dashboard.Period(today - timedelta(days=30), today))
    assert board.dossiers == dashboard.DossierFacts(
        received=10,
        online_qualifying=8,
        fee_bearing=9,
        paid_online=1,
        digitised=8,
        results_ready=2,
        withdrawn=1,
        processing_days_total=0,
        paper_results=2,
        e_results=0,
        finished_on_time=5,
        finished_late=0,
        open_within_deadline=5,
        open_overdue=0,
    )
    assert board.feedback == dashboard.FeedbackFacts(
        received=9, handled_on_time=3, open_within_deadline=6, satisfied=1
    )
    assert board.catalog == dashboard.CatalogFacts(
        procedures=25,
        online_procedures=25,
        fee_procedures=9,
        online_payment_procedures=9,
        paid_online_procedures=1,
    )


def test_the_shortcuts_for_a_range_ending_today_change_nothing(app, monkeypatch):
    """Ranges ending today skip look-ups only a past range needs; both ways must count the same."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == TO_HIEU))
    today = local_now().date()
    period = dashboard.Period(today - timedelta(days=30), today)
    shortcut = dashboard.dossier_facts(dashboard.Scope(agency), period)
    monkeypatch.setattr(dossier_queries, "utcnow", lambda: datetime.now(LOCAL_TZ) + timedelta(days=2))
    assert dashboard.dossier_facts(dashboard.Scope(agency), period) == shortcut


# --- a scenario in March 2026 (no holidays, no swaps) for Phường Chiềng An --------------------------------

CHIENG_AN = "ubnd-phuong-chieng-an"


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL_TZ)


def add_dossier(
    agency,
    procedure,
    number,
    *,
    channel,
    received,
    due,
    status,
    fee=0,
    finished=None,
    returned=None,
    files=(),
    pauses=(),
    events=(),
    payment=None,
):
    dossier = Dossier(
        code=f"TEST-{number:04d}",
        received_day=received.date(),
        sequence=9000 + number,
        link_salt="s" * 32,
        agency_id=agency.id,
        procedure_id=procedure.id,
        channel=channel,
        status=status,
        applicant_name="Người thử",
        id_number="014190000000",
        phone="+84988000000",
        address="Tổ 1",
        admin_unit_code=agency.admin_unit_code,
        consent_version="test",
        fee_vnd=fee,
        submitted_at=received,
        received_at=received,
        appointment_on=due,
        original_appointment_on=due,
        finished_at=finished,
        returned_at=returned,
    )
    for kind in files:
        dossier.files.append(
            DossierFile(
                kind=kind,
                stored_name=f"t{number}{kind}",
                display_name="a.pdf",
                mimetype="application/pdf",
                size=10,
                uploaded_at=received,
            )
        )
    for reason, started, resumed in pauses:
        dossier.pauses.append(DossierPause(reason=reason, started_at=started, resumed_at=resumed))
    db.session.add(dossier)
    db.session.flush()
    for action, moment in events:
        db.session.add(
            Event(subject_type="dossier", subject_id=dossier.id, action=action, occurred_at=moment)
        )
    if payment:
        method, status, paid_at = payment
        db.session.add(
            Payment(
                reference=f"SLTEST{number:06d}",
                dossier_id=dossier.id,
                amount_vnd=fee,
                received_vnd=fee if paid_at else 0,
                status=status,
                method=method,
                paid_at=paid_at,
            )
        )
    db.session.flush()
    return dossier


def add_feedback(
    agency,
    category,
    number,
    *,
    submitted,
    due,
    status,
    answered=None,
    closed=None,
    request=None,
    duplicate_of=None,
    events=(),
):
    item = Feedback(
        code=f"PA-TEST-{number:04d}",
        token_hash=f"{number:064d}",
        category_id=category.id,
        agency_id=agency.id,
        admin_unit_code=agency.admin_unit_code,
        title="Thử",
        description="Thử",
        phone="+84987650000",
        consent_version="test",
        consent_at=submitted,
        status=status,
        submitted_at=submitted,
        received_on=submitted.date(),
        due_on=due,
        answered_at=answered,
        closed_at=closed,
        is_published=answered is not None,
        duplicate_of_id=duplicate_of.id if duplicate_of else None,
        refusal_reason="duplicate" if duplicate_of else ("spam" if status == "refused" else ""),
    )
    if request:
        item.pauses.append(FeedbackPause(started_at=request))
    db.session.add(item)
    db.session.flush()
    for action, moment in events:
        db.session.add(Event(subject_type="feedback", subject_id=item.id, action=action, occurred_at=moment))
    db.session.flush()
    return item


def march_scenario():
    """Dossiers A–K and feedback f1–f10 (see the comments for each one's verdict)."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == CHIENG_AN))
    temporary = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))  # 3 WD, 15 000
    absence = db.session.scalar(select(Procedure).where(Procedure.code == "1.003677"))  # 1 WD, free
    d = dict(agency=agency)
    # A: counter, Mon 2 → due Thu 5, ready Wed 4 with an e-result: on time, 2 WD; fee paid in cash.
    add_dossier(
        **d,
        procedure=temporary,
        number=1,
        channel="counter",
        received=at(3, 2),
        due=date(2026, 3, 5),
        status=10,
        fee=15000,
        finished=at(3, 4),
        returned=at(3, 5),
        files=("submitted", "result"),
        payment=("cash", "paid", at(3, 4)),
    )
    # B: online, Tue 3 → due Fri 6, ready Tue 10, no e-result: late, 5 WD; not digitised, not qualifying.
    add_dossier(
        **d,
        procedure=temporary,
        number=2,
        channel="online",
        received=at(3, 3),
        due=date(2026, 3, 6),
        status=9,
        fee=15000,
        finished=at(3, 10),
        files=("submitted",),
    )
    # C: online, Wed 4; supplement Thu 5 → Mon 9 (2 WD) moves the due date Mon 9 → Wed 11; ready Wed 11:
    # on time, 5 − 2 = 3 WD; fee paid by VietQR transfer.
    add_dossier(
        **d,
        procedure=temporary,
        number=3,
        channel="online",
        received=at(3, 4),
        due=date(2026, 3, 11),
        status=9,
        fee=15000,
        finished=at(3, 11, 15),
        files=("submitted", "result"),
        pauses=(("supplement", at(3, 5, 10), at(3, 9, 10)),),
        payment=("transfer", "paid", at(3, 6)),
    )
    # D: counter, Thu 5; two supplement requests (Fri 6 → Mon 9, Tue 10 → Wed 11, 1 WD each) move the due
    # date Tue 10 → Thu 12; ready Thu 12, in time by date but late by the "more than one request" rule;
    # 5 − 2 = 3 WD.
    add_dossier(
        **d,
        procedure=absence,
        number=4,
        channel="counter",
        received=at(3, 5),
        due=date(2026, 3, 12),
        status=9,
        finished=at(3, 12),
        files=("submitted", "result"),
        pauses=(("supplement", at(3, 6), at(3, 9)), ("supplement", at(3, 10), at(3, 11))),
    )
    # E: online, Mon 16, due Thu 19, still processing on the 31st: overdue.
    add_dossier(
        **d,
        procedure=absence,
        number=5,
        channel="online",
        received=at(3, 16),
        due=date(2026, 3, 19),
        status=4,
        files=("submitted",),
    )
    # F: counter, Mon 30, due Thu 2 April, processing, no file: within its deadline, not digitised.
    add_dossier(
        **d,
        procedure=absence,
        number=6,
        channel="counter",
        received=at(3, 30),
        due=date(2026, 4, 2),
        status=4,
    )
    # G: online, Tue 17, due Fri 20, waiting for documents since Wed 18: ended at that request, on time.
    add_dossier(
        **d,
        procedure=absence,
        number=7,
        channel="online",
        received=at(3, 17),
        due=date(2026, 3, 20),
        status=5,
        files=("submitted",),
        pauses=(("supplement", at(3, 18), None),),
    )
    # H: online, Tue 17, due Fri 20, fee requested Mon 23 (after the due date), unpaid: overdue.
    add_dossier(
        **d,
        procedure=temporary,
        number=8,
        channel="online",
        received=at(3, 17),
        due=date(2026, 3, 20),
        status=6,
        fee=15000,
        files=("submitted",),
        pauses=(("fee", at(3, 23), None),),
        payment=("", "pending", None),
    )
    # I: counter, Wed 18, due Mon 23, stopped Fri 20: on time; no file.
    add_dossier(
        **d,
        procedure=absence,
        number=9,
        channel="counter",
        received=at(3, 18),
        due=date(2026, 3, 23),
        status=8,
        events=(("stop", at(3, 20)),),
    )
    # J: online, Thu 19, withdrawn Fri 20: received and withdrawn, not in 2.1's population.
    add_dossier(
        **d,
        procedure=absence,
        number=10,
        channel="online",
        received=at(3, 19),
        due=date(2026, 3, 20),
        status=7,
        files=("submitted",),
        events=(("withdraw", at(3, 20)),),
    )
    # K: counter, Thu 26 Feb (not received in March), due Tue 3 March, ready Mon 2 March: on time, 2 WD
    # (Fri 27, Mon 2); no result file.
    add_dossier(
        **d,
        procedure=absence,
        number=11,
        channel="counter",
        received=at(2, 26),
        due=date(2026, 3, 3),
        status=9,
        finished=at(3, 2),
        files=("submitted",),
    )
    # An old one, finished in February: in nothing.
    add_dossier(
        **d,
        procedure=absence,
        number=12,
        channel="online",
        received=at(2, 23),
        due=date(2026, 2, 24),
        status=10,
        finished=at(2, 24),
        returned=at(2, 25),
        files=("submitted",),
    )

    normal = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == "moi-truong"))  # 15 WD
    short = db.session.scalar(  # 5 WD
        select(FeedbackCategory).where(FeedbackCategory.slug == "an-ninh-trat-tu")
    )
    # f1: Mon 2, due Mon 23, answered Fri 13: on time; rated satisfied.
    add_feedback(
        agency,
        normal,
        1,
        submitted=at(3, 2),
        due=date(2026, 3, 23),
        status="closed",
        answered=at(3, 13),
        closed=at(3, 14),
        events=(("rate_satisfied", at(3, 14)),),
    )
    # f2: Mon 2, 5 WD → due Mon 9, answered Wed 11: late; then rated unsatisfied (final).
    add_feedback(
        agency,
        short,
        2,
        submitted=at(3, 2),
        due=date(2026, 3, 9),
        status="closed",
        answered=at(3, 11),
        closed=at(3, 12),
        events=(("rate_unsatisfied_final", at(3, 12)),),
    )
    # f3: Tue 3, refused Mon 9 (refuse within 2 WD: by Thu 5): late.
    add_feedback(
        agency, normal, 3, submitted=at(3, 3), due=date(2026, 3, 24), status="refused", closed=at(3, 9)
    )
    # f4: Wed 4, refused Thu 5 (by Fri 6): on time.
    add_feedback(
        agency, normal, 4, submitted=at(3, 4), due=date(2026, 3, 25), status="refused", closed=at(3, 5)
    )
    # f5: Mon 9, first request for information Tue 17 (by Mon 16): late step, still open → overdue.
    add_feedback(agency, normal, 5, submitted=at(3, 9), due=None, status="info_requested", request=at(3, 17))
    # f6: Mon 16, due Mon 6 April, accepted: open within.
    add_feedback(agency, normal, 6, submitted=at(3, 16), due=date(2026, 4, 6), status="accepted")
    # f7: Mon 2, 5 WD → due Mon 9, still accepted on the 31st: overdue.
    add_feedback(agency, short, 7, submitted=at(3, 2), due=date(2026, 3, 9), status="accepted")
    # f8: submitted Wed 25 Feb (not in March), due Wed 18 March, answered Tue 3: on time.
    add_feedback(
        agency, normal, 8, submitted=at(2, 25), due=date(2026, 3, 18), status="answered", answered=at(3, 3)
    )
    # f9: Fri 20, due Fri 10 April, accepted: within; f10 (Wed 25) repeats it and is refused the same day
    # as a duplicate (on time) — which makes f9 unsatisfactory (5.3).
    f9 = add_feedback(agency, normal, 9, submitted=at(3, 20), due=date(2026, 4, 10), status="accepted")
    add_feedback(
        agency,
        normal,
        10,
        submitted=at(3, 25),
        due=date(2026, 4, 15),
        status="refused",
        closed=at(3, 25),
        duplicate_of=f9,
    )
    return agency


MARCH = "agency=ubnd-phuong-chieng-an&from=2026-03-01&to=2026-03-31"
# received in March: A–J = 10; online B, C, E, G, H, J = 6, of which B reached a result without an e-result
# → qualifying 5; fee-bearing A, B, C, H = 4, paid online C = 1; with a file and no missing e-result: A, C, D,
# E, G, H, J = 7. Ready in March: A, B, C, D, K = 5 (e-results A, C, D = 3), withdrawn J;
# working days 2 + 5 + 3 + 3 + 2 = 15 → 3.0 on average.
# 2.1: on time A, C, G, I, K = 5; late B, D = 2; open within F = 1; overdue E, H = 2 (population 10).
# processed = on time + late = 7 (it said 6, "ready or withdrawn", beside 5 on time and 2 late: the old
# figure counted J, which 2.1 leaves out, and missed G and I, which ended without a result).
# Feedback: received f1–f7, f9, f10 = 9; ended on time f1, f4, f8, f10 = 4, late f2, f3 = 2; open within
# f6, f9 = 2, overdue f5, f7 = 2 → 5.2 = 6/10. Unsatisfactory among the received: f2, f3, f5, f7, f9 = 5
# → 5.3 = 4/9. Ratings: 1 satisfied, 1 unsatisfied.
MARCH_FIGURES = {
    "received": "10",
    "handled": "10",  # 7 ended + 3 open
    "processed": "7",  # 5 + 2
    "on_time": "5",
    "late": "2",
    "open_within": "1",
    "overdue_now": "2",
    "online_submission_share": "50.0%",  # 5/10, indicator 3.3's rule (it said 6/10 beside 3.3's 50%)
    "online_payment_share": "25.0%",  # 1/4
    "digitised_share": "70.0%",  # 7/10
    "average_processing_days": "3.0",  # 15/5
    "feedback_received": "9",
    "feedback_on_time_share": "60.0%",  # 6/10
    "dossier_satisfaction": "N/A",
    "feedback_satisfaction": "50.0%",  # 1/2
}
MARCH_INDICATORS = {
    "2.1": ("60.0%", "12.00 / 20"),  # (5+1)/10 × 20
    "3.1": ("100.0%", "6.00 / 6"),  # 25/25
    "3.3": ("50.0%", "6.00 / 6"),  # 5/10, exactly the 50% threshold
    "3.5": ("100.0%", "2.00 / 2"),  # 9/9
    "3.5b": ("11.1%", "0.22 / 2"),  # 1/9 × 2
    "3.6": ("25.0%", "1.50 / 6"),  # 1/4 × 6
    "4.1": ("60.0%", "3.60 / 6"),  # 3/5 × 6
    "4.2": ("70.0%", "3.50 / 4"),  # 0.7 × 4 / 0.8
    "5.2": ("60.0%", "3.60 / 6"),  # 6/10 × 6
    "5.3": ("44.4%", "2.67 / 6"),  # 4/9 × 6 = 2.667
    "5.4": ("No data", "N/A / 6"),  # no dossier rated in March (was (5+1-0)/10, 4.00 / 6)
}
MARCH_TOTALS = {
    "group-2": "12.00 / 20",
    "group-3": "15.72 / 22",  # 6+6+2+2/9+1.5 = 15.722
    "group-4": "7.10 / 10",
    "group-5": "6.27 / 12",  # 3.6+8/3 = 6.267; 5.4 left out
    "total": "41.09 / 64",
}  # 12 + 15.722 + 7.1 + 6.267 = 41.089


def test_march_scenario_matches_the_hand_computed_table(app, client, login):
    march_scenario()
    login("admin")
    values = page(client, MARCH)
    wanted = expected(MARCH_FIGURES, MARCH_INDICATORS, MARCH_TOTALS)
    assert {key: values.get(key) for key in wanted} == wanted
    per_day = {
        key[4:]: int(value) for key, value in values.items() if key.startswith("day-") and value != "0"
    }
    assert per_day == {
        "2026-03-02": 1,
        "2026-03-03": 1,
        "2026-03-04": 1,
        "2026-03-05": 1,
        "2026-03-16": 1,
        "2026-03-17": 2,
        "2026-03-18": 1,
        "2026-03-19": 1,
        "2026-03-30": 1,
    }


def test_march_scenario_facts(app):
    agency = march_scenario()
    board = dashboard.build(dashboard.Scope(agency), dashboard.Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert board.dossiers == dashboard.DossierFacts(
        received=10,
        online_qualifying=5,
        fee_bearing=4,
        paid_online=1,
        digitised=7,
        results_ready=5,
        withdrawn=1,
        processing_days_total=15,
        paper_results=5,
        e_results=3,
        finished_on_time=5,
        finished_late=2,
        open_within_deadline=1,
        open_overdue=2,
    )
    assert board.feedback == dashboard.FeedbackFacts(
        received=9,
        handled_on_time=4,
        handled_late=2,
        open_within_deadline=2,
        open_overdue=2,
        unsatisfactory=5,
        satisfied=1,
        unsatisfied=1,
    )
    assert board.catalog.paid_online_procedures == 1


def test_a_past_range_sees_the_state_at_its_end(app):
    """Mid-March: C had not finished yet and H's fee was not yet requested."""
    agency = march_scenario()
    board = dashboard.build(dashboard.Scope(agency), dashboard.Period(date(2026, 3, 1), date(2026, 3, 10)))
    # received by the 10th: A, B, C, D; ready by then: A, B (Tue 10), K
    assert (board.dossiers.received, board.dossiers.results_ready) == (4, 3)
    # A, K on time, B late (ready the 10th, due the 6th); C open within (due the 11th); D waiting in its
    # second supplement request since the 10th (due then the 11th): ended on time by date, but it was its
    # second request → late.
    facts = board.dossiers
    assert (facts.finished_on_time, facts.finished_late, facts.open_within_deadline, facts.open_overdue) == (
        2,
        2,
        1,
        0,
    )


def test_the_number_of_queries_does_not_grow_with_the_data(app):
    agency = march_scenario()
    period = dashboard.Period(date(2026, 3, 1), date(2026, 3, 31))
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        connection = db.session.connection()
        event.listen(connection, "before_cursor_execute", count)
        try:
            dashboard.build(dashboard.Scope(agency), period)
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(statements)

    before = queries()
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))
    for number in range(100, 140):  # 40 more dossiers, finished after a supplement request, with files
        add_dossier(
            agency=agency,
            procedure=procedure,
            number=number,
            channel="online",
            received=at(3, 9),
            due=date(2026, 3, 16),
            status=9,
            fee=15000,
            finished=at(3, 13),
            files=("submitted", "result"),
            pauses=(("supplement", at(3, 10), at(3, 11)),),
            payment=("transfer", "paid", at(3, 12)),
        )
    assert queries() == before <= 15


# --- CSV = screen -------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:])))


def plain(text: str, lang: str) -> str:
    """A number as the screen shows it ('1.234,5%' in vi, '1,234.5%' in en) → '1234.5'; words stay."""
    if not re.search(r"[0-9]", text):
        return text  # "not applicable"
    text = text.rstrip("%")
    return text.replace(".", "").replace(",", ".") if lang == "vi" else text.replace(",", "")


def pair(text: str, lang: str) -> list[str]:
    return [plain(part, lang) for part in text.split(" / ")]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_csv_matches_the_screen(app, client, login, lang):
    march_scenario()
    login("admin")
    screen = shown(client.get(f"/staff/dashboard?lang={lang}&{MARCH}").get_data(as_text=True))
    response = client.get(f"/staff/dashboard.csv?lang={lang}&{MARCH}")
    assert response.status_code == 200
    rows = read_csv(response)
    assert len(rows[0]) == 7 and all(len(row) == 7 for row in rows)
    exported = {
        key: (value, points, maximum)
        for _section, key, _label, value, points, maximum, _threshold in rows[1:]
    }
    assert (exported["from"][0], exported["to"][0]) == ("2026-03-01", "2026-03-31")
    compared = 0
    for key, (value, points, maximum) in exported.items():
        if key in ("agency", "from", "to"):
            continue
        if key.startswith("group-") or key == "total":
            assert pair(screen[key], lang) == [points, maximum], key
        else:
            screen_key = f"day-{key}" if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", key) else key
            assert plain(screen[screen_key], lang) == value, key
            if points:
                assert pair(screen[f"{key}-points"], lang) == [points, maximum], key
        compared += 1
    assert compared == 15 + 11 + 4 + 1 + 31  # figures, indicators, group totals, total, days of March
    # and nothing on the screen is missing from the export
    assert {key.removeprefix("day-").removesuffix("-points") for key in screen} <= set(exported)


def test_csv_is_an_attachment_in_utf8_with_a_bom(client, login):
    login("leader")
    response = client.get("/staff/dashboard.csv?lang=vi&from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="dashboard-ubnd-phuong-to-hieu-2026-03-01-2026-03-31.csv"'
    )
    rows = read_csv(response)
    assert rows[1][3] == "UBND Phường Tô Hiệu"  # Vietnamese text survives (UTF-8)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_safe_prefixes_formula_cells(cell):
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["10", "66.7", "UBND Phường Tô Hiệu", "", "N/A", "'quoted"])
def test_csv_safe_leaves_other_cells(cell):
    assert csv_safe(cell) == cell


def test_csv_injection_through_an_agency_name(app, client, login):
    agency = db.session.scalar(select(Agency).where(Agency.slug == CHIENG_AN))
    agency.name = '=HYPERLINK("http://evil.example","Bấm")'
    db.session.flush()
    login("admin")
    rows = read_csv(client.get(f"/staff/dashboard.csv?lang=vi&{MARCH}"))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","Bấm")'
    assert not any(cell[:1] in "=+-@\t\r" and cell for row in rows for cell in row)


# --- doors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("leader", 200),
        ("agency_admin", 200),
        ("admin", 200),
        ("processor", 403),
        ("receptionist", 403),
        ("citizen", 403),
    ],
)
@pytest.mark.parametrize("path", ["/staff/dashboard", "/staff/dashboard.csv"])
def test_who_may_open_the_dashboard(client, login, who, status, path):
    login(who)
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/staff/dashboard", "/staff/dashboard.csv?agency=all"])
def test_anonymous_visitors_are_sent_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def health_leader(client):
    create_account(
        email="lanhdao.yte@example.vn",
        password="Mat-khau-rat-dai-2026",
        full_name="Lãnh đạo Sở Y tế",
        role="leader",
        agency_slug="so-y-te",
    )
    db.session.flush()
    client.post("/login", data={"email": "lanhdao.yte@example.vn", "password": "Mat-khau-rat-dai-2026"})


def test_another_agencys_leader_sees_only_their_agency(app, client):
    health_leader(client)
    body = client.get(f"/staff/dashboard?lang=en&{recent_range()}").get_data(as_text=True)
    assert "Department of Health" in body and "Tô Hiệu" not in body
    values = shown(body)
    assert values["received"] == "0" and values["feedback_received"] == "0"
    assert 'name="agency"' not in body  # no agency picker
    rows = read_csv(client.get(f"/staff/dashboard.csv?lang=vi&{recent_range()}"))
    assert rows[1][3] == "Sở Y tế"


@pytest.mark.parametrize("agency", [TO_HIEU, "all", "no-such-agency"])
@pytest.mark.parametrize("path", ["/staff/dashboard", "/staff/dashboard.csv"])
def test_another_agencys_leader_cannot_pick_another_agency(app, client, agency, path):
    health_leader(client)
    assert client.get(f"{path}?agency={agency}").status_code == 403
    assert client.get(f"{path}?agency=so-y-te").status_code == 200  # their own, named


def test_a_leader_cannot_pick_the_province(client, login):
    login("leader")
    assert client.get("/staff/dashboard?agency=all").status_code == 403


def test_admin_picks_any_agency_or_the_province(client, login):
    login("admin")
    province = client.get(f"/staff/dashboard?lang=en&{recent_range()}").get_data(as_text=True)
    assert "Dashboard: Sơn La province" in province and 'name="agency"' in province
    assert shown(province)["received"] == "10"  # the demo has dossiers in Tô Hiệu only
    everything = client.get(f"/staff/dashboard?lang=en&agency=all&{recent_range()}")
    assert shown(everything.get_data(as_text=True)) == shown(province)
    ward = client.get(f"/staff/dashboard?lang=en&agency={TO_HIEU}&{recent_range()}").get_data(as_text=True)
    assert "Dashboard: Phường Tô Hiệu People" in ward and shown(ward)["received"] == "10"
    science = client.get(f"/staff/dashboard?lang=en&agency=so-khoa-hoc-cong-nghe&{recent_range()}")
    values = shown(science.get_data(as_text=True))
    assert values["received"] == "0"
    # no procedure of the catalogue names this department: not applicable, out of the points and the maximum
    assert values["3.1"] == "N/A" and values["3.1-points"] == "N/A / 6"
    assert values["group-2"] == "N/A / 0" and values["group-3"] == "N/A / 0"


def test_admin_with_an_unknown_agency_gets_the_province_and_a_message(client, login):
    login("admin")
    body = client.get("/staff/dashboard?lang=en&agency=nope").get_data(as_text=True)
    assert "Unknown agency" in body and "Dashboard: Sơn La province" in body


# --- parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-13-01",
        "from=abc&to=2026-11-01",
        "to=2026-02-30",
        "from=20261101",
        "from=2026-11-01T00:00",
        "from=2026-11-20&to=2026-11-01",
        "from=1900-01-01",
        "from=2020-01-01&to=2026-01-01",
        "to=99999-01-01",
        "from=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01",  # full-width digits
    ],
)
@pytest.mark.parametrize("path", ["/staff/dashboard", "/staff/dashboard.csv"])
def test_bad_dates_give_a_message_and_this_month(client, login, query, path):
    login("leader")
    response = client.get(f"{path}?lang=en&{query}")
    assert response.status_code == 200
    today = local_now().date()
    if path.endswith(".csv"):
        rows = read_csv(response)
        assert rows[2][3] == today.replace(day=1).isoformat() and rows[3][3] == today.isoformat()
        return
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and "Showing this month instead" in body
    assert f'value="{today.replace(day=1).isoformat()}"' in body and f'value="{today.isoformat()}"' in body


def test_no_dates_means_this_month_so_far_without_a_message(client, login):
    login("leader")
    body = client.get("/staff/dashboard?lang=en").get_data(as_text=True)
    today = local_now().date()
    assert 'role="alert"' not in body
    assert f'value="{today.replace(day=1).isoformat()}"' in body


def test_a_future_end_stops_at_today(client, login):
    login("leader")
    today = local_now().date()
    body = client.get(f"/staff/dashboard?lang=en&from={today.isoformat()}&to={today.year + 1}-12-31")
    assert f'value="{today.isoformat()}"' in body.get_data(as_text=True)


def test_a_long_range_is_charted_per_month(client, login):
    login("admin")
    body = client.get("/staff/dashboard?lang=en&from=2025-01-01&to=2025-12-31").get_data(as_text=True)
    assert "Dossiers received per month" in body
    assert len([key for key in shown(body) if key.startswith("day-")]) == 12


# --- page: charts, print view -----------------------------------------------------------------------------


def test_charts_are_accessible_inline_svg_without_scripts(client, login):
    login("leader")
    body = client.get(f"/staff/dashboard?lang=en&{recent_range()}").get_data(as_text=True)
    assert body.count("<svg") == 2 and "<script" not in body
    for name in ("indicators", "received"):
        assert f'aria-labelledby="chart-{name}-title chart-{name}-desc"' in body
        assert f'<title id="chart-{name}-title">' in body and f'<desc id="chart-{name}-desc">' in body
    assert "http" not in re.sub(
        r'xmlns="http://www.w3.org/2000/svg"', "", "".join(re.findall(r"<svg.*?</svg>", body, re.S))
    )


def test_print_view(client, login):
    login("leader")
    response = client.get(f"/staff/dashboard?lang=en&print=1&{recent_range()}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "print-view" in body
    assert '<form class="dashboard-filters' not in body and "Download CSV" not in body
    assert shown(body)["received"] == "10"


def test_leaders_see_the_dashboard_in_the_menu(client, login):
    login("leader")
    assert 'href="/staff/dashboard"' in client.get("/staff/queue").get_data(as_text=True)


def test_processors_do_not_see_the_dashboard_in_the_menu(client, login):
    login("processor")
    assert 'href="/staff/dashboard"' not in client.get("/staff/queue").get_data(as_text=True)


def test_csv_safe_prefixes_a_nul_first_cell():
    assert csv_safe("\x00=1") == "'\x00=1"
