"""The disaster pages through the web: a leader declares for their commune; the dossier's tracking page gives
the citizen the reason and the new date; the desk drafts and issues the letters in one action each."""

from __future__ import annotations

from datetime import datetime

from portal.calendar.queries import LOCAL_TZ
from portal.dossiers.routes import tracking_link
from tests.support.clients import sign_in
from tests.support.dossiers import COMMUNE, make_dossier
from tests.support.factories import make_account

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=LOCAL_TZ)


def test_declare_then_the_citizen_reads_the_reason(app):
    dossier = make_dossier(received=True, now=MONDAY)
    leader = make_account("leader")
    client = sign_in(app.test_client(), leader)
    page = client.get("/staff/disasters/")
    assert page.status_code == 200 and "Công bố thiên tai, sự cố" in page.get_data(as_text=True)
    response = client.post(
        "/staff/disasters/",
        data={
            "kind": "landslide",
            "communes": [COMMUNE],
            "starts_on": "2026-12-08",
            "ends_on": "2026-12-09",
            "locate_by": "applicant",
            "legal_basis": "Quyết định số 12/QĐ-UBND",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    event_page = client.get(response.headers["Location"])
    text = event_page.get_data(as_text=True)
    assert dossier.code in text and "14/12/2026" in text
    assert client.post(response.headers["Location"] + "/letters/draft").status_code == 302
    assert client.post(response.headers["Location"] + "/letters/issue").status_code == 302
    assert dossier.apologies and dossier.apologies[-1].new_date.isoformat() == "2026-12-14"

    citizen = app.test_client()
    with app.test_request_context():
        link = tracking_link(dossier).split("://", 1)[1].split("/", 1)[1]
    status = citizen.get("/" + link, follow_redirects=True).get_data(as_text=True)
    assert "Tạm dừng tính thời hạn" in status and "Sạt lở đất" in status
    assert "Quyết định số 12/QĐ-UBND" in status


def test_a_processor_may_look_but_not_declare(app):
    client = sign_in(app.test_client(), make_account("processor"))
    assert client.get("/staff/disasters/").status_code == 200
    assert client.post("/staff/disasters/", data={}).status_code == 403


def test_the_commune_list_is_in_vietnamese_order(app):
    """The database's byte order put "Xã Bó Sinh" before "Xã Bắc Yên" and "Xã Đoàn Kết" last."""
    import re
    from html import unescape

    from portal.domain.collation import sort_key

    client = sign_in(app.test_client(), make_account("admin"))
    body = client.get("/staff/disasters/").get_data(as_text=True)
    block = re.search(r'<select[^>]*id="communes"[^>]*>(.*?)</select>', body, re.S)
    assert block
    communes = [unescape(n).strip() for n in re.findall(r"<option[^>]*>(.*?)</option>", block[1], re.S)]
    assert communes == sorted(communes, key=sort_key)
    assert communes.index("Xã Bắc Yên") < communes.index("Xã Bó Sinh")
    assert communes.index("Xã Co Mạ") < communes.index("Xã Đoàn Kết") < communes.index("Xã Gia Phù")
