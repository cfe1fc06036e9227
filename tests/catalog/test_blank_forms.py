"""Blank forms (tờ khai) of a procedure (issue 18 item 8): uploaded, renamed, moved and removed by the
administrators who edit the procedure (audited), checked by content (a disguised program is refused, a PDF's
scripts are taken out, macros refused), downloaded from the public page as an immutable attachment."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote

import pikepdf
import pytest

from portal.catalog.form_files import DOCX, FormFileRejected, check_form_file
from portal.catalog.models import BlankForm
from portal.catalog.sample_form import sample_pdf
from portal.catalog.seed import DEMO_FORM_PROCEDURE, seed_demo_blank_forms
from portal.extensions import db
from portal.uploads import storage
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    CITIZEN,
    HEALTH_PROCEDURE,
    body,
    errors,
    events,
    health_admin,
    procedure,
    signed_in,
)
from tests.support.files import PDF

CODE = "SL-005"  # no blank form in the seeded data (the demo one is on birth registration)
TITLE = "Tờ khai đăng ký khai sinh"
# A PDF that runs a script when opened, and carries a JavaScript name tree too.
PDF_WITH_SCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R"
    b" /Names << /JavaScript << /Names [(x) 4 0 R] >> >> >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
    b" /AA << /O << /S /JavaScript /JS (app.alert\\(1\\)) >> >> >> endobj\n"
    b"4 0 obj << /S /JavaScript /JS (app.launchURL\\('http://evil.example'\\)) >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def office(main_type: str, extra: dict[str, bytes] | None = None, extra_types: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>{extra_types}</Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def upload(client, row, data: bytes, name: str = "to-khai.pdf", title: str = TITLE, lang: str = "en"):
    return client.post(
        f"/staff/admin/procedures/{row.id}/forms?lang={lang}",
        data={"title": title, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def forms_of(row) -> list[BlankForm]:
    db.session.expire_all()
    return list(row.blank_forms)


def public_link(code: str) -> str:
    page = body(signed_in_anonymous_get(code))
    found = re.search(rf'href="(/procedures/{re.escape(code)}/forms/[^"]+)"', page)
    assert found, page
    return found[1]


_clients: dict = {}


def signed_in_anonymous_get(code: str):
    return _clients["anonymous"].get(f"/procedures/{code}")


@pytest.fixture(autouse=True)
def _anonymous(app):
    _clients["anonymous"] = app.test_client()


def test_admin_uploads_a_pdf_citizens_download_it(app):
    row = procedure(CODE)
    response = upload(signed_in(app, ADMIN), row, PDF)
    assert response.status_code == 302
    (form,) = forms_of(row)
    assert (form.title, form.original_name, form.content_type, form.position) == (
        TITLE,
        "to-khai.pdf",
        "application/pdf",
        1,
    )
    stored = storage.read(form.stored_name)
    assert stored.startswith(b"%PDF-") and form.size_bytes == len(stored)
    sealed = storage.backend().open(form.stored_name)
    try:
        assert sealed.stream.read() != stored  # encrypted at rest
    finally:
        sealed.close()
    assert [event.action for event in events("procedure", row.id, "blank_form_added")] == ["blank_form_added"]

    page = body(_clients["anonymous"].get(f"/procedures/{CODE}?lang=en"))
    assert TITLE in page and "PDF, 1 kB" in page
    link = public_link(CODE)
    download = _clients["anonymous"].get(link)
    assert download.status_code == 200
    assert download.get_data() == stored
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert download.headers["ETag"]
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="to-khai-dang-ky-khai-sinh.pdf"; ')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"{TITLE}.pdf"
    again = _clients["anonymous"].get(link, headers={"If-None-Match": download.headers["ETag"]})
    assert again.status_code == 304


def test_a_renamed_form_gets_a_new_address_the_old_one_leads_to_it(app):
    row = procedure(CODE)
    client = signed_in(app, ADMIN)
    upload(client, row, PDF)
    old = public_link(CODE)
    (form,) = forms_of(row)
    response = client.post(
        f"/staff/admin/procedures/{row.id}/forms/{form.id}", data={"action": "rename", "title": "Mẫu TK-01"}
    )
    assert response.status_code == 302
    new = public_link(CODE)
    assert new != old
    moved = _clients["anonymous"].get(old)
    assert moved.status_code == 302 and moved.headers["Location"].endswith(new)
    assert "Mẫu TK-01" in unquote(_clients["anonymous"].get(new).headers["Content-Disposition"])
    (renamed,) = events("procedure", row.id, "blank_form_renamed")
    assert TITLE in renamed.note and "Mẫu TK-01" in renamed.note


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (EXE, "to-khai.pdf", "Upload a PDF, a Word file (.docx) or an Excel file (.xlsx)."),
        (b"<html><script>alert(1)</script></html>", "to-khai.docx", "Upload a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "to-khai.doc", "Upload a PDF"),
        (office(MACRO_MAIN, {"word/vbaProject.bin": b"\x00" * 10}), "to-khai.docx", "macros"),
        (office(MACRO_MAIN), "to-khai.docm", "macros"),
        (b"PK\x03\x04broken", "to-khai.docx", "damaged"),
    ],
)
def test_disguised_or_unsafe_files_are_refused(app, data, name, message):
    row = procedure(CODE)
    response = upload(signed_in(app, ADMIN), row, data, name)
    assert response.status_code == 400
    assert any(message in error for error in errors(response)), errors(response)
    assert forms_of(row) == []
    assert events("procedure", row.id, "blank_form_added") == []


def test_the_refusal_is_in_vietnamese_by_default(app):
    response = upload(signed_in(app, ADMIN), procedure(CODE), EXE, lang="vi")
    assert response.status_code == 400
    assert any("PDF" in error and "Word" in error for error in errors(response))
    assert "Upload a PDF" not in body(response)


def test_a_pdf_with_scripts_is_stored_without_them(app):
    row = procedure(CODE)
    assert upload(signed_in(app, ADMIN), row, PDF_WITH_SCRIPT).status_code == 302
    (form,) = forms_of(row)
    stored = storage.read(form.stored_name)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/AA" not in pdf.pages[0].obj
        for value in pdf.objects:
            if isinstance(value, pikepdf.Dictionary):
                assert "/JS" not in value and value.get("/S") != pikepdf.Name.JavaScript
        assert len(pdf.pages) == 1
    assert b"/JS" not in stored and b"JavaScript" not in stored


def test_a_plain_docx_is_accepted_and_served_as_word(app):
    row = procedure(CODE)
    data = office(WORD_MAIN)
    assert upload(signed_in(app, ADMIN), row, data, "mau.docx", title="Mẫu đơn").status_code == 302
    (form,) = forms_of(row)
    assert form.content_type == DOCX
    download = _clients["anonymous"].get(public_link(CODE))
    assert download.get_data() == data
    assert download.headers["Content-Type"] == DOCX
    assert 'filename="mau-don.docx"' in download.headers["Content-Disposition"]


def test_a_file_over_5_mb_is_refused_before_it_is_parsed():
    with pytest.raises(FormFileRejected) as refused:
        check_form_file(PDF + b"%" * (5 * 1024 * 1024))
    assert refused.value.reason == "too_large"


def test_an_entity_declaration_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(office(WORD_MAIN))) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"<Types", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Types', 1)
            target.writestr(entry, data)
    with pytest.raises(FormFileRejected):
        check_form_file(buffer.getvalue())


def test_move_and_remove_renumber_and_remove_deletes_the_file_after_commit(app):
    row = procedure(CODE)
    client = signed_in(app, ADMIN)
    for title in ("Một", "Hai", "Ba"):
        assert upload(client, row, PDF, title=title).status_code == 302
    one, two, three = forms_of(row)
    url = f"/staff/admin/procedures/{row.id}/forms"
    assert client.post(f"{url}/{three.id}", data={"action": "up"}).status_code == 302
    assert [form.title for form in forms_of(row)] == ["Một", "Ba", "Hai"]
    assert client.post(f"{url}/{one.id}", data={"action": "up"}).status_code == 302  # already first
    assert [form.position for form in forms_of(row)] == [1, 2, 3]
    name, gone = two.stored_name, two.id
    assert storage.backend().exists(name)
    assert client.post(f"{url}/{two.id}", data={"action": "remove"}).status_code == 302
    assert [(form.title, form.position) for form in forms_of(row)] == [("Một", 1), ("Ba", 2)]
    assert not storage.backend().exists(name)
    actions = [event.action for event in events("procedure", row.id) if event.action.startswith("blank_form")]
    assert actions == ["blank_form_added"] * 3 + ["blank_form_moved", "blank_form_removed"]
    assert _clients["anonymous"].get(f"/procedures/{CODE}/forms/{gone}/x").status_code == 404


def test_a_removal_rolled_back_keeps_the_file(app):
    from portal.accounts.models import Account  # noqa: F401 (the admin row)
    from portal.catalog.blank_forms import remove_blank_form
    from tests.support.admin import account

    row = procedure(CODE)
    upload(signed_in(app, ADMIN), row, PDF)
    (form,) = forms_of(row)
    name = form.stored_name
    with app.test_request_context():
        remove_blank_form(form, account(ADMIN))
        db.session.rollback()
        assert storage.backend().exists(name)


def test_an_agency_admin_manages_only_their_agencys_procedures(app):
    health = procedure(HEALTH_PROCEDURE)
    assert upload(health_admin(app), health, PDF).status_code == 302
    (form,) = forms_of(health)
    foreign = signed_in(app, AGENCY_ADMIN)  # Tô Hiệu ward
    assert upload(foreign, health, PDF).status_code == 404
    edit = f"/staff/admin/procedures/{health.id}/forms/{form.id}"
    assert foreign.post(edit, data={"action": "remove"}).status_code == 404
    assert signed_in(app, CITIZEN).post(edit, data={"action": "remove"}).status_code in (403, 404)
    assert _clients["anonymous"].post(edit, data={"action": "remove"}).status_code in (302, 403, 404)
    assert forms_of(health) == [form]
    # A form of another procedure is not reachable through this one's address.
    birth = procedure(CODE)
    assert (
        signed_in(app, ADMIN)
        .post(f"/staff/admin/procedures/{birth.id}/forms/{form.id}", data={"action": "remove"})
        .status_code
        == 404
    )


def test_an_inactive_procedures_forms_are_not_served(app):
    row = procedure(CODE)
    upload(signed_in(app, ADMIN), row, PDF)
    link = public_link(CODE)
    row.is_active = False
    db.session.commit()
    assert _clients["anonymous"].get(link).status_code == 404


def test_the_demo_form_is_a_clean_one_page_pdf(app):
    row = procedure(DEMO_FORM_PROCEDURE)
    checked = check_form_file(sample_pdf(row))
    with pikepdf.open(io.BytesIO(checked.data)) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].Contents.read_bytes()
    assert b"TO KHAI" in text and b"DANG KY KHAI SINH" in text and b"MAU DEMO" in text
    # The seeded data carries it once (seed-demo ran for the suite), readable from the store.
    (form,) = forms_of(row)
    assert "mẫu demo" in form.title and form.content_type == "application/pdf"
    with app.test_request_context():
        assert seed_demo_blank_forms() == 0
        assert storage.read(form.stored_name).startswith(b"%PDF-")
    assert "mẫu demo" in body(_clients["anonymous"].get(f"/procedures/{DEMO_FORM_PROCEDURE}"))
