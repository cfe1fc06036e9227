"""Bank statement import (POST /staff/payments/statement): the webhook's matching, all or nothing, idempotent.

Columns (README "Bank statement import"): transaction_id, date, amount, description; UTF-8 with a
header row. Flash messages are read in English (the portal_lang cookie) after following the redirect.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.calendar.queries import LOCAL_TZ
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.payments.models import BankTransaction, Payment
from tests.support.payments import payment_of, signed

URL = "/staff/payments/statement"
LEADER, RECEPTIONIST, PROCESSOR, CITIZEN = (
    "leader",
    "receptionist",
    "processor",
    "citizen",
)
FINANCE, ADMIN, AGENCY_ADMIN = "finance", "admin", "agency_admin"
HEADER = "transaction_id,date,amount,description\n"


def snapshot() -> dict:
    db.session.expire_all()
    return {
        "transactions": db.session.execute(
            select(
                BankTransaction.bank_transaction_id,
                BankTransaction.state,
                BankTransaction.payment_id,
                BankTransaction.source,
            ).order_by(BankTransaction.id)
        ).all(),
        "payments": db.session.execute(
            select(Payment.reference, Payment.status, Payment.received_vnd).order_by(Payment.id)
        ).all(),
        "dossiers": db.session.execute(select(Dossier.code, Dossier.status).order_by(Dossier.id)).all(),
        "events": db.session.scalar(select(func.count(Event.id))),
    }


def row(transaction_id: str) -> BankTransaction | None:
    return db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == transaction_id)
    )


@pytest.fixture
def upload(client):
    """upload(content) posts a statement file; returns (status of the POST, text of the page it leads to)."""
    client.set_cookie("portal_lang", "en")

    def send(content: bytes | str, filename: str = "sao-ke.csv", field: str = "statement"):
        data = content.encode("utf-8") if isinstance(content, str) else content
        response = client.post(
            URL, data={field: (io.BytesIO(data), filename)}, content_type="multipart/form-data"
        )
        status, location = response.status_code, response.headers.get("Location", "")
        response.close()
        if status != 302:
            return status, ""
        assert location.endswith("/staff/payments"), location
        page = client.get(location)
        text = unescape(page.get_data(as_text=True))
        page.close()
        return status, text

    return send


@pytest.fixture
def finance(login):
    """The province's finance officer: the statements of the provincial fee account are theirs (policy.py)."""
    login(FINANCE)


def test_matching_lines_pay_and_unknown_ones_wait_for_staff(client, finance, upload):
    pending, underpaid = payment_of("Hà Văn Nam"), payment_of("Sồng A Chứ")
    rest = underpaid.amount_vnd - underpaid.received_vnd
    amount_text = f"{pending.amount_vnd // 1000}.{pending.amount_vnd % 1000:03d}"  # 20.000, as banks print it
    statement = (
        HEADER
        + f'ST-001,2026-11-23 10:15:00,"{amount_text}",'
        + f"MBVCB.1.{pending.reference.lower()}.CT tu HA VAN NAM\n"
        + f'ST-002,23/11/2026,"{rest:,}",NOP LE PHI {underpaid.reference} SONG A CHU\n'
        + "ST-003,2026-11-23,45000,CHUYEN TIEN KHONG GHI MA\n"
    )
    status, page = upload("\ufeff" + statement)  # with the BOM Excel writes
    assert status == 302 and "3 new credits, 0 already known." in page, page[-2000:]
    db.session.expire_all()
    assert (pending.status, pending.received_vnd, pending.dossier.status) == ("paid", pending.amount_vnd, 4)
    assert (underpaid.status, underpaid.received_vnd, underpaid.dossier.status) == (
        "paid",
        underpaid.amount_vnd,
        4,
    )
    first, third = row("ST-001"), row("ST-003")
    assert (first.state, first.source, first.payment_id) == ("matched", "statement", pending.id)
    assert first.occurred_at.astimezone(LOCAL_TZ).hour == 10  # as printed: Vietnam time
    assert row("ST-002").state == "matched" and row("ST-002").occurred_at.astimezone(LOCAL_TZ).day == 23
    assert (third.state, third.payment_id, third.amount_vnd) == ("unmatched", None, 45000)
    assert "ST-003" in page  # in the unmatched transfers list, for the finance officer to attach


def test_reimporting_the_same_file_creates_nothing(client, finance, upload):
    pending = payment_of("Hà Văn Nam")
    statement = (
        HEADER
        + f"ST-101,2026-11-23,{pending.amount_vnd},{pending.reference}\n"
        + "ST-102,2026-11-23,30000,KHONG RO\n"
    )
    assert "2 new credits, 0 already known." in upload(statement)[1]
    after_first = snapshot()
    status, page = upload(statement)
    assert status == 302 and "0 new credits, 2 already known." in page
    assert snapshot() == after_first
    db.session.expire_all()
    assert pending.status == "paid" and pending.received_vnd == pending.amount_vnd


def test_a_credit_already_delivered_by_the_webhook_is_not_counted_twice(client, finance, upload):
    pending = payment_of("Hà Văn Nam")
    body, headers = signed(
        {"transaction_id": "FT-BOTH", "amount": pending.amount_vnd, "description": f"CT {pending.reference}"}
    )
    response = client.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    response.close()
    after_webhook = snapshot()
    statement = HEADER + f"FT-BOTH,2026-11-23,{pending.amount_vnd},CT {pending.reference}\n"
    status, page = upload(statement)
    assert status == 302 and "0 new credits, 1 already known." in page
    assert snapshot() == after_webhook
    db.session.expire_all()
    assert (pending.status, pending.received_vnd) == ("paid", pending.amount_vnd)
    assert row("FT-BOTH").source == "webhook"


def test_the_same_transaction_twice_in_one_file_counts_once(client, finance, upload):
    pending = payment_of("Hà Văn Nam")
    line = f"ST-201,2026-11-23,{pending.amount_vnd},{pending.reference}\n"
    status, page = upload(HEADER + line + line)
    assert status == 302 and "1 new credits, 1 already known." in page
    db.session.expire_all()
    assert (pending.status, pending.received_vnd) == ("paid", pending.amount_vnd)


BAD_LINES = {
    "non-numeric amount": "ST-302,2026-11-23,hai muoi nghin,CT",
    "negative amount": "ST-302,2026-11-23,-20000,CT",
    "zero amount": "ST-302,2026-11-23,0,CT",
    "empty amount": "ST-302,2026-11-23,,CT",
    "missing transaction id": ",2026-11-23,20000,CT",
    "blank transaction id": "   ,2026-11-23,20000,CT",
    "impossible date": "ST-302,31/02/2026,20000,CT",
    "not a date": "ST-302,hôm qua,20000,CT",
    "missing date": "ST-302,,20000,CT",
    "short line": "ST-302,2026-11-23",
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_one_bad_line_imports_nothing(client, finance, upload, case):
    pending = payment_of("Hà Văn Nam")
    statement = (
        HEADER
        + f"ST-301,2026-11-23,{pending.amount_vnd},{pending.reference}\n"
        + BAD_LINES[case]
        + "\n"
        + "ST-303,2026-11-23,10000,KHONG RO\n"
    )
    before = snapshot()
    status, page = upload(statement)
    assert status == 302 and "Lines 3 are not valid; nothing was imported." in page, page[-1500:]
    assert snapshot() == before


def test_a_decimal_amount_is_never_read_a_hundred_times_too_big(client, finance, upload):
    pending = payment_of("Hà Văn Nam")
    upload(HEADER + f"ST-401,2026-11-23,{pending.amount_vnd}.00,{pending.reference}\n")
    db.session.expire_all()
    stored = row("ST-401")
    assert stored is None or stored.amount_vnd == pending.amount_vnd  # rejected, or read as whole dong


ERROR = "The statement must be a UTF-8 CSV with the columns transaction_id, date, amount, description."


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("id,date,amount,description\nST-501,2026-11-23,20000,CT\n", id="renamed column"),
        pytest.param("transaction_id,date,amount\nST-501,2026-11-23,20000\n", id="missing column"),
        pytest.param("transaction_id;date;amount;description\nST-501;2026-11-23;20000;CT\n", id="semicolons"),
        pytest.param("", id="empty file"),
        pytest.param("Nộp lệ phí,2026-11-23\n".encode("utf-16"), id="UTF-16"),
        pytest.param(
            (HEADER + "ST-501,2026-11-23,20000,CT tu Đinh Văn Lê\n").encode("cp1258"), id="Windows-1258"
        ),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="an image"),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused_clearly(client, finance, upload, content):
    before = snapshot()
    status, page = upload(content)
    assert status == 302 and ERROR in page, page[-1500:]
    assert snapshot() == before


def test_no_file_is_refused_clearly(client, finance):
    client.set_cookie("portal_lang", "en")
    response = client.post(URL, data={}, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and ERROR in unescape(response.get_data(as_text=True))
    response.close()


@pytest.mark.parametrize("email", [RECEPTIONIST, PROCESSOR, LEADER, AGENCY_ADMIN, CITIZEN])
def test_only_the_province_finance_and_admin_import(client, login, upload, email):
    login(email)
    before = snapshot()
    pending = payment_of("Hà Văn Nam")
    status, _page = upload(HEADER + f"ST-601,2026-11-23,{pending.amount_vnd},{pending.reference}\n")
    assert status == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(
        URL, data={"statement": (io.BytesIO(HEADER.encode()), "s.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response.close()


@pytest.mark.parametrize(
    "email, shown", [(RECEPTIONIST, False), (LEADER, False), (FINANCE, True), (ADMIN, True)]
)
def test_the_form_is_shown_to_the_account_owners_only(client, login, email, shown):
    login(email)
    page = client.get("/staff/payments")
    assert page.status_code == 200
    assert ('action="/staff/payments/statement"' in page.get_data(as_text=True)) is shown
    page.close()


def test_a_date_without_an_offset_is_vietnam_time_like_the_webhook(client, finance, upload):
    """A bank in Vietnam prints its local time (the webhook reads it so too): 23:30 on 23/11 is 16:30 UTC
    that day, never 23:30 UTC (06:30 on 24/11 in Sơn La)."""
    upload(
        HEADER
        + "ST-501,2026-11-23 23:30:00,45000,KHONG RO\nST-502,23/11/2026,45000,KHONG RO\n"
        + "ST-503,2026-11-23T23:30:00+07:00,45000,KHONG RO\n"
    )
    db.session.expire_all()
    late, day, explicit = row("ST-501").occurred_at, row("ST-502").occurred_at, row("ST-503").occurred_at
    assert (late.utcoffset().total_seconds(), late.day, late.hour, late.minute) == (0, 23, 16, 30)
    assert late == explicit
    assert (day.day, day.hour) == (22, 17)  # midnight of 23/11 in Vietnam


@pytest.mark.parametrize("written", ["2026-11-23T23:30:00", "2026-11-23T23:30", "23/11/2026 23:30"])
def test_every_way_of_writing_a_time_without_an_offset_is_vietnam_time(client, finance, upload, written):
    """Issue 16 item 11: an ISO time without an offset ("2026-11-23T23:30:00", as many bank exports write it)
    was refused as "not a date", and so was a time without seconds. 23:30 in Sơn La is 16:30 UTC."""
    upload(HEADER + f"ST-601,{written},45000,KHONG RO\n")
    db.session.expire_all()
    stored = row("ST-601")
    assert stored is not None, "the line was refused"
    assert stored.occurred_at == datetime(2026, 11, 23, 23, 30, tzinfo=LOCAL_TZ)
    assert (stored.occurred_at.astimezone(UTC).day, stored.occurred_at.astimezone(UTC).hour) == (23, 16)
