"""Issue 11 items 11 and 13, through the pages: lists in Vietnamese order, no English message or raw code in
Vietnamese pages, money written one way per language. Each test names the defect it guards against; each
failed on the code before the fix."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.calendar.admin_operations import add_calendar_day
from portal.domain.collation import sort_key
from portal.domain.dossier_status import DossierAction as DA
from portal.dossiers import operations as dossier_operations
from portal.extensions import db
from portal.i18n import vnd
from portal.payments import operations as payment_operations
from portal.payments.models import Payment
from tests.support.clients import fresh_client, sign_in
from tests.support.dossiers import make_dossier
from tests.support.factories import fresh


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def options(body: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', body, re.S)
    assert block, select_id
    return [unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", block[1], re.S)]


def client_in(app, language: str, who: str | None = None, number: int = 1):
    client = fresh_client(app, remote_addr=f"10.12.0.{number}")
    if who:
        sign_in(client, fresh(who))
    client.set_cookie("portal_lang", language)
    return client


def paid_dossier():
    """A dossier of Tô Hiệu ward whose fee (15.000 ₫) was paid by bank transfer."""
    dossier = make_dossier(received=True)
    processor = fresh("processor")
    dossier_operations.staff_act(dossier, DA.START, processor)
    dossier_operations.staff_act(dossier, DA.REQUEST_FEE, processor)
    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    payment_operations.apply_credit(payment, payment.amount_vnd, dossier.submitted_at + timedelta(hours=1))
    return dossier, payment


# --- item 13 -----------------------------------------------------------------------------------------------
def test_the_sign_in_prompt_is_in_vietnamese(app):
    """Flask-Login flashed its English default, "Please log in to access this page.", on Vietnamese pages."""
    page = text_of(client_in(app, "vi").get("/dossiers/mine", follow_redirects=True))
    assert "Vui lòng đăng nhập để xem trang này." in page
    assert "Please log in" not in page
    english = text_of(client_in(app, "en", number=2).get("/dossiers/mine", follow_redirects=True))
    assert "Please log in to access this page." in english


@pytest.mark.parametrize(
    ("language", "label", "amount"),
    [("vi", "Đã nộp phí, lệ phí", "15.000 ₫"), ("en", "Fees paid", "15,000 ₫")],  # one wording for a payment
)
def test_the_citizen_timeline_names_the_payment(app, language, label, amount):
    """The timeline showed `payment_received` and the note "SL… 15000" (reference and bare amount)."""
    dossier, payment = paid_dossier()
    client = client_in(app, language, "admin")  # the province admin sees the citizen's page of any dossier
    page = text_of(client.get(f"/dossiers/{dossier.code}"))
    assert "payment_received" not in page
    assert label in page
    assert f"{payment.reference} · {amount}" in page
    assert f"{payment.reference} {payment.amount_vnd}" not in page


def test_the_staff_timeline_names_claims(app):
    """Taking a case and giving it back (the queue's `claim`/`release`) showed as codes on the item page."""
    from portal.staff.operations import claim, release

    dossier = make_dossier(received=True)
    processor = fresh("processor")
    claim("dossier", dossier.id, processor)
    release("dossier", dossier.id, processor)
    page = text_of(client_in(app, "vi", "leader").get(f"/staff/dossiers/{dossier.code}"))
    assert "Cán bộ nhận xử lý" in page and "Trả lại hàng chờ" in page
    assert not re.search(r"\b(claim|release)\b", page)


def test_the_account_page_names_its_events_without_codes(app):
    """The admin's account page wrote `account_created`, `login` beside (or instead of) their names."""
    member = fresh("processor")
    sign_in(fresh_client(app, remote_addr="10.12.0.9"), member)  # a `login` event
    page = text_of(client_in(app, "vi", "admin").get(f"/staff/admin/accounts/{member.id}"))
    assert "Tạo tài khoản" in page and "Đã đăng nhập" in page
    assert "account_created" not in page and not re.search(r"\blogin\b", page)


def test_the_audit_log_names_statuses_roles_and_amounts(app):
    """/staff/audit showed "4 → 6" (status numbers), `processor` (a role) and "SL… 15000"."""
    dossier, payment = paid_dossier()
    client = client_in(app, "vi", "admin")
    page = text_of(client.get(f"/staff/audit?subject_type=dossier&subject={dossier.code}"))
    assert "Đang xử lý → Chờ nộp phí, lệ phí" in page  # status 4 → 6 by dossiers.labels.STATUS
    assert not re.search(r"\b\d{1,2} → \d{1,2}\b", page)
    assert f"{payment.reference} · 15.000 ₫" in page
    member = fresh("processor")
    accounts = text_of(client.get(f"/staff/audit?subject_type=account&subject={member.email}"))
    assert "Tạo tài khoản" in accounts and "Cán bộ xử lý" in accounts  # the note "processor"
    assert not re.search(r"\bprocessor\b", accounts.replace(member.email, ""))


def test_feedback_statuses_in_the_audit_log_are_named(app):
    from portal.domain.feedback_status import FeedbackAction
    from portal.feedback import operations as feedback_operations
    from tests.support.feedback import make_item

    item = make_item()
    feedback_operations.staff_act(item, FeedbackAction.ACCEPT, fresh("processor"))
    page = text_of(
        client_in(app, "vi", "admin").get(f"/staff/audit?subject_type=feedback&subject={item.code}")
    )
    assert "Chờ tiếp nhận → Đang xử lý" in page  # new → accepted
    assert "new → accepted" not in page


def test_an_admin_change_note_is_read_in_words(app):
    """Change notes were raw JSON: {"after": {"is_active": false}, "before": {"is_active": true}}."""
    from portal.agencies.admin_operations import set_agency_active
    from tests.support.factories import make_agency

    agency = make_agency()
    set_agency_active(agency, fresh("admin"), False)
    page = text_of(
        client_in(app, "vi", "admin").get(f"/staff/audit?subject_type=agency&subject={agency.code}")
    )
    assert "Ngừng hoạt động cơ quan" in page
    assert "Đang hoạt động: Có → Không" in page
    assert "is_active" not in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_admin_calendar_writes_day_month_year(app, language):
    """The announced days were written "Saturday, April 26, 2025" (month first) on the admin calendar."""
    add_calendar_day(
        fresh("admin"), day=date(2027, 4, 24), kind="workday", reason="Làm bù", legal_reference=""
    )
    page = text_of(client_in(app, language, "admin").get("/staff/admin/calendar"))
    weekday = "Thứ Bảy" if language == "vi" else "Saturday"
    assert f"{weekday}, 24/04/2027" in page
    assert not re.search(
        r"\b(January|February|March|April|May|June|July|August|September|October|"
        r"November|December) \d{1,2}, \d{4}",
        page,
    )


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("vi", 20000, "20.000\u00a0₫"),  # Babel's Vietnamese form, VIETNAM.md §10
        ("vi", 1500000, "1.500.000\u00a0₫"),
        ("en", 20000, "20,000\u00a0₫"),  # was "₫20,000": now the amount first in both languages
        ("en", 1500000, "1,500,000\u00a0₫"),
        ("en", 0, "0\u00a0₫"),
    ],
)
def test_money_is_one_form_per_language(app, language, amount, shown):
    with app.test_request_context(f"/?lang={language}"), force_locale(language):
        assert vnd(amount) == shown


# --- item 11 -----------------------------------------------------------------------------------------------
def test_commune_lists_are_in_vietnamese_order(app):
    """Python's order put "Xã Bình Thuận" before "Xã Bắc Yên" and "Xã Bó Sinh" after it (ắ > i, o)."""
    body = client_in(app, "vi").get("/feedback/new").get_data(as_text=True)
    communes = options(body, "commune")[1:]  # after "Choose…"
    assert communes.index("Xã Bắc Yên") < communes.index("Xã Bình Thuận") < communes.index("Xã Bó Sinh")
    assert communes == sorted(communes, key=sort_key)


def test_agency_lists_are_in_vietnamese_order(app):
    body = client_in(app, "vi", "admin").get("/staff/admin/accounts/new").get_data(as_text=True)
    agencies = options(body, "agency")[1:]
    communes = [name for name in agencies if name.startswith("UBND Xã")]
    # b-ắ < b-ì < b-ó; Đ after every D and before E: "Đoàn Kết" after "Co Mạ", before "Gia Phù".
    assert (
        communes.index("UBND Xã Bắc Yên")
        < communes.index("UBND Xã Bình Thuận")
        < communes.index("UBND Xã Bó Sinh")
    )
    assert (
        communes.index("UBND Xã Co Mạ")
        < communes.index("UBND Xã Đoàn Kết")
        < communes.index("UBND Xã Gia Phù")
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_category_lists_are_alphabetical_with_other_last(app, language):
    """Categories came in seed order ("Cấp, thoát nước", "Đất đai", … "An ninh trật tự", "Khác")."""
    body = client_in(app, language).get("/feedback/new").get_data(as_text=True)
    # The picker is radio buttons, each with its icon and name (issue 13 item 6).
    categories = [
        unescape(name) for name in re.findall(r'class="category-choice">.*?<span>([^<]+)</span>', body)
    ]
    assert categories[-1] == ("Khác" if language == "vi" else "Other")
    assert categories[:-1] == sorted(categories[:-1], key=sort_key)
    if language == "vi":
        assert categories.index("An ninh trật tự") == 0  # A first, although seeded fifth
        assert categories.index("Đất đai") > categories.index("Cấp, thoát nước")


def test_procedure_lists_are_in_vietnamese_order(app):
    body = client_in(app, "vi").get("/procedures").get_data(as_text=True)
    areas = options(body, "area")[1:]
    assert areas == sorted(areas, key=sort_key)
    agencies = options(body, "agency")[1:]
    assert agencies == sorted(agencies, key=sort_key)


def test_the_staff_queue_dropdowns_are_in_order_in_both_languages(app):
    for number, language in enumerate(("vi", "en"), 1):
        body = client_in(app, language, "processor", number).get("/staff/queue").get_data(as_text=True)
        for select_id in ("commune", "category", "procedure"):
            if f'id="{select_id}"' not in body:
                continue
            labels = options(body, select_id)[1:]
            if select_id == "category":
                labels = labels[:-1]  # "Other" last
            assert labels == sorted(labels, key=sort_key), (language, select_id)


# --- item 12, through the public feed (its indexed search: FTS5 on SQLite, trigrams on PostgreSQL) ----------
@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("Đường vào nhà bà H'Hen Niê bị sạt", "Hʼ Hen"),  # typed with U+02BC, stored with ASCII '
        ("Đường vào nhà bà Hʼ Hen Niê bị sạt", "H'Hen"),  # and the other way round
        ("Đường vào nhà bà H\u2019Hen Niê bị sạt", "h hen nie"),
        ("Cống thoát nước xã \u00d0oàn Kết bị tắc", "Đoàn Kết"),  # Ð U+00D0 from an old-font text
        ("Cống thoát nước xã Đoàn Kết bị tắc", "ĐOÀN ＫẾＴ"),  # full-width letters in the query
    ],
)
def test_the_feed_finds_every_spelling(app, title, query):
    from tests.support.feedback import make_item, publish

    item = publish(make_item(title=title))
    page = client_in(app, "vi").get("/feedback", query_string={"q": query}).get_data(as_text=True)
    assert f"/feedback/{item.code}" in page, (title, query)
