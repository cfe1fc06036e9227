"""The code and the search keys a report gets from the daily counter, on both write paths: on PostgreSQL the
counter's upsert is in the statement that writes the item, which builds the code and the keys in SQL
(portal/feedback/numbered_statement.py); elsewhere they are built in Python. Either way they must be what
`feedback_code` and `public_key.search_keys` give for the number taken (expected codes worked out by hand)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.calendar.queries import local_now
from portal.domain.codes import feedback_code
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.feedback.public_key import search_keys
from portal.privacy.models import Consent
from portal.sequences import DailySequence
from tests.support.clients import fresh_client
from tests.support.feedback import by_code, receipt_code, web_submit


def _set_counter(day, value: int) -> None:
    counter = db.session.get(DailySequence, ("feedback", day))
    if counter is None:
        db.session.add(DailySequence(scope="feedback", day=day, last_value=value))
    else:
        counter.last_value = value
    db.session.commit()


def _submit(app, n: int, **overrides):
    client = fresh_client(app, remote_addr=f"198.51.100.{n}")
    fields = {"phone": f"09123451{n:02d}", "email": "", **overrides}
    return client, web_submit(client, **fields)


@pytest.mark.parametrize(
    ("last", "expected_digits"),
    [(4_998, "4999"), (9_998, "9999"), (9_999, "10000"), (123_455, "123456")],
)
def test_the_code_and_keys_are_the_numbers(app, last, expected_digits):
    day = local_now().date()
    _set_counter(day, last)  # (upwards only: the suite's earlier reports of the day hold the lower codes)
    client, response = _submit(app, 30, title="Cống bị tắc ở bản Hìn — số nhà 12")
    assert response.status_code == 302
    code = receipt_code(client)
    assert code == f"PA-{day:%y%m%d}-{expected_digits}"  # PA-YYMMDD-NNNN, at least four digits
    assert code == feedback_code(day, last + 1)
    item = by_code(code)
    assert (item.public_search_key, item.search_key) == search_keys(item)  # as Python builds them
    assert item.public_search_key.startswith(f"pa-{day:%y%m%d}-{expected_digits} cong bi tac o ban hin")
    assert db.session.get(DailySequence, ("feedback", day)).last_value == last + 1


def test_a_reporter_hidden_report_and_a_signed_in_one_get_the_same_keys_as_python_builds(app):
    day = local_now().date()
    _set_counter(day, 200_041)
    client, response = _submit(
        app, 31, title="Đường vào bản Púng", contact_name="Lò Thị Hoa", address="Bản Púng"
    )
    assert response.status_code == 302
    item = by_code(receipt_code(client))
    assert item.code == feedback_code(day, 200_042)
    assert (item.public_search_key, item.search_key) == search_keys(item)
    assert "lo thi hoa" in item.search_key and "lo thi hoa" not in item.public_search_key


def test_a_number_past_the_codes_range_writes_nothing_and_gives_the_number_back(app):
    day = local_now().date()
    counter = db.session.get(DailySequence, ("feedback", day))
    before = counter.last_value if counter else 0
    _set_counter(day, 999_999)  # the next would be 1,000,000: a code has at most six digits
    try:
        counts = [db.session.scalar(select(func.count(model.id))) for model in (Feedback, Event, Consent)]
        _client, response = _submit(app, 32)
        assert response.status_code == 500
        db.session.rollback()
        assert [db.session.scalar(select(func.count(m.id))) for m in (Feedback, Event, Consent)] == counts
        assert db.session.get(DailySequence, ("feedback", day)).last_value == 999_999
    finally:
        db.session.rollback()
        _set_counter(day, before)  # the later tests' reports of the day
