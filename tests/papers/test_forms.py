"""Forms 02, 03, 05, 06 and form 01's paper sizes (issue 11 item 9): what each prints, its QR, who sees it.

The dossier: temporary residence registration (1.004194, 3 working days), taken in at the counter of Tô
Hiệu ward on Monday 7 December 2026 at 09:00 (02:00 UTC). December 2026 has no public holiday, so the
3 working days are Tue 8, Wed 9 and Thu 10: the appointment is Thursday 10/12/2026 (VIETNAM.md §2.3: count
from the working day after receipt)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.extensions import db
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account

from .support import EventClock, decode_svg_qr, qr_source

RECEIVED = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Mon 07/12/2026 09:00 in Sơn La (UTC+7)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def people():
    desk = make_account("receptionist", full_name="Cầm Thị Hoa")
    processor = make_account("processor", full_name="Quàng Văn Minh")
    return desk, processor


@pytest.fixture
def clock(monkeypatch):
    return EventClock(monkeypatch)


@pytest.fixture
def dossier(people, clock):
    clock.at = RECEIVED
    return make_dossier(received=True, now=RECEIVED)


@pytest.fixture
def act(clock):
    """act(dossier, action, officer, at): a staff action at a chosen moment, its event stamped with it."""

    def act(dossier, action, who, at, **kwargs):
        clock.at = at
        operations.staff_act(dossier, action, who, now=at, **kwargs)

    return act


def as_citizen(app, dossier):
    """The applicant's browser: opened with the code and the last 4 digits of 0912 345 678."""
    client = app.test_client()
    found = client.post("/track", data={"code": dossier.code, "phone_digits": "5678"})
    assert found.status_code == 302, found.status_code
    return client


def other_agency_officer(app):
    return signed_in(app, make_account("leader", agency="ubnd-phuong-chieng-an"))


def assert_qr_is_the_private_link(client, app, dossier, page: str) -> None:
    """The form's QR decodes to the dossier's secret link, and that link opens the dossier."""
    source = qr_source(page)
    assert source == f"/dossiers/{dossier.code}/qr.svg"
    decoded = decode_svg_qr(client.get(source).get_data())
    token = operations.secret_token(dossier)
    assert decoded == f"http://localhost/dossiers/t/{dossier.code}/{token}"
    opened = app.test_client().get(decoded.removeprefix("http://localhost"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/dossiers/{dossier.code}")


def test_form_02_lists_what_is_missing_with_date_officer_and_qr(app, dossier, people, act):
    desk, processor = people
    assert dossier.appointment_on.isoformat() == "2026-12-10"
    act(dossier, A.START, processor, datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
    # Tuesday 08/12/2026 at 10:15 in Sơn La = 03:15 UTC.
    asked = datetime(2026, 12, 8, 3, 15, tzinfo=UTC)
    note = "Bản sao giấy chứng minh chỗ ở hợp pháp\nTờ khai CT01 có chữ ký của chủ hộ"
    act(dossier, A.REQUEST_SUPPLEMENT, processor, asked, note=note)
    db.session.flush()
    pause = dossier.pauses[0]
    path = f"/dossiers/{dossier.code}/papers/02/{pause.id}"

    staff = signed_in(app, desk)
    page = text(staff.get(path))
    assert "Mẫu số 02, Thông tư 01/2018/TT-VPCP" in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "Độc lập – Tự do – Hạnh phúc" in page
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page
    assert "Sơn La, ngày 08 tháng 12 năm 2026" in page
    assert "<li>Bản sao giấy chứng minh chỗ ở hợp pháp</li>" in page
    assert "<li>Tờ khai CT01 có chữ ký của chủ hộ</li>" in page
    assert "10 giờ 15 phút, ngày 08/12/2026" in page  # requested at
    assert "09 giờ 00 phút, ngày 07/12/2026" in page  # received at
    assert "Lò Thị Xuân" in page and "Quàng Văn Minh" in page and dossier.code in page
    assert 'class="paper-form paper-a4"' in page
    assert_qr_is_the_private_link(staff, app, dossier, page)

    # The citizen is its addressee: the tracking page links it, the citizen's browser opens it.
    citizen = as_citizen(app, dossier)
    status = text(citizen.get(f"/dossiers/{dossier.code}"))
    assert f'href="{path}"' in status
    assert citizen.get(path).status_code == 200
    # Anyone else, another agency's officer included: it does not exist.
    assert app.test_client().get(path).status_code == 404
    assert other_agency_officer(app).get(path).status_code == 404
    # A fee request is no form 02.
    assert staff.get(f"/dossiers/{dossier.code}/papers/02/{pause.id + 1000}").status_code == 404


def test_form_03_only_for_a_refused_dossier(app, people, act):
    desk, _ = people
    online = make_dossier(now=RECEIVED)  # status 1, waiting at the desk
    path = f"/dossiers/{online.code}/papers/03"
    staff = signed_in(app, desk)
    assert staff.get(path).status_code == 404  # not refused: no refusal paper
    # Monday 07/12/2026 at 15:30 in Sơn La = 08:30 UTC.
    refused = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    reason = "Thủ tục không thuộc thẩm quyền của UBND phường (Điều 27 Luật Cư trú 2020)."
    act(online, A.REFUSE, desk, refused, note=reason)
    page = text(staff.get(path))
    assert "Mẫu số 03" in page and "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in page
    assert "Sơn La, ngày 07 tháng 12 năm 2026" in page
    assert "15 giờ 30 phút, ngày 07/12/2026" in page
    assert reason in page and "Cầm Thị Hoa" in page
    assert_qr_is_the_private_link(staff, app, online, page)
    citizen = as_citizen(app, online)
    assert f'href="{path}"' in text(citizen.get(f"/dossiers/{online.code}"))
    assert citizen.get(path).status_code == 200
    assert other_agency_officer(app).get(path).status_code == 404


def finish_and_return(act, dossier, people):
    desk, processor = people
    act(dossier, A.START, processor, datetime(2026, 12, 7, 3, 0, tzinfo=UTC))  # Mon 10:00
    act(dossier, A.FINISH, processor, datetime(2026, 12, 9, 7, 45, tzinfo=UTC), note="Đã đăng ký tạm trú.")
    act(dossier, A.RETURN_RESULT, desk, datetime(2026, 12, 10, 1, 30, tzinfo=UTC))  # Thu 08:30


def test_form_05_control_sheet_rows_and_result_staff_only(app, dossier, people, act):
    desk, processor = people
    finish_and_return(act, dossier, people)
    path = f"/staff/papers/dossiers/{dossier.code}/05"
    page = text(signed_in(app, desk).get(path))
    assert "Mẫu số 05" in page and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in page
    rows = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", page
    )
    assert [(r[0], r[4]) for r in rows] == [
        ("1", "09 giờ 00 phút, ngày 07/12/2026"),  # received at the desk from the applicant
        ("2", "10 giờ 00 phút, ngày 07/12/2026"),  # taken by the processor
        ("3", "14 giờ 45 phút, ngày 09/12/2026"),  # result handed to the desk
        ("4", "08 giờ 30 phút, ngày 10/12/2026"),  # result handed to the applicant
    ]
    # make_dossier's own counter officer took it in; this test's desk officer handed the result over.
    assert rows[0][2] == "Lò Thị Xuân" and rows[0][3].startswith("Bộ phận Tiếp nhận và Trả kết quả: ")
    assert rows[1][2] == "Bộ phận Tiếp nhận và Trả kết quả" and rows[1][3] == "Quàng Văn Minh"
    assert rows[2][2] == "Quàng Văn Minh" and rows[2][3] == "Bộ phận Tiếp nhận và Trả kết quả"
    assert rows[3][2] == "Bộ phận Tiếp nhận và Trả kết quả: Cầm Thị Hoa" and rows[3][3] == "Lò Thị Xuân"
    # Result ready Wed 09/12, appointment Thu 10/12: ahead of schedule (Decision 766, "trước hạn").
    assert "Kết quả giải quyết hồ sơ (trước hạn / đúng hạn / quá hạn): <strong>Trước hạn</strong>" in page
    assert "Ngày hẹn trả kết quả: 10/12/2026" in page
    # Internal: the citizen's browser may not open it, another agency's officer finds nothing.
    citizen = as_citizen(app, dossier)
    assert citizen.get(path).status_code in (302, 403)
    assert path not in text(citizen.get(f"/dossiers/{dossier.code}"))
    assert other_agency_officer(app).get(path).status_code == 404


def test_form_06_register_line_with_the_hand_over(app, dossier, people, act):
    desk, _ = people
    path = f"/dossiers/{dossier.code}/papers/06"
    citizen = as_citizen(app, dossier)
    assert citizen.get(path).status_code == 404  # the citizen's once the result is ready
    assert signed_in(app, desk).get(path).status_code == 200  # the register's line, at any time
    finish_and_return(act, dossier, people)
    page = text(citizen.get(path))
    assert "Mẫu số 06" in page and "SỔ THEO DÕI HỒ SƠ" in page
    assert f"Quyển số 2026, số thứ tự {dossier.sequence}" in page
    assert "Sơn La, ngày 10 tháng 12 năm 2026" in page  # the day of the hand-over
    for cell in (
        "09 giờ 00 phút, ngày 07/12/2026",  # received
        "<td>10/12/2026</td>",  # appointment
        "10 giờ 00 phút, ngày 07/12/2026",  # sent for processing
        "14 giờ 45 phút, ngày 09/12/2026",  # result received from processing
        "08 giờ 30 phút, ngày 10/12/2026",  # result returned
        "0912 345 678",
    ):
        assert cell in page, cell
    assert 'class="paper-form paper-a4-landscape"' in page
    assert f'href="{path}"' in text(citizen.get(f"/dossiers/{dossier.code}"))
    assert_qr_is_the_private_link(citizen, app, dossier, page)
    assert other_agency_officer(app).get(path).status_code == 404


def test_staff_item_page_links_every_form(app, dossier, people, act):
    desk, processor = people
    act(dossier, A.START, processor, datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
    act(dossier, A.REQUEST_SUPPLEMENT, processor, datetime(2026, 12, 8, 3, 15, tzinfo=UTC), note="CT01")
    db.session.flush()
    page = text(signed_in(app, desk).get(f"/staff/dossiers/{dossier.code}"))
    for path in (
        f"/dossiers/{dossier.code}/papers/02/{dossier.pauses[0].id}",
        f"/staff/papers/dossiers/{dossier.code}/05",
        f"/dossiers/{dossier.code}/papers/06",
        f"/dossiers/{dossier.code}/slip",
    ):
        assert f'href="{path}"' in page, path
    # While the dossier is open its control sheet states no result yet.
    sheet = text(signed_in(app, desk).get(f"/staff/papers/dossiers/{dossier.code}/05"))
    assert "(trước hạn / đúng hạn / quá hạn): <strong>—</strong>" in sheet
    assert "Yêu cầu bổ sung" in sheet and "CT01" in sheet  # the request and its note are a row


def test_form_01_on_a5_by_default_and_on_a4_on_request(app, dossier, people):
    desk, _ = people
    staff = signed_in(app, desk)
    a5 = text(staff.get(f"/dossiers/{dossier.code}/receipt"))
    assert 'class="paper-form paper-a5"' in a5
    assert f'href="/dossiers/{dossier.code}/receipt?paper=a4"' in a5
    a4 = text(staff.get(f"/dossiers/{dossier.code}/receipt?paper=a4"))
    assert 'class="paper-form paper-a4"' in a4
    unknown = text(staff.get(f"/dossiers/{dossier.code}/receipt?paper=letter"))
    assert 'class="paper-form paper-a5"' in unknown  # anything else: the usual A5


def test_each_paper_names_its_page_size_in_the_stylesheet(app):
    """@page rules by name, and each paper's class uses its page: A4 for 02, 03 and 05, A4 landscape for the
    register's wide line (06), A5 or A4 for form 01, A6 and 58 mm for the slips."""
    css = (Path(app.static_folder) / "css" / "portal.css").read_text(encoding="utf-8")
    pages = dict(re.findall(r"@page ([\w-]+) \{ size: ([^;]+);", css))
    assert pages == {
        "form-a4": "A4",
        "form-a5": "A5",
        "form-a4-landscape": "A4 landscape",
        "slip-a6": "105mm 148mm",  # A6 (CSS has no A6 keyword)
        "slip-58mm": "58mm 210mm",
    }
    uses = dict(
        re.findall(r"\.(paper-a4-landscape|paper-a4|paper-a5|slip-a6|slip-58mm) \{ page: ([\w-]+);", css)
    )
    assert uses == {
        "paper-a4": "form-a4",
        "paper-a5": "form-a5",
        "paper-a4-landscape": "form-a4-landscape",
        "slip-a6": "slip-a6",
        "slip-58mm": "slip-58mm",
    }
