"""Paper slips (issue 13 item 2): code, private-link QR, the look-up hint, what happens next, the desk's
phone, in Vietnamese; shown only to whoever may already see the private link."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from flask import render_template
from sqlalchemy import select

from portal.dossiers import operations
from portal.extensions import db
from portal.feedback.models import Feedback
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.feedback import web_submit

from .support import decode_svg_qr, qr_source

# Monday 07/12/2026 10:00 in Sơn La; 3 working days (Tue 8, Wed 9, Thu 10): appointment Thu 10/12/2026.
RECEIVED = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def desk_phone(app):
    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, desk_phone="0212 3852 123")
    yield "0212 3852 123"
    app.config["PORTAL_SETTINGS"] = settings


def test_dossier_slip_for_the_agency_and_the_applicant_only(app, desk_phone):
    dossier = make_dossier(received=True, now=RECEIVED)
    desk = signed_in(app, make_account("receptionist"))
    receipt = text(desk.get(f"/dossiers/{dossier.code}/receipt"))
    assert f'href="/dossiers/{dossier.code}/slip"' in receipt
    page = text(desk.get(f"/dossiers/{dossier.code}/slip"))
    assert '<html lang="vi">' in page
    assert "PHIẾU THEO DÕI HỒ SƠ" in page and f'<p class="slip-code">{dossier.code}</p>' in page
    # The hint names the phone by its last 3 digits (0912 345 678), never the 4 the look-up asks for.
    assert "4 số cuối của số điện thoại đã khai (số có đuôi …678)" in page and "5678" not in page
    assert "http://localhost/track" in page
    assert "Hẹn trả kết quả: ngày 10/12/2026." in page
    assert "Điện thoại Bộ phận Một cửa: 0212 3852 123" in page
    assert 'class="slip slip-a6"' in page
    assert 'class="slip slip-58mm"' in text(desk.get(f"/dossiers/{dossier.code}/slip?size=58mm"))
    assert 'class="slip slip-a6"' in text(desk.get(f"/dossiers/{dossier.code}/slip?size=A0"))
    decoded = decode_svg_qr(desk.get(qr_source(page, "slip-qr")).get_data())
    assert decoded == f"http://localhost/dossiers/t/{dossier.code}/{operations.secret_token(dossier)}"
    # The code alone, or another agency's officer: nothing.
    assert app.test_client().get(f"/dossiers/{dossier.code}/slip").status_code == 404
    other = signed_in(app, make_account("leader", agency="ubnd-phuong-chieng-an"))
    assert other.get(f"/dossiers/{dossier.code}/slip").status_code == 404
    # The applicant's browser, once it may see the dossier (look-up with the last 4 digits).
    citizen = app.test_client()
    citizen.post("/track", data={"code": dossier.code, "phone_digits": "5678"})
    assert citizen.get(f"/dossiers/{dossier.code}/slip").status_code == 200


def test_dossier_slip_is_vietnamese_whatever_the_language(app):
    dossier = make_dossier(now=RECEIVED)  # online, not yet received: the date is provisional
    desk = signed_in(app, make_account("receptionist"))
    page = text(desk.get(f"/dossiers/{dossier.code}/slip?lang=en"))
    assert "PHIẾU THEO DÕI HỒ SƠ" in page and "DOSSIER SLIP" not in page
    assert "Bộ phận Một cửa kiểm tra giấy tờ và tiếp nhận hồ sơ" in page
    assert "(tạm tính)" in page
    # No desk phone configured: where to ask instead.
    assert "Cần hỏi: đến Bộ phận Một cửa của" in page


def test_feedback_slip_right_after_sending_and_by_the_private_link(app, desk_phone):
    citizen = app.test_client()
    assert web_submit(citizen).status_code == 302
    receipt = text(citizen.get("/feedback/receipt"))
    assert 'href="/feedback/slip"' in receipt
    page = text(citizen.get("/feedback/slip"))
    code = re.search(r'<p class="slip-code">(PA-\d{6}-\d{4})</p>', page)[1]
    assert "PHIẾU THEO DÕI PHẢN ÁNH, KIẾN NGHỊ" in page and "(số có đuôi …678)" in page
    assert "Điện thoại Bộ phận Một cửa: 0212 3852 123" in page
    source = qr_source(page, "slip-qr")
    token = re.fullmatch(r"/feedback/t/([A-Za-z0-9_=-]+)/qr\.svg", source)[1]
    link = decode_svg_qr(citizen.get(source).get_data())
    assert link == f"http://localhost/feedback/t/{token}"
    item = db.session.scalar(select(Feedback).where(Feedback.code == code))
    opened = app.test_client().get(link.removeprefix("http://localhost"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/feedback/{code}/status")
    assert item.due_on is not None and f"Hạn trả lời: {item.due_on:%d/%m/%Y}." in page
    # The confirmation e-mail carries the private link and, under it, the slip's.
    with app.test_request_context("/"):
        body = render_template("feedback/email/submitted.txt", item=item, link=link)
    assert f"{link}\n" in body and f"Phiếu nhỏ để in (khổ A6 hoặc máy in nhiệt 58 mm):\n{link}/slip" in body
    # By the private link: the token in the address proves it; a wrong one, or no receipt, shows nothing.
    by_link = app.test_client().get(f"/feedback/t/{token}/slip")
    assert by_link.status_code == 200 and code in by_link.get_data(as_text=True)
    assert app.test_client().get(f"/feedback/t/{token}x/slip").status_code == 404
    assert app.test_client().get("/feedback/slip").status_code == 404
    staff = signed_in(app, make_account("leader"))
    assert staff.get("/feedback/slip").status_code == 404
    assert by_link.headers["Cache-Control"] == "no-store"
    assert '<meta name="referrer" content="no-referrer">' in by_link.get_data(as_text=True)
