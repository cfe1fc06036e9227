"""The breach query (portal/privacy/breach.py, `flask --app portal affected`) on hand-made events: who was
touched in the window, put together by what identifies them, and nothing outside it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from portal.events.models import Event
from portal.extensions import db
from portal.privacy.breach import affected, moment
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.feedback import make_item

# A window in the past, where the suite's own events (all dated today) are not.
START = datetime(2020, 3, 1, 0, 0, tzinfo=UTC)
END = datetime(2020, 3, 2, 0, 0, tzinfo=UTC)


def event(kind: str, subject_id: int, at: datetime, action: str = "viewed") -> None:
    db.session.add(Event(subject_type=kind, subject_id=subject_id, action=action, occurred_at=at))
    db.session.flush()


def test_the_people_touched_in_the_window_and_only_them(app):
    dossier = make_dossier(phone="+84987000111", email="xuan@example.com", id_number="014190000999")
    same_person = make_item(phone="+84987000111", email="", contact_name="Lò Thị Xuân")  # the same phone
    other = make_item(phone="+84987000222", email="ba@example.com", contact_name="Quàng Văn Ba")
    outsider = make_item(phone="+84987000333", email="", contact_name="Cầm Thị Nọi")
    citizen = make_account("citizen", phone="+84987000444", full_name="Lường Văn Pâng")
    event("dossier", dossier.id, START + timedelta(hours=1))
    event("dossier", dossier.id, START + timedelta(hours=5), "file_downloaded")
    event("feedback", same_person.id, START + timedelta(hours=2))
    event("feedback", other.id, START)  # the first instant is inside
    event("account", citizen.id, END - timedelta(seconds=1))
    event("procedure", 1, START + timedelta(hours=3))  # no personal data
    event("feedback", outsider.id, START - timedelta(seconds=1))  # before the window
    event("feedback", outsider.id, END)  # the end is outside

    result = affected(START, END)

    assert result.events == 6 and result.other_subjects == {"procedure": 1}
    rows = {tuple(person.values("phone")): person.row() for person in result.people}
    assert set(rows) == {("+84987000111",), ("+84987000222",), ("+84987000444",)}
    xuan = rows[("+84987000111",)]
    assert sorted(xuan["records"]) == sorted([f"dossier:{dossier.code}", f"feedback:{same_person.code}"])
    assert xuan["id_numbers"] == ["014190000999"] and xuan["emails"] == ["xuan@example.com"]
    assert xuan["events"] == 3 and xuan["first"].startswith("2020-03-01T01:00")
    assert rows[("+84987000222",)]["names"] == ["Quàng Văn Ba"]
    assert rows[("+84987000444",)]["records"] == [f"account:{citizen.email}"]
    assert outsider.code not in json.dumps([person.row() for person in result.people])


def test_a_citizen_account_and_its_reports_are_one_person(app):
    citizen = make_account("citizen", phone=None, full_name="Lò Văn Xôm")
    item = make_item(phone="+84987000555", email="", contact_name="Lò Văn Xôm", citizen=citizen)
    event("account", citizen.id, START + timedelta(hours=1))
    event("feedback", item.id, START + timedelta(hours=2))
    [person] = affected(START, END).people
    assert len(person.records) == 2  # joined by the account the report was made from


def test_the_command_reads_vietnam_dates_and_writes_json(app):
    item = make_item(phone="+84987000666", email="", contact_name="Hà Thị Mai")
    # 2020-03-01 in Vietnam is 2020-02-29 17:00 to 2020-03-01 17:00 UTC.
    event("feedback", item.id, datetime(2020, 2, 29, 17, 30, tzinfo=UTC))
    event("feedback", item.id, datetime(2020, 3, 1, 17, 0, tzinfo=UTC))  # 00:00 on the 2nd in Vietnam
    result = app.test_cli_runner().invoke(
        args=["affected", "--from", "2020-03-01", "--to", "2020-03-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    people = json.loads(result.stdout)["people"]
    assert [person["phones"] for person in people] == [["+84987000666"]] and people[0]["events"] == 1
    assert "1 people" in result.stderr


def test_window_bounds_are_read_as_vietnam_time_unless_an_offset_is_given():
    assert moment("2026-12-01") == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert moment("2026-12-01", end=True) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert moment("2026-12-01T08:30") == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert moment("2026-12-01T08:30Z") == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def test_a_wide_window_gives_the_same_answer(app, monkeypatch):
    """On SQLite a window of more than WIDE events is read through ix_events_subject (a statement as text)."""
    from portal.privacy import breach

    item = make_item(phone="+84987000888", email="", contact_name="Tòng Văn Hải")
    event("feedback", item.id, START + timedelta(hours=1))
    event("feedback", item.id, START + timedelta(hours=2))
    narrow = [person.row() for person in affected(START, END).people]
    monkeypatch.setattr(breach, "WIDE", 0)
    wide = [person.row() for person in affected(START, END).people]
    assert wide == narrow and wide[0]["events"] == 2 and wide[0]["first"].startswith("2020-03-01T01:00")


def test_a_wide_window_looks_the_touched_ids_up_in_the_covering_subject_index(app):
    """A wide window's look-up of each kind's touched ids reads the kind's slice of ix_events_subject (no table
    row); through the time index it fetched and sorted every event's row once per kind (bench/README.md)."""
    from sqlalchemy import select, text

    from portal.feedback.models import Feedback
    from portal.privacy import breach

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by its statistics; the forced choice is SQLite's")
    query = select(Feedback.id).where(Feedback.id.in_(breach._touched_ids("feedback", START, END, wide=True)))
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "COVERING INDEX ix_events_subject" in plan and "TEMP B-TREE" not in plan


def test_the_command_writes_csv_cells_inert(app):
    item = make_item(phone="+84987000667", email="", contact_name='=HYPERLINK("http://evil.example")')
    event("feedback", item.id, datetime(2020, 3, 1, 3, 0, tzinfo=UTC))
    result = app.test_cli_runner().invoke(
        args=["affected", "--from", "2020-03-01", "--to", "2020-03-01", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][0] == "'" + '=HYPERLINK("http://evil.example")'
    assert rows[1][1] == "'+84987000667"
