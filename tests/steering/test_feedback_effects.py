"""The queue's Decision 766 hints for FEEDBACK against the dashboard's 5.2 definitions, on random data (issue 14:
"the queue's 766 hints agree with the dashboard's indicator definitions"), reopened items and late first
requests for information included.

Random items go through the real operations (accept, answer, answer as fixed, the citizen's rating, the "is it
fixed?" reply, the job closing an unanswered question, requests for information and the citizen's reply), in
rounds: an answer on time or late (its deadline moved before or after today), then perhaps a reopening (the
rating's "not satisfied", the fix question's "not fixed" or its confirming silence), then another round, so
items are reopened after a late fixed answer, after an on-time one, twice (rating and fix question), or left
paused. The dashboard (statistics.queries.feedback.feedback_ids) counts an open item "overdue" when its answer
is past due, when an answer given as fixed that the citizen reopened was late (it stays late whatever its
next answer), or when its first request for information was late. Then:

* the late hints (FEEDBACK_LATE, FEEDBACK_REOPENED_LATE, FEEDBACK_INFO_LATE) mark exactly the dashboard's
  "overdue" items, and every other open item is the dashboard's "within";
* the SQL filter "costs points this week" lists exactly the rows whose hints cost points this week.

Items are reported up to 40 days ago and a request for information is made at any round, so first requests
come within their 5 working days or after them (the boundary days included), before or after a reopening.
"""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.calendar.queries import local_now
from portal.db_types import utcnow
from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.feedback_status import FeedbackStatus as S
from portal.domain.score_effects import Effect, costs_this_week
from portal.extensions import db
from portal.feedback import closure, operations
from portal.feedback.models import Feedback, FeedbackCategory
from portal.staff.queries import QueueFilter, queue_page
from portal.statistics import dashboard
from portal.statistics.queries.feedback import feedback_ids
from portal.steering.effects import hints_for_rows
from tests.statistics.test_scoring import SLOW
from tests.statistics.test_timeliness_agreement import DAYS
from tests.support.clients import sign_in
from tests.support.factories import make_account
from tests.support.feedback import make_item

LATE_5_2 = {Effect.FEEDBACK_LATE, Effect.FEEDBACK_REOPENED_LATE, Effect.FEEDBACK_INFO_LATE}
CATEGORY = "giao-thong"  # asks "is it fixed?" and needs a confirmation (silence reopens)


def _rows(today, **criteria):
    rows, _next = queue_page(
        QueueFilter(agency_id=None, me=0, kind="feedback", **criteria), today, size=100000
    )
    return rows


def _move_deadline(rng: random.Random, item: Feedback, today) -> None:
    """The answer's deadline before, on or after today (an answer now is late, or on time), unless paused."""
    if item.status != S.INFO_REQUESTED:
        item.due_on = today + timedelta(days=rng.randint(-8, 8))
        db.session.flush()


def _answer(rng: random.Random, item: Feedback, staff, today) -> None:
    """One round: maybe a request for information (late or not: the item's day 0 is up to 40 days ago), then
    an answer (plain or as fixed) and what the citizen does with it; the item may stay open at any step."""
    if item.status in (S.NEW, S.ACCEPTED) and rng.random() < 0.3:
        operations.staff_act(item, A.REQUEST_INFO, staff, note="Xin gửi thêm ảnh.")
        if rng.random() < 0.5:
            return  # paused
        operations.supply_info(item, "Ảnh đây.")
    if rng.random() < 0.7:  # else the deadline it has: from the report, or restarted by a reopening
        _move_deadline(rng, item, today)
    if rng.random() < 0.2:
        return  # open, not answered yet
    if rng.random() < 0.3:
        operations.staff_act(item, A.ANSWER, staff, note="Đã xử lý.")
        fix = None
    else:
        fix = closure.answer_fixed(item, staff, "Đã san lấp ổ gà.", None).fix
    choice = rng.random()
    if choice < 0.25:
        operations.rate(item, False, "Chưa hài lòng")  # reopens once, then closes with the rating
    elif choice < 0.35:
        operations.rate(item, True, "")
    if fix is not None:
        reply = rng.random()
        if reply < 0.45:
            closure.reply(fix, False, "Vẫn còn ổ gà")  # reopens once (answered or closed), else recorded
        elif reply < 0.6:
            fix.reply_by = today - timedelta(days=1)  # no reply by its last day: the job closes it
            closure.expire(today)
        elif reply < 0.7:
            closure.reply(fix, True, "")


@SLOW
@given(rng=st.randoms(use_true_random=False), count=st.integers(4, 16))
def test_the_queues_feedback_hints_agree_with_the_dashboard(app, rng: random.Random, count):
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    savepoint = db.session.begin_nested()
    try:
        category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == CATEGORY))
        category.after_photo_required = False  # the photo pipeline is not what this test is about
        staff = make_account("processor")  # in the savepoint: each example makes its own
        made = []
        for _number in range(count):
            item = make_item(category=CATEGORY, now=utcnow() - timedelta(days=rng.randint(0, 40), hours=1))
            operations.staff_act(item, A.ACCEPT, staff)
            for _round in range(rng.randint(1, 3)):
                if item.status in (S.NEW, S.ACCEPTED, S.INFO_REQUESTED):
                    if item.status == S.INFO_REQUESTED:
                        operations.supply_info(item, "Ảnh đây.")
                    _answer(rng, item, staff, today)
            made.append(item)
        db.session.flush()
        made_ids = {item.id for item in made}
        rows = _rows(today)
        listed = {row.id for row in rows} & made_ids
        assert listed == {item.id for item in made if item.status in (S.NEW, S.ACCEPTED, S.INFO_REQUESTED)}
        hints = {i: found for (_k, i), found in hints_for_rows(rows, today).items() if i in made_ids}
        late = {i for i, found in hints.items() if {hint.effect for hint in found} & LATE_5_2}

        period = dashboard.Period(today - timedelta(days=DAYS), today)
        scope = dashboard.Scope(None)
        assert late == feedback_ids("overdue", scope, period) & made_ids
        assert listed - late == feedback_ids("within", scope, period) & made_ids
        # the filter is the hints' costs_this_week, row by row
        costly = {row.id for row in _rows(today, costly=True)} & made_ids
        assert costly == {i for i, found in hints.items() if costs_this_week(found, today)}
    finally:
        savepoint.rollback()


def _fixed_then_reopened(processor, due_offset: int):
    """An item answered as fixed today against a deadline `due_offset` days from today, then "not fixed"."""
    today = local_now().date()
    item = make_item(category=CATEGORY, now=utcnow() - timedelta(days=20))
    operations.staff_act(item, A.ACCEPT, processor)
    item.due_on = today + timedelta(days=due_offset)
    fix = closure.answer_fixed(item, processor, "Đã san lấp ổ gà.", None).fix
    assert closure.reply(fix, False, "Vẫn còn ổ gà") is A.FIX_DENIED
    assert item.status == S.ACCEPTED and item.due_on is not None and item.due_on > today  # a new deadline
    return item


def test_a_late_fixed_answer_reopened_costs_points_in_the_queue_as_on_the_dashboard(app, client):
    """Regression: an answer given as fixed one day late, reopened by the citizen's "not fixed", gets a new
    deadline weeks away; the dashboard keeps the item late (5.2), the queue showed no effect and left it out
    of "costs points this week". An on-time fixed answer reopened the same way is "within" on both."""
    category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == CATEGORY))
    category.after_photo_required = False
    processor = make_account("processor")
    late = _fixed_then_reopened(processor, -1)
    timely = _fixed_then_reopened(processor, 0)
    db.session.flush()
    assert (late.reopened_late, timely.reopened_late) == (True, False)
    today = local_now().date()
    period = dashboard.Period(today - timedelta(days=DAYS), today)
    assert late.id in feedback_ids("overdue", dashboard.Scope(None), period)
    assert timely.id in feedback_ids("within", dashboard.Scope(None), period)
    hints = hints_for_rows(_rows(today), today)
    assert [hint.effect for hint in hints["feedback", late.id]] == [Effect.FEEDBACK_REOPENED_LATE]
    assert not {hint.effect for hint in hints["feedback", timely.id]} & LATE_5_2
    costly = {row.id for row in _rows(today, costly=True)}
    assert late.id in costly and timely.id not in costly  # its new deadline is weeks away
    sign_in(client, processor)
    page = client.get("/staff/queue?kind=feedback&lang=en").get_data(as_text=True)
    assert "A late answer was reopened as not fixed: counts as late in 5.2" in page
    assert page.count('data-effect="feedback_reopened_late"') == 1


def test_a_late_first_request_for_information_costs_points_in_the_queue_as_on_the_dashboard(app, client):
    """Regression: an item reported 20 days ago whose first request for information is made today (long after
    its 5 working days) is late on the dashboard (5.2) while it waits for the citizen, and still after the
    reply; the queue showed no effect and left it out of "costs points this week". An item reported today
    and asked today is "within" on both, and stays in time after a second request made later."""
    processor = make_account("processor")
    late = make_item(category=CATEGORY, now=utcnow() - timedelta(days=20))
    timely = make_item(category=CATEGORY)
    for item in (late, timely):
        operations.staff_act(item, A.ACCEPT, processor)
        operations.staff_act(item, A.REQUEST_INFO, processor, note="Xin gửi thêm ảnh.")
    db.session.flush()
    assert (late.info_request_late, timely.info_request_late) == (True, False)
    today = local_now().date()
    period = dashboard.Period(today - timedelta(days=DAYS), today)
    assert late.id in feedback_ids("overdue", dashboard.Scope(None), period)
    assert timely.id in feedback_ids("within", dashboard.Scope(None), period)
    hints = hints_for_rows(_rows(today), today)
    assert [hint.effect for hint in hints["feedback", late.id]] == [Effect.FEEDBACK_INFO_LATE]
    assert not {hint.effect for hint in hints["feedback", timely.id]} & LATE_5_2
    costly = {row.id for row in _rows(today, costly=True)}
    assert late.id in costly and timely.id not in costly  # paused: no due date this week
    sign_in(client, processor)
    page = client.get("/staff/queue?kind=feedback&lang=en").get_data(as_text=True)
    assert "The first request for information came after 5 working days: counts as late in 5.2" in page
    assert page.count('data-effect="feedback_info_late"') == 1
    item_page = client.get(f"/staff/feedback/{late.code}?lang=en").get_data(as_text=True)
    assert "The first request for information came after 5 working days" in item_page
    # The citizen replies: the answer clock runs again, the item stays late (the flag is never cleared)
    operations.supply_info(late, "Ảnh đây.")
    db.session.flush()
    assert late.info_request_late and late.id in feedback_ids("overdue", dashboard.Scope(None), period)
    assert [hint.effect for hint in hints_for_rows(_rows(today), today)["feedback", late.id]] == [
        Effect.FEEDBACK_INFO_LATE
    ]
