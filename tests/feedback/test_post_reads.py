"""A plain report post asks its questions in one statement (portal/feedback/post_reads.py; bench/notes/submit5.md):
the item already sent with the form's nonce, whether the form has drafts, and the category × commune row. Its
answers are the separate statements' answers, and every page a post gets is the one the separate statements
gave (each post below is sent both ways and compared)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import event, exists, func, select

from portal import form_nonce
from portal.agencies.models import Agency
from portal.calendar.disasters import DisasterCommune
from portal.calendar.models import CalendarVersion
from portal.choices import PreparedChoices
from portal.disasters import operations as disasters
from portal.extensions import db
from portal.feedback import form_page, operations, post_reads, queries
from portal.feedback import routes as feedback_routes
from portal.feedback.models import Feedback, FeedbackCategory
from portal.places.models import AdminUnit
from portal.uploads import drafts
from portal.uploads.drafts import UploadDraft
from tests.support.clients import fresh_client
from tests.support.double_post import ALREADY_SENT, hidden_fields
from tests.support.factories import make_account
from tests.support.feedback import by_code, category_id, form_data, receipt_code
from tests.support.files import jpeg_bytes

COMMUNE = "03670"
GONE_CATEGORY, GONE_COMMUNE = 999_999, "99999"


def opened(client) -> dict:
    return hidden_fields(client.get("/feedback/new").get_data(as_text=True))


def post(client, hidden: dict, photo: bool = False, **overrides):
    data = form_data(email="", **overrides) | hidden
    if photo:
        data["photos"] = [(io.BytesIO(jpeg_bytes()), "den.jpg")]
    return client.post("/feedback/new", data=data, content_type="multipart/form-data")


def separately(category: int, unit: str, nonce: str) -> tuple | None:
    """Each question asked on its own, as before the one statement (the ORM's objects, plain queries)."""
    found = db.session.get(FeedbackCategory, category), db.session.get(AdminUnit, unit)
    stored, key = form_nonce.stored(operations.FORM, nonce), drafts.key(operations.FORM, nonce)
    sent = queries.by_form_nonce(stored)
    if None in found:
        return None
    return (
        found,
        db.session.scalar(select(CalendarVersion.token).where(CalendarVersion.id == 1)),
        db.session.scalar(select(exists().where(DisasterCommune.admin_unit_code == unit))),
        db.session.scalar(select(Agency.id).where(Agency.admin_unit_code == unit)),
        sent.id if sent else None,
        bool(db.session.scalar(select(func.count(UploadDraft.id)).where(UploadDraft.form_key == key))),
    )


def together(category: int, unit: str, nonce: str) -> tuple | None:
    reads = post_reads.read(
        category, unit, form_nonce.stored(operations.FORM, nonce), drafts.key(operations.FORM, nonce)
    )
    if reads is None:
        assert post_reads.reference(category, unit) is None
        return None
    ref = reads.reference
    assert post_reads.reference(category, unit) == ref and ref.answers(category, unit)
    return (
        (ref.category, ref.unit),
        ref.calendar_token,
        ref.disaster_declared,
        ref.commune_agency,
        reads.sent_id,
        reads.has_drafts,
    )


def test_the_one_statement_answers_as_the_separate_ones(app):
    client = fresh_client(app, remote_addr="198.51.100.150")
    fresh, sent, drafted = opened(client)["nonce"], opened(client)["nonce"], opened(client)["nonce"]
    assert post(client, {"nonce": sent}).status_code == 302
    assert post(client, {"nonce": drafted}, photo=True, title="").status_code == 400  # its photo kept
    inactive = category_id("dien-chieu-sang")
    db.session.get(FeedbackCategory, inactive).is_active = False
    disasters.declare(
        make_account("leader"),
        disasters.Declared(
            kind="landslide",
            communes=["03646"],
            starts_on=date(2026, 12, 7),
            ends_on=date(2026, 12, 11),
            locate_by="place",
            legal_basis="Quyết định số 12/QĐ-UBND công bố tình huống bất khả kháng",
        ),
    )
    db.session.commit()
    roads = category_id()
    department = db.session.scalar(
        select(FeedbackCategory.id).where(FeedbackCategory.default_agency_id.is_not(None)).limit(1)
    )
    cases = {
        "nothing sent, no drafts": (roads, COMMUNE, fresh),
        "already sent": (roads, COMMUNE, sent),
        "drafts kept": (roads, COMMUNE, drafted),
        "a department's category": (department, COMMUNE, fresh),
        "a disaster declared": (roads, "03646", fresh),
        "a made-up nonce": (roads, COMMUNE, "x" * 48),
        "inactive category": (inactive, COMMUNE, sent),
        "unknown category": (GONE_CATEGORY, COMMUNE, sent),
        "unknown commune": (roads, GONE_COMMUNE, drafted),
    }
    answers = {name: (together(*case), separately(*case)) for name, case in cases.items()}
    for name, (one, apart) in answers.items():
        assert one == apart, name
    assert answers["already sent"][0][4] == by_code(receipt_code(client)).id
    assert answers["drafts kept"][0][5] and not answers["nothing sent, no drafts"][0][5]
    assert answers["a disaster declared"][0][2] and not answers["nothing sent, no drafts"][0][2]
    assert answers["inactive category"][0][0][0].is_active is False
    assert answers["unknown category"][0] is None and answers["unknown commune"][0] is None


def with_stale_choices(monkeypatch, category: int | None = None, commune: str | None = None) -> None:
    """The form's lists as a page opened earlier had them: a category or commune since removed or closed is
    still offered (posted_form.py reads the post without the form; the operation must refuse it)."""
    real = form_page.choices

    def stale():
        categories, communes = real()
        pairs = [(c.value, c.label) for c in categories.choices]
        units = [(c.value, c.label) for c in communes.choices]
        return (
            PreparedChoices(pairs + ([(category, "Đã bỏ")] if category else []), int),
            PreparedChoices(units + ([(commune, "Đã bỏ")] if commune else []), str),
        )

    monkeypatch.setattr(form_page, "choices", stale)


def both_ways(app, monkeypatch, send) -> list:
    """`send(client, n)` once with the one statement and once with each question asked on its own (the way
    before it); each returns what the citizen got."""
    results = []
    for n, together in ((160, True), (170, False)):
        with monkeypatch.context() as patch:
            if not together:
                patch.setattr(feedback_routes, "_post_reads", lambda form, nonce: None)
            results.append(send(fresh_client(app, remote_addr=f"198.51.100.{n}"), n))
    return results


def masked(response) -> tuple[int, str, str]:
    page = re.sub(r'(name="nonce"[^>]*value=")[^"]+', r"\1-", response.get_data(as_text=True))
    return response.status_code, response.headers.get("Location", ""), page


@pytest.mark.parametrize(
    "refusal",
    ["unknown category", "unknown commune", "inactive category", "no agency for the commune"],
)
def test_a_refused_category_or_commune_gets_the_same_page(app, monkeypatch, refusal):
    fields: dict = {}
    if refusal == "unknown category":
        with_stale_choices(monkeypatch, category=GONE_CATEGORY)
        fields["category"] = str(GONE_CATEGORY)
    elif refusal == "unknown commune":
        with_stale_choices(monkeypatch, commune=GONE_COMMUNE)
        fields["commune"] = GONE_COMMUNE
    elif refusal == "inactive category":
        db.session.get(FeedbackCategory, category_id()).is_active = False
        db.session.commit()
        with_stale_choices(monkeypatch, category=category_id())
    else:  # a commune-routed category, in a commune whose People's Committee is not set up
        db.session.execute(
            Agency.__table__.update().where(Agency.admin_unit_code == COMMUNE).values(admin_unit_code=None)
        )
        db.session.commit()
    before = db.session.scalar(select(func.count(Feedback.id)))

    def send(client, n):
        return masked(post(client, opened(client), phone="0912345160", **fields))

    got = both_ways(app, monkeypatch, send)
    assert got[0] == got[1] and got[0][0] == 400
    assert db.session.scalar(select(func.count(Feedback.id))) == before


def test_a_form_sent_again_from_its_own_browser_gets_its_receipt(app, monkeypatch):
    def send(client, n):
        hidden = opened(client)
        assert post(client, hidden, phone=f"0912345{n:03d}").status_code == 302
        first = receipt_code(client)
        written: list[str] = []

        def note(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                written.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            again = post(client, hidden, phone=f"0912345{n:03d}")
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        page = client.get("/feedback/receipt").get_data(as_text=True)
        # Found before anything is written (not by the unique index refusing a second item).
        return again.status_code, again.headers["Location"], first in page, ALREADY_SENT in page, written

    before = db.session.scalar(select(func.count(Feedback.id)))
    got = both_ways(app, monkeypatch, send)
    assert got[0] == got[1] == (302, "/feedback/receipt", True, True, [])
    assert db.session.scalar(select(func.count(Feedback.id))) == before + 2


def test_a_form_sent_again_from_another_browser_names_no_report(app, monkeypatch):
    def send(client, n):
        hidden = opened(client)
        assert post(client, hidden, phone=f"0912345{n:03d}").status_code == 302
        stranger = fresh_client(app, remote_addr=f"198.51.100.{n + 1}")
        stranger.get("/feedback/new")
        return masked(post(stranger, hidden, phone="0987654321"))

    got = both_ways(app, monkeypatch, send)
    assert got[0] == got[1] and got[0][0] == 409 and ALREADY_SENT in got[0][2]


def test_the_drafts_of_the_form_go_into_the_report(app, monkeypatch):
    def send(client, n):
        hidden = opened(client)
        assert post(client, hidden, photo=True, title="", phone=f"0912345{n:03d}").status_code == 400
        assert post(client, hidden, phone=f"0912345{n:03d}").status_code == 302  # no photo chosen again
        item = by_code(receipt_code(client))
        key = drafts.key(operations.FORM, hidden["nonce"])
        left = db.session.scalar(select(func.count(UploadDraft.id)).where(UploadDraft.form_key == key))
        return len(item.photos), left

    assert both_ways(app, monkeypatch, send) == [(1, 0), (1, 0)]


@pytest.mark.parametrize("page", ["personal-details warning", "inactive category"])
@pytest.mark.parametrize("kept", [True, False])
def test_a_page_shown_again_lists_the_kept_photos_as_before(app, monkeypatch, page, kept):
    """The plain post's answer on drafts decides whether they are listed: the page is the one the separate
    look-up gave, with the kept photo or without any, and a page without drafts asks nothing more."""
    fields = (
        {"description": "Gọi tôi số 0912 345 391 nhé, đèn vẫn hỏng."} if page.startswith("personal") else {}
    )
    if page == "inactive category":
        db.session.get(FeedbackCategory, category_id()).is_active = False
        db.session.commit()
        with_stale_choices(monkeypatch, category=category_id())

    def send(client, n):
        hidden = opened(client)
        if kept:
            assert post(client, hidden, photo=True, title="", phone="0912345160").status_code == 400
        seen: list[str] = []

        def note(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            response = post(client, hidden, phone="0912345160", **fields)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        status, _location, body = masked(response)
        body = re.sub(r'name="remove_photo" value="\d+"', "remove", body)  # the draft's own id
        lists = sum(" ".join(s.split()).startswith("SELECT photo_drafts.") for s in seen)  # the drafts listed
        return status, body, "den.jpg" in body, lists

    one, apart = both_ways(app, monkeypatch, send)
    assert one[:3] == apart[:3] and one[0] == (200 if page.startswith("personal") else 400)
    assert one[2] is kept
    assert (
        one[3] == (apart[3] if kept else 0) and apart[3] > 0
    )  # no listing where the one statement found none
