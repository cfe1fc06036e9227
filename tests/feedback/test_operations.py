"""portal.feedback.operations: every staff action writes one Event, refusals change nothing, the clock
pauses while the citizen owes information, ratings, per-category deadlines and daily codes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.calendar.queries import LOCAL_TZ, calendar_around
from portal.db_types import utcnow
from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.feedback_status import InvalidTransition, NotPermitted
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.models import FeedbackCategory
from tests.support.factories import TO_HIEU, account, other_agency_staff
from tests.support.feedback import agency_id, category_id, events_of, make_item

AGENCY_ADMIN = "agency_admin"
CITIZEN = "citizen"
LEADER = "leader"
PROCESSOR = "processor"
RECEPTIONIST = "receptionist"


def snapshot(item) -> dict:
    db.session.flush()
    return {
        "status": item.status,
        "agency_id": item.agency_id,
        "assignee_id": item.assignee_id,
        "due_on": item.due_on,
        "answer": item.answer,
        "answered_at": item.answered_at,
        "is_published": item.is_published,
        "refusal_reason": item.refusal_reason,
        "duplicate_of_id": item.duplicate_of_id,
        "info_request": item.info_request,
        "closed_at": item.closed_at,
        "reopen_count": item.reopen_count,
        "rating": item.rating,
        "pauses": len(item.pauses),
        "events": [e.id for e in events_of(item)],
    }


def to_status(item, status: str):
    """Bring a fresh item to `status` through the operations themselves."""
    processor = account(PROCESSOR)
    if status in ("accepted", "answered", "closed"):
        operations.staff_act(item, A.ACCEPT, processor)
    if status in ("answered", "closed"):
        operations.staff_act(item, A.ANSWER, processor, note="Đã xử lý xong.")
    if status == "closed":
        operations.staff_act(item, A.CLOSE, processor)
    assert item.status == status
    return item


# -------------------------------------------------------------------------------------------- one Event each

CASES = {
    # action: (start status, actor, expected target status, public, kwargs builder)
    A.ACCEPT: ("new", RECEPTIONIST, "accepted", True, lambda item: {}),
    A.REFUSE: ("new", RECEPTIONIST, "refused", True, lambda item: {"reason": "spam", "note": "Quảng cáo"}),
    A.MARK_DUPLICATE: (
        "new",
        PROCESSOR,
        "refused",
        True,
        lambda item: {"duplicate_of": make_item(title="Sạt lở đường bản Hua La (trước)")},
    ),
    A.REQUEST_INFO: (
        "accepted",
        PROCESSOR,
        "info_requested",
        True,
        lambda item: {"note": "Xin gửi ảnh chụp vị trí sạt lở."},
    ),
    A.FORWARD: ("new", RECEPTIONIST, "new", True, lambda item: {"agency_id": agency_id("so-y-te")}),
    A.ASSIGN: ("accepted", LEADER, "accepted", False, lambda item: {"assignee_id": account(PROCESSOR).id}),
    A.ANSWER: ("accepted", PROCESSOR, "answered", True, lambda item: {"note": "Đã cho máy xúc dọn xong."}),
    A.NOTE: ("new", RECEPTIONIST, "new", False, lambda item: {"note": "Gọi lại cho người dân chiều nay."}),
    A.CLOSE: ("answered", PROCESSOR, "closed", True, lambda item: {}),
    A.REOPEN: ("closed", LEADER, "accepted", True, lambda item: {"note": "Người dân báo vẫn còn đá."}),
}


def test_every_staff_action_is_covered():
    # The citizen's ratings and information, and the "is it fixed?" replies (tests/feedback/test_closure.py)
    # are not staff actions.
    assert set(CASES) == {
        a for a in A if not a.value.startswith(("rate_", "fix_")) and a is not A.SUPPLY_INFO
    }


@pytest.mark.parametrize("action", list(CASES), ids=lambda a: a.value)
def test_each_staff_action_writes_exactly_one_event(app, action):
    start, actor_email, target, public, build = CASES[action]
    item = to_status(make_item(), start)
    kwargs = build(item)
    actor = account(actor_email)
    before = [e.id for e in events_of(item)]

    notice = operations.staff_act(item, action, actor, **kwargs)

    events = events_of(item)
    new = [e for e in events if e.id not in before]
    assert len(new) == 1
    event = new[0]
    assert (event.action, event.from_status, event.to_status) == (action.value, start, target)
    assert event.is_public is public and event.actor_id == actor.id
    assert item.status == target
    assert (notice is not None) == (action in operations.NOTIFY_CITIZEN)
    if notice is not None:
        assert notice.item is item and notice.action is action
    # The action's own effect.
    if action is A.REFUSE:
        assert item.refusal_reason == "spam" and item.closed_at is not None
    elif action is A.MARK_DUPLICATE:
        assert item.duplicate_of_id == kwargs["duplicate_of"].id and item.refusal_reason == "duplicate"
        assert event.note == kwargs["duplicate_of"].code
    elif action is A.FORWARD:
        assert item.agency_id == agency_id("so-y-te") and item.assignee_id is None
    elif action is A.ASSIGN:
        assert item.assignee_id == account(PROCESSOR).id
    elif action is A.ANSWER:
        assert item.is_published and item.answer == "Đã cho máy xúc dọn xong."
        assert item.answered_by_id == actor.id
    elif action is A.CLOSE:
        assert item.closed_at is not None
    elif action is A.REOPEN:
        # A staff reopen does not use up the citizen's one "not satisfied" reopen.
        assert item.closed_at is None and item.reopen_count == 0


def test_submission_writes_one_public_event(app):
    item = make_item()
    [event] = events_of(item)
    assert (event.action, event.from_status, event.to_status, event.is_public) == (
        "submitted",
        None,
        "new",
        True,
    )


# --------------------------------------------------------------------------------------------------- refused


def _other_agency_officer():
    return other_agency_staff(role="processor")


REFUSALS = {
    "refuse without reason": ("new", RECEPTIONIST, A.REFUSE, lambda item: {"note": "spam"}, "reason"),
    "request_info without text": ("new", RECEPTIONIST, A.REQUEST_INFO, lambda item: {"note": ""}, "note"),
    "request_info with blanks only": (
        "new",
        RECEPTIONIST,
        A.REQUEST_INFO,
        lambda item: {"note": " \n\t \u200b"},
        "note",
    ),
    "answer without text": ("accepted", PROCESSOR, A.ANSWER, lambda item: {"note": "   "}, "note"),
    "note without text": ("new", RECEPTIONIST, A.NOTE, lambda item: {}, "note"),
    "forward to the same agency": (
        "new",
        RECEPTIONIST,
        A.FORWARD,
        lambda item: {"agency_id": item.agency_id},
        "agency",
    ),
    "forward nowhere": ("new", RECEPTIONIST, A.FORWARD, lambda item: {}, "agency"),
    "forward to a missing agency": (
        "new",
        RECEPTIONIST,
        A.FORWARD,
        lambda item: {"agency_id": 999_999},
        "agency",
    ),
    "assign to a citizen": (
        "accepted",
        LEADER,
        A.ASSIGN,
        lambda item: {"assignee_id": account(CITIZEN).id},
        "assignee",
    ),
    "assign to another agency's officer": (
        "accepted",
        LEADER,
        A.ASSIGN,
        lambda item: {"assignee_id": _other_agency_officer().id},
        "assignee",
    ),
    "assign to a receptionist": (
        "accepted",
        LEADER,
        A.ASSIGN,
        lambda item: {"assignee_id": account(RECEPTIONIST).id},
        "assignee",
    ),
    "assign to nobody": ("accepted", LEADER, A.ASSIGN, lambda item: {}, "assignee"),
    "mark_duplicate of itself": (
        "new",
        PROCESSOR,
        A.MARK_DUPLICATE,
        lambda item: {"duplicate_of": item},
        "duplicate",
    ),
    "mark_duplicate of nothing": ("new", PROCESSOR, A.MARK_DUPLICATE, lambda item: {}, "duplicate"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_actions_change_nothing(app, case):
    start, actor_email, action, build, reason = REFUSALS[case]
    item = to_status(make_item(), start)
    kwargs = build(item)
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError) as refused:
        operations.staff_act(item, action, account(actor_email), **kwargs)
    assert refused.value.reason == reason
    assert snapshot(item) == before


def test_forward_to_an_inactive_agency_is_refused(app):
    item = make_item()
    from portal.agencies.models import Agency

    health = db.session.get(Agency, agency_id("so-y-te"))
    health.is_active = False
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError):
        operations.staff_act(item, A.FORWARD, account(RECEPTIONIST), agency_id=health.id)
    assert snapshot(item) == before


def test_assign_to_a_disabled_processor_is_refused(app):
    item = to_status(make_item(), "accepted")
    processor = account(PROCESSOR)
    processor.is_enabled = False
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError):
        operations.staff_act(item, A.ASSIGN, account(LEADER), assignee_id=processor.id)
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("start", "actor", "action", "kwargs", "error"),
    [
        ("new", RECEPTIONIST, A.ANSWER, {"note": "x"}, NotPermitted),
        ("accepted", RECEPTIONIST, A.ANSWER, {"note": "x"}, NotPermitted),
        ("accepted", AGENCY_ADMIN, A.ANSWER, {"note": "x"}, NotPermitted),
        ("accepted", PROCESSOR, A.ASSIGN, {}, NotPermitted),
        ("closed", PROCESSOR, A.REOPEN, {}, NotPermitted),
        ("new", PROCESSOR, A.SUPPLY_INFO, {}, NotPermitted),
        ("answered", PROCESSOR, A.RATE_SATISFIED, {}, NotPermitted),
        ("new", PROCESSOR, A.ANSWER, {"note": "x"}, InvalidTransition),
        ("new", PROCESSOR, A.CLOSE, {}, InvalidTransition),
        ("closed", PROCESSOR, A.ACCEPT, {}, InvalidTransition),
        ("answered", RECEPTIONIST, A.REFUSE, {"reason": "spam"}, InvalidTransition),
    ],
)
def test_forbidden_transitions_change_nothing(app, start, actor, action, kwargs, error):
    item = to_status(make_item(), start)
    before = snapshot(item)
    with pytest.raises(error):
        operations.staff_act(item, action, account(actor), **kwargs)
    assert snapshot(item) == before


# ----------------------------------------------------------------------------------------------------- pause


def counted_day(calendar, moment):
    """The day an answer sent at `moment` counts as received: after office hours (17:00) or on a rest day,
    the next working day, which is then the citizen's too (VIETNAM.md §2.3 item 5). These tests run on the
    real clock, whatever the day."""
    local = moment.astimezone(LOCAL_TZ)
    day = local.date()
    if not calendar.is_working_day(day) or local.hour >= 17:
        day = calendar.next_working_day(day)
    return day


def test_request_info_pauses_and_supply_info_resumes_with_a_later_due_date(app):
    submitted = utcnow() - timedelta(days=21)
    item = make_item(now=submitted)
    operations.staff_act(item, A.ACCEPT, account(PROCESSOR))
    due_before = item.due_on
    assert due_before is not None

    operations.staff_act(item, A.REQUEST_INFO, account(PROCESSOR), note="Xin gửi ảnh chụp vị trí.")
    assert item.status == "info_requested" and item.due_on is None
    assert item.info_request == "Xin gửi ảnh chụp vị trí."
    [pause] = item.pauses
    assert pause.resumed_at is None

    # The citizen answers ten days later.
    pause.started_at = utcnow() - timedelta(days=10)
    operations.supply_info(item, "Ảnh đã gửi kèm.\r\nVị trí ở km 3.")
    db.session.flush()

    assert item.status == "accepted"
    assert pause.resumed_at is not None
    start, resumed = pause.started_at.astimezone(LOCAL_TZ).date(), pause.resumed_at.astimezone(LOCAL_TZ)
    calendar = calendar_around(start)
    end = counted_day(calendar, resumed)
    paused_days = calendar.working_days_between(start, end)
    assert paused_days >= 6  # ten calendar days hold at least six working days
    assert item.due_on == calendar.add_working_days(due_before, paused_days)
    assert item.due_on > due_before
    last = events_of(item)[-1]
    assert (last.action, last.from_status, last.to_status, last.is_public) == (
        "supply_info",
        "info_requested",
        "accepted",
        True,
    )
    assert last.note == "Ảnh đã gửi kèm.\nVị trí ở km 3."


def test_supply_info_refused_when_not_asked_or_empty(app):
    item = make_item()
    with pytest.raises(InvalidTransition):
        operations.supply_info(item, "Thông tin thêm")
    operations.staff_act(item, A.REQUEST_INFO, account(RECEPTIONIST), note="Xin thêm ảnh.")
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError):
        operations.supply_info(item, "  \n ")
    assert snapshot(item) == before


def test_a_second_request_for_information_pauses_again(app):
    now = utcnow()
    item = make_item(now=now - timedelta(days=30))
    base_due = item.due_on
    processor = account(PROCESSOR)
    operations.staff_act(item, A.REQUEST_INFO, processor, note="Lần 1")
    operations.supply_info(item, "Trả lời lần 1")
    first = item.pauses[0]
    first.started_at, first.resumed_at = now - timedelta(days=20), now - timedelta(days=12)
    operations.staff_act(item, A.REQUEST_INFO, processor, note="Lần 2")
    assert item.due_on is None and len(item.pauses) == 2
    item.pauses[1].started_at = now - timedelta(days=7)
    operations.supply_info(item, "Trả lời lần 2")
    assert all(p.resumed_at is not None for p in item.pauses)

    def local(moment):
        return moment.astimezone(LOCAL_TZ).date()

    calendar = calendar_around(local(now))
    paused = sum(
        calendar.working_days_between(local(p.started_at), counted_day(calendar, p.resumed_at))
        for p in item.pauses
    )
    assert paused >= 8
    assert item.due_on == calendar.add_working_days(base_due, paused)


# ---------------------------------------------------------------------------------------------------- rating


def test_rating_needs_an_answer(app):
    item = to_status(make_item(), "accepted")
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError) as refused:
        operations.rate(item, True, "")
    assert refused.value.reason == "not_answered"
    assert snapshot(item) == before


def test_satisfied_rating_closes_and_only_once(app):
    item = to_status(make_item(), "answered")
    operations.rate(item, True, "  Cảm ơn  ")
    assert item.status == "closed" and item.rating == "satisfied" and item.rating_comment == "Cảm ơn"
    assert item.closed_at is not None and item.rated_at is not None
    last = events_of(item)[-1]
    assert (last.action, last.from_status, last.to_status, last.is_public) == (
        "rate_satisfied",
        "answered",
        "closed",
        True,
    )
    before = snapshot(item)
    with pytest.raises(operations.FeedbackError):
        operations.rate(item, False, "Đổi ý")
    assert snapshot(item) == before


def test_rating_window_is_seven_days(app):
    late = to_status(make_item(), "answered")
    before = snapshot(late)
    with pytest.raises(operations.FeedbackError) as refused:
        operations.rate(late, True, "", now=late.answered_at + timedelta(days=8))
    assert refused.value.reason == "rating_closed"
    assert snapshot(late) == before
    on_time = to_status(make_item(), "answered")
    operations.rate(on_time, True, "", now=on_time.answered_at + timedelta(days=7))
    assert on_time.rating == "satisfied"


def test_unsatisfied_reopens_once_then_closes(app):
    item = to_status(make_item(), "answered")
    operations.rate(item, False, "Vẫn còn đá trên đường")
    assert item.status == "accepted" and item.reopen_count == 1 and item.closed_at is None
    assert item.rating == "unsatisfied" and item.rating_comment == "Vẫn còn đá trên đường"
    last = events_of(item)[-1]
    assert (last.action, last.to_status, last.note) == (
        "rate_unsatisfied",
        "accepted",
        "Vẫn còn đá trên đường",
    )

    operations.staff_act(item, A.ANSWER, account(PROCESSOR), note="Đã dọn lần hai.")
    assert item.rating == ""  # the new answer can be rated
    operations.rate(item, False, "Vẫn chưa sạch")
    assert item.status == "closed" and item.reopen_count == 1 and item.closed_at is not None
    assert events_of(item)[-1].action == "rate_unsatisfied_final"
    with pytest.raises(operations.FeedbackError):
        operations.rate(item, True, "")


def test_rating_comment_is_capped(app):
    item = to_status(make_item(), "answered")
    operations.rate(item, True, "x" * 5000)
    assert len(item.rating_comment) == 1000


# ------------------------------------------------------------------------------------------ deadlines, codes

TUESDAY_10AM = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 in Sơn La; no holiday in March 2026


@pytest.mark.parametrize(
    ("category", "days", "due"),
    [
        ("thien-tai", 1, date(2026, 3, 11)),
        ("an-ninh-trat-tu", 5, date(2026, 3, 17)),
        ("giao-thong", 15, date(2026, 3, 31)),
    ],
)
def test_category_response_days_drive_the_due_date(app, category, days, due):
    assert db.session.get(FeedbackCategory, category_id(category)).response_days == days
    item = make_item(category=category, now=TUESDAY_10AM)
    assert item.received_on == date(2026, 3, 10)
    assert item.due_on == due


def test_a_changed_category_deadline_applies_to_new_items(app):
    db.session.get(FeedbackCategory, category_id("giao-thong")).response_days = 3
    assert make_item(now=TUESDAY_10AM).due_on == date(2026, 3, 13)


def test_after_closing_time_the_count_starts_the_next_working_day(app):
    friday_evening = datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # 18:00 local
    item = make_item(category="thien-tai", now=friday_evening)
    assert item.received_on == date(2026, 3, 16)  # Monday
    assert item.due_on == date(2026, 3, 17)


def test_codes_are_sequential_per_local_day(app):
    evening = datetime(2025, 11, 24, 16, 30, tzinfo=UTC)  # 23:30 on the 24th in Sơn La
    codes = [make_item(now=evening).code for _ in range(3)]
    assert codes == ["PA-251124-0001", "PA-251124-0002", "PA-251124-0003"]
    after_midnight = datetime(2025, 11, 24, 17, 30, tzinfo=UTC)  # 00:30 on the 25th in Sơn La
    assert make_item(now=after_midnight).code == "PA-251125-0001"
    assert make_item(now=evening).code == "PA-251124-0004"


def test_token_is_long_random_and_only_its_hash_is_stored(app):
    submission = operations.Submission(
        category_id=category_id(),
        title="Đèn đường hỏng",
        description="Đèn đường hỏng ba hôm nay.",
        admin_unit_code="03670",
        address="",
        latitude=None,
        longitude=None,
        contact_name="",
        phone="+84912345678",
        email="",
        show_name=False,
        locale="vi",
    )
    item, token = operations.submit(submission, None)
    other, other_token = operations.submit(submission, None)
    assert len(token) >= 32 and token != other_token
    assert item.token_hash == operations.hash_token(token) and token not in item.token_hash
    # Routed by category and commune (a road in Phường Chiềng Cơi: that ward's People's Committee).
    assert item.agency_id == operations.route(db.session.get(FeedbackCategory, category_id()), "03670")
    assert item.agency_id != agency_id(TO_HIEU)


def test_too_many_photos_or_inactive_category_are_refused(app):
    from tests.support.files import jpeg_bytes

    with pytest.raises(operations.FeedbackError) as refused:
        make_item(photos=tuple(jpeg_bytes(size=(50, 50)) for _ in range(6)))
    assert refused.value.reason == "too_many_photos"
    db.session.get(FeedbackCategory, category_id("giao-thong")).is_active = False
    with pytest.raises(operations.FeedbackError) as refused:
        make_item()
    assert refused.value.reason == "category"
