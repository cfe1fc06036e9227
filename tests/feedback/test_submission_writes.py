"""What a submission writes stays what it was while its cost went down (issue 17; bench/notes/submit2.md):
the consent rows (now one INSERT), the notice versions (now remembered by the process once committed),
the search keys (now folding the public key once), the calendar (its version token now read with the
category)."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select, text

from portal.calendar.queries import calendar_around, local_now, office_hours
from portal.domain.text import fold
from portal.domain.working_days import receipt_day
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import numbering, operations, public_key
from portal.feedback.models import Feedback
from portal.privacy import notices
from portal.privacy.models import Consent, ConsentNotice
from tests.calendar.test_routes_admin import free_working_day
from tests.support.clients import fresh_client
from tests.support.feedback import by_code, receipt_code, web_submit
from tests.support.files import jpeg_bytes


def sent(app, n: int, query: str = "", **fields):
    client = fresh_client(app, remote_addr=f"198.51.100.{n}")
    response = web_submit(client, query=query, phone=f"09123451{n:02d}", email="", **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return by_code(receipt_code(client))


def test_the_consent_rows_are_those_the_orm_wrote(app):
    """Every column of each row, as the ORM objects gave them: subject, account, purpose, the version of
    the very text shown, the time of the item's consent, channel, address, no officer, not withdrawn."""
    item = sent(app, 60, show_name="y", precise_pin="y")
    rows = db.session.scalars(
        select(Consent).where(Consent.subject_type == "feedback", Consent.subject_id == item.id)
    ).all()
    assert sorted(row.purpose for row in rows) == ["notice", "precise_pin", "publish_name"]
    with app.test_request_context("/feedback/new"):
        shown = {
            "notice": notices.feedback_notice(),
            "publish_name": notices.publish_name_notice(),
            "precise_pin": notices.precise_pin_notice(),
        }
    for row in rows:
        notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == row.notice_version))
        assert notice is not None and notice.text == shown[row.purpose] and notice.purpose == row.purpose
        assert (row.account_id, row.channel, row.officer_id) == (None, "web", None)
        assert row.ip_address == "198.51.100.60"
        assert row.given_at == item.consent_at and row.withdrawn_at is None and row.id is not None


def test_each_language_consents_to_its_own_text(app):
    vietnamese, english = sent(app, 61), sent(app, 62, query="?lang=en")
    versions = [
        db.session.scalar(
            select(Consent.notice_version).where(
                Consent.subject_type == "feedback", Consent.subject_id == item.id, Consent.purpose == "notice"
            )
        )
        for item in (vietnamese, english)
    ]
    texts = [
        db.session.scalar(select(ConsentNotice.text).where(ConsentNotice.version == v)) for v in versions
    ]
    assert versions[0] != versions[1]
    assert "I have read the personal-data notice" in texts[1] and "I have read" not in texts[0]


class Reads:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _connection, _cursor, sql, *_args) -> None:
        if "privacy_notices" in sql:
            self.statements.append(sql.split()[0])


@pytest.fixture
def notice_reads(app):
    reads = Reads()
    event.listen(db.engine, "before_cursor_execute", reads)
    yield reads
    event.remove(db.engine, "before_cursor_execute", reads)


def test_a_notice_version_is_read_once_per_process_but_only_once_committed(app, notice_reads):
    wording = f"A notice never shown before {secrets.token_hex(4)}"
    with app.test_request_context("/"):
        stored = notices.version_of(db.session, "notice", wording)  # a SELECT, the INSERT, a SELECT
        assert notices.version_of(db.session, "notice", wording) == stored  # stored here: read again
        assert notice_reads.statements == ["SELECT", "INSERT", "SELECT", "SELECT"]
        db.session.rollback()  # the row goes: the version must not be remembered
        notice_reads.statements.clear()
        again = notices.version_of(db.session, "notice", wording)
        assert notice_reads.statements == ["SELECT", "INSERT", "SELECT"]  # stored again
        assert db.session.scalar(select(ConsentNotice.version).where(ConsentNotice.version == again))
        db.session.commit()
        notice_reads.statements.clear()
        assert notices.version_of(db.session, "notice", wording) == again  # read once, then remembered
        assert notices.version_of(db.session, "notice", wording) == again
        assert notice_reads.statements == ["SELECT"]


def test_a_savepoint_rolled_back_does_not_let_an_uncommitted_version_be_remembered(app, notice_reads):
    """`after_rollback` fires for a savepoint too: the transaction's stored notices are forgotten only when
    the outermost transaction ends, or a version read after the savepoint's rollback would be remembered
    while its INSERT can still be rolled back (then every consent would name a missing version)."""
    wording = f"A notice never shown before {secrets.token_hex(4)}"
    with app.test_request_context("/"):
        stored = notices.version_of(db.session, "notice", wording)
        savepoint = db.session.begin_nested()
        savepoint.rollback()
        assert notices.version_of(db.session, "notice", wording) == stored  # its own row, not remembered
        db.session.rollback()  # the INSERT goes
        notice_reads.statements.clear()
        notices.version_of(db.session, "notice", wording)
        assert notice_reads.statements == ["SELECT", "INSERT", "SELECT"]  # stored again, not from memory
        db.session.rollback()


def test_submissions_read_the_notice_version_once(app, notice_reads):
    sent(app, 63)
    notice_reads.statements.clear()
    sent(app, 64)
    sent(app, 65)
    assert notice_reads.statements == []


def _old_search_keys(item) -> tuple[str, str]:
    """search_keys as it was: the whole text folded at once (the public key included, folded twice)."""
    public = public_key.build(
        item.code,
        item.title,
        item.description,
        item.public_title,
        item.public_description,
        (item.category.name, item.category.name_en),
        item.admin_unit.name if item.admin_unit else "",
    )
    if item.reporter_hidden:
        return public, fold(" ".join([public, item.address]))
    personal = (item.title, item.description, item.address, item.contact_name, item.phone)
    return public, fold(" ".join([public, *personal, item.phone.replace("+84", "0")]))


TEXTS = [
    "",
    " ",
    "Đèn đường không sáng ở bản Mòng",
    "Thu\u0301y Ho\u0300a  H'Hen Y’Điêng",  # NFD marks, apostrophes
    "\u0301 starts with a mark",
    "ＳƠＮ ＬＡ ﬁ İstanbul ß",  # full-width, a ligature, casefold's marks
    "zero\u200bwidth\u00adsoft \ufeffBOM\x1b",
    "Số 0912 345 678, pom@example.com",
]


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("first", TEXTS)
def test_the_search_keys_are_the_ones_folding_everything_gave(first, hidden):
    for second in TEXTS:
        item = SimpleNamespace(
            code="PA-261206-0042",
            title=first,
            description=second,
            public_title=None,
            public_description=second or None,
            category=SimpleNamespace(name=second, name_en="Roads"),
            admin_unit=SimpleNamespace(name=first) if second else None,
            reporter_hidden=hidden,
            address=second,
            contact_name=first,
            phone="+84912345678" if first else "",
        )
        assert operations.search_keys(item) == _old_search_keys(item), (first, second)


def test_a_submission_counts_its_days_with_a_calendar_changed_by_another_node(app):
    """The token comes with the category's row: a change another node committed is used at once."""
    before = sent(app, 66)
    now = local_now()
    start = receipt_day(calendar_around(now.date()), now, office_hours().closing)
    day_off = free_working_day(start)
    assert day_off <= before.due_on
    db.session.execute(
        text("INSERT INTO calendar_days (day, kind, reason, legal_reference) VALUES (:day, 'off', 'x', '')"),
        {"day": day_off},
    )
    db.session.execute(
        text(
            "INSERT INTO calendar_version (id, token) VALUES (1, :token) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
        ),
        {"token": f"another-node-{secrets.token_hex(4)}"},
    )
    after = sent(app, 67)
    assert after.category_id == before.category_id
    assert after.due_on == calendar_around(after.due_on).next_working_day(before.due_on)


def test_the_timeline_line_is_the_one_record_wrote(app, login, client):
    """Every column, for a citizen signed in and for one who is not."""
    anonymous = sent(app, 68)
    login("congdan@demo.sonla.vn")
    assert web_submit(client, phone="0912345169", email="").status_code == 302
    signed_in = by_code(receipt_code(client))
    for item, address in ((anonymous, "198.51.100.68"), (signed_in, "127.0.0.1")):
        [line] = db.session.scalars(
            select(Event).where(Event.subject_type == "feedback", Event.subject_id == item.id)
        ).all()
        assert (line.action, line.from_status, line.to_status, line.note) == ("submitted", None, "new", "")
        assert line.is_public is True and line.ip_address == address
        assert line.actor_id == item.account_id
        assert item.submitted_at <= line.occurred_at
    assert anonymous.account_id is None and signed_in.account_id is not None


@pytest.mark.parametrize("photos", [(), ((jpeg_bytes(color=(3, 4, 5)), "den.jpg"),)])
def test_the_numbered_item_is_clean_in_the_session_and_kept_its_page_version(app, photos):
    """The code and keys written directly are the item's committed state: nothing is left to flush, and
    the page version is the one its INSERT wrote (a new item's: no page was kept under any other). With a
    photo the item is flushed, then numbered; without, numbered, then written by one INSERT."""
    client = fresh_client(app, remote_addr="198.51.100.70")
    seen: list = []
    name = "number" if photos else "insert_numbered"
    real = getattr(numbering, name)

    def watched(item, *args, **kwargs):
        real(item, *args, **kwargs)
        seen.append((item.id, db.session.is_modified(item), dict(item.__dict__)))

    setattr(numbering, name, watched)
    try:
        assert web_submit(client, photos=photos, phone="0912345170", email="").status_code == 302
    finally:
        setattr(numbering, name, real)
    [(item_id, modified, state)] = seen
    assert not modified
    stored = db.session.execute(
        select(Feedback.code, Feedback.search_key, Feedback.public_search_key, Feedback.page_version).where(
            Feedback.id == item_id
        )
    ).one()
    assert (state["code"], state["search_key"], state["public_search_key"]) == tuple(stored[:3])
    assert stored.code == receipt_code(client) and stored.page_version not in (None, 0)
    assert state["page_version"] == stored.page_version
