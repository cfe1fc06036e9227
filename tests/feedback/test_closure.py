"""portal/feedback/closure.py: answering as fixed (after photo required by the category), the "is it fixed?"
question (once, reopening once), the job closing unanswered questions (twice changes nothing), and the
5.2 figure of a reopened item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.calendar.queries import LOCAL_TZ, local_now
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import closure, deadlines, operations
from portal.feedback.models import FeedbackCategory
from portal.statistics.queries import feedback as fq
from portal.statistics.queries.sql import Period, Scope
from portal.uploads import storage
from portal.uploads.images import ImageRejected
from tests.support.factories import account
from tests.support.feedback import events_of, make_item
from tests.support.files import jpeg_bytes

pytestmark = pytest.mark.usefixtures("app")


def category(slug: str) -> FeedbackCategory:
    return db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == slug))


def accepted(slug: str = "giao-thong"):
    """An item sent 10 days ago and accepted (a reopening today then restarts a later deadline)."""
    item = make_item(category=slug, now=utcnow() - timedelta(days=10))
    operations.staff_act(item, A.ACCEPT, account("processor"))
    return item


def fixed(item, photo: bytes | None = None):
    return closure.answer_fixed(item, account("processor"), "Đã san lấp ổ gà.", photo or jpeg_bytes())


def actions(item) -> list[str]:
    return [event.action for event in events_of(item)]


def test_the_seed_sets_place_based_categories():
    road, water, waste, land = (
        category(s) for s in ("giao-thong", "cap-thoat-nuoc", "moi-truong", "dat-dai")
    )
    assert (road.after_photo_required, road.fix_check) == (True, "confirm")
    assert (water.after_photo_required, water.fix_check) == (True, "confirm")
    assert (waste.after_photo_required, waste.fix_check) == (True, "ask")
    assert (land.after_photo_required, land.fix_check) == (False, "off")


def test_answering_as_fixed_without_the_required_photo_is_refused_and_changes_nothing():
    item = accepted()
    before = actions(item)
    with pytest.raises(operations.FeedbackError) as refused:
        closure.answer_fixed(item, account("processor"), "Đã sửa.", None)
    assert refused.value.reason == "after_photo"
    assert item.status == "accepted" and item.fixes == [] and actions(item) == before


def test_a_file_that_is_not_a_photo_is_refused_before_the_answer():
    item = accepted()
    with pytest.raises(ImageRejected):
        closure.answer_fixed(item, account("processor"), "Đã sửa.", b"%PDF-1.4 not a photo")
    assert item.status == "accepted" and item.answer == ""


def test_answer_as_fixed_stores_the_after_photo_encrypted_and_asks():
    item = accepted()
    result = fixed(item)
    fix = result.fix
    assert item.status == "answered" and result.notice is not None and result.notice.action is A.ANSWER
    assert fix.stored_name and fix.thumbnail_name and fix.width and fix.height
    raw = storage.read(fix.stored_name)
    assert raw.startswith(b"\xff\xd8")  # re-encoded JPEG, read back through the store
    assert result.token and fix.token_hash == sha256_hex(result.token) and fix.reply == ""
    today = local_now().date()
    days = closure.configured_days()
    assert fix.reply_by is not None and fix.reply_by >= today + timedelta(
        days=days
    )  # working days ≥ calendar
    assert fix.answered_on == today and fix.due_on == item.due_on
    assert actions(item)[-2:] == ["answer", "fixed"]
    assert closure.find(item.code, result.token) is fix
    assert closure.find(item.code.lower(), result.token) is fix
    assert closure.find(item.code, result.token + "x") is None


def test_a_category_without_a_question_records_the_fix_only():
    item = accepted("dat-dai")  # no photo required, no question
    result = closure.answer_fixed(item, account("processor"), "Đã giải quyết.", None)
    assert result.token is None and result.fix.token_hash is None and result.fix.stored_name is None


def test_yes_is_recorded_once_and_a_second_reply_does_nothing():
    item = accepted()
    fix = fixed(item).fix
    assert closure.reply(fix, True, "Cảm ơn") is A.FIX_CONFIRMED
    events = actions(item)
    assert closure.reply(fix, False, "Đổi ý") is None
    assert (fix.reply, fix.comment, item.status) == ("yes", "Cảm ơn", "answered")
    assert actions(item) == events


def test_no_reopens_once_with_a_new_deadline_and_a_second_no_is_only_recorded():
    item = accepted()
    first = fixed(item).fix
    original_due = item.due_on
    assert closure.reply(first, False, "Vẫn còn ổ gà") is A.FIX_DENIED
    assert item.status == "accepted" and first.reopened and item.restarted_at is not None
    assert item.due_on == deadlines.compute(item).answer_by and item.due_on > original_due
    assert item.queue_due is not None  # back in the staff queue
    second = fixed(item).fix
    assert closure.reply(second, False, "Vẫn chưa") is A.FIX_DENIED_FINAL
    assert item.status == "answered" and not second.reopened
    assert actions(item)[-1] == "fix_denied_final"


def expire_all() -> int:
    return closure.expire(local_now().date() + timedelta(days=60))


def test_the_job_reopens_where_confirmation_is_asked_and_running_it_again_changes_nothing():
    confirm, ask = accepted("giao-thong"), accepted("moi-truong")
    fix_confirm, fix_ask = fixed(confirm).fix, fixed(ask).fix
    assert closure.expire(local_now().date()) == 0  # nothing past its last day yet
    first = expire_all()
    assert first >= 2
    assert (fix_confirm.reply, fix_confirm.reopened, confirm.status) == ("silent", True, "accepted")
    assert (fix_ask.reply, fix_ask.reopened, ask.status) == ("silent", False, "answered")
    assert actions(confirm)[-1] == "fix_unanswered_reopen" and actions(ask)[-1] == "fix_unanswered"
    events = db.session.scalar(select(func.count(Event.id)))
    assert expire_all() == 0
    assert db.session.scalar(select(func.count(Event.id))) == events
    assert closure.reply(fix_confirm, True, "") is None  # too late: closed


def test_the_silence_reopens_only_once():
    item = accepted()
    fixed(item)
    expire_all()
    assert item.status == "accepted"
    fixed(item)
    expire_all()
    assert item.status == "answered" and actions(item)[-1] == "fix_unanswered_final"


def test_the_command_is_registered(app):
    assert "fix-checks" in app.cli.commands


# ------------------------------------------------------------------------------------------- 766 (5.2)


def bucket(item) -> str:
    today = local_now().date()
    judged = fq.judged_feedback(Scope(), Period(today - timedelta(days=30), today))
    return next(b for item_id, b, _unsatisfied in judged if item_id == item.id)


def test_a_late_answer_reopened_keeps_the_item_late_whatever_the_final_answer():
    late, timely = accepted(), accepted()
    late.due_on = local_now().date() - timedelta(days=1)  # its first answer comes a day late
    fixed(late)
    fixed(timely)
    for item in (late, timely):
        closure.reply(item.fixes[-1], False, "")
    assert bucket(late) == "overdue" and bucket(timely) == "within"  # back in the queue
    for item in (late, timely):
        fixed(item)  # answered again within the new deadline
    assert late.due_on >= local_now().date() and timely.due_on >= local_now().date()
    assert bucket(late) == "late" and bucket(timely) == "on_time"


def test_the_reopening_is_dated_by_its_reply():
    item = accepted()
    fix = fixed(item).fix
    closure.reply(fix, False, "")
    assert fix.replied_at is not None and fix.replied_at <= utcnow()
    assert fix.replied_at.astimezone(LOCAL_TZ).date() == local_now().date()
