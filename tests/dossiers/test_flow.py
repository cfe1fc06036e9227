"""A dossier from online submission to the result download, through the web."""

import re

from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.events.timeline import AUDIT_ONLY
from portal.extensions import db
from tests.support.clients import signed_in
from tests.support.dossiers import applicant
from tests.support.files import jpeg_file, pdf_file

PROCEDURE = "1.004194"  # Đăng ký tạm trú: fully online, 3 working days,
# 15.000 ₫ at the counter, 7.000 ₫ online (Circular 75/2022/TT-BTC)


def first_document_id(code=PROCEDURE):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    return procedure.documents[0].id


def submit(client):
    data = applicant()
    data[f"doc-{first_document_id()}"] = [pdf_file()]
    data["doc-other"] = [jpeg_file()]
    return client.post(f"/dossiers/apply/{PROCEDURE}", data=data, content_type="multipart/form-data")


def staff(app, who):
    """A fresh client signed in as `who` (a role: this test's fresh account of it)."""
    return signed_in(app, who)


def test_online_submission_to_result(client, app):
    response = submit(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    code = re.search(r"/dossiers/([^/]+)/receipt", response.headers["Location"])[1]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert re.fullmatch(r"000\.\d{2}\.00\.H52-\d{6}-\d{4}", code)
    assert dossier.status == 1 and dossier.fee_vnd == 7000 and len(dossier.files) == 2  # the online charge
    receipt = client.get(f"/dossiers/{code}/receipt")
    assert receipt.status_code == 200 and code in receipt.get_data(as_text=True)
    from portal import qr as qr_module

    qr_module.clear_cache()
    assert client.get(f"/dossiers/{code}/qr.svg").mimetype == "image/svg+xml"
    assert not qr_module._cache.entries  # the tracking link's QR is private: never kept in the image cache

    # A stranger who knows the code sees nothing.
    stranger = app.test_client()
    for path in (
        f"/dossiers/{code}",
        f"/dossiers/{code}/receipt",
        f"/dossiers/{code}/qr.svg",
        f"/dossiers/{code}/files/{dossier.files[0].id}",
    ):
        assert stranger.get(path).status_code == 404, path

    desk = staff(app, "receptionist")
    assert desk.post(f"/staff/dossiers/{code}/receive").status_code == 302
    processor = staff(app, "processor")
    assert processor.post(f"/staff/dossiers/{code}/start").status_code == 302
    assert (
        processor.post(
            f"/staff/dossiers/{code}/request_supplement",
            data={"note": "Bổ sung giấy xác nhận chỗ ở hợp pháp."},
        ).status_code
        == 302
    )
    db.session.refresh(dossier)
    assert dossier.status == 5 and dossier.appointment_on is None
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Bổ sung giấy xác nhận chỗ ở hợp pháp." in page
    supplied = client.post(
        f"/dossiers/{code}/supplement",
        data={"files": [pdf_file("cho-o.pdf")]},
        content_type="multipart/form-data",
    )
    assert supplied.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == 4 and dossier.appointment_on is not None
    assert (
        processor.post(
            f"/staff/dossiers/{code}/finish",
            data={"files": [pdf_file("ket-qua.pdf")]},
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    assert desk.post(f"/staff/dossiers/{code}/return_result").status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == 10
    result = next(f for f in dossier.files if f.kind == "result")
    with client.get(f"/dossiers/{code}/files/{result.id}") as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert "attachment" in download.headers["Content-Disposition"]
        assert "sandbox" in download.headers["Content-Security-Policy"]
    events = db.session.scalars(
        select(Event).where(Event.subject_type == "dossier", Event.subject_id == dossier.id)
    ).all()
    assert [e.action for e in events if e.action not in AUDIT_ONLY] == [
        "submitted",
        "receive",
        "start",
        "request_supplement",
        "supplement",
        "finish",
        "return_result",
    ]
    assert [e.action for e in events if e.action == "file_downloaded"] == ["file_downloaded"]  # the download


def test_scanned_receipt_url_opens_the_dossier(client, app):
    submit(client)
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    from portal.dossiers.operations import secret_token

    desk = staff(app, "receptionist")
    url = f"http://localhost/dossiers/t/{dossier.code}/{secret_token(dossier)}"
    for typed in (url, dossier.code, dossier.code.lower()):
        response = desk.get("/staff/dossiers", query_string={"q": typed})
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/staff/dossiers/{dossier.code}"
        )


def test_secret_link_grants_access(client, app):
    submit(client)
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    from portal.dossiers.operations import secret_token

    other = app.test_client()
    assert other.get(f"/dossiers/t/{dossier.code}/{'0' * 48}").status_code == 404
    assert other.get(f"/dossiers/t/{dossier.code}/{secret_token(dossier)}").status_code == 302
    assert other.get(f"/dossiers/{dossier.code}").status_code == 200
