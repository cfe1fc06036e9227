"""Dossier data for tests: the applicant's form fields, an Applicant for the operations, a made dossier."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.dossiers import intake
from portal.dossiers.intake import Upload
from portal.extensions import db
from tests.support.files import PDF

PROCEDURE = "1.004194"  # Đăng ký tạm trú: commune level, fully online, 3 working days,
# 15.000 ₫ at the counter, 7.000 ₫ online (Circular 75/2022/TT-BTC)
COMMUNE = "03646"  # the applicant's commune; its dossiers go to Tô Hiệu ward


def applicant(**overrides):
    """The applicant's fields as the online form posts them."""
    data = {
        "applicant_name": "Lò Thị Xuân",
        "id_number": "014190000123",
        "birth_date": "1990-05-17",
        "phone": "0912 345 678",
        "email": "xuan@example.com",
        "address": "Tổ 3, đường Tô Hiệu",
        "commune": COMMUNE,
        "consent": "y",
        "paper_consent": "y",  # counter intake: the citizen signed the paper notice (the online form ignores it)
    }
    data.update(overrides)
    return data


def person(**overrides) -> intake.Applicant:
    """The same applicant, as the operations take it."""
    values = dict(
        name="Lò Thị Xuân",
        id_number="014190000123",
        birth_date=date(1990, 5, 17),
        phone="+84912345678",
        email="xuan@example.com",
        address="Tổ 3, đường Tô Hiệu",
        admin_unit_code=COMMUNE,
    )
    values.update(overrides)
    return intake.Applicant(**values)


def procedure(code: str = PROCEDURE) -> Procedure:
    found = db.session.scalar(select(Procedure).where(Procedure.code == code))
    assert found is not None, code
    return found


def make_dossier(
    code: str = PROCEDURE,
    *,
    received: bool = False,
    applicant: intake.Applicant | None = None,
    now: datetime | None = None,
    **person_fields,
):
    """A dossier submitted online (status 1), or taken in at the counter (status 2) with received=True."""
    who = applicant or person(**person_fields)
    chosen = procedure(code)
    if not received:
        return intake.submit_online(chosen, who, [Upload(PDF, "to-khai.pdf")], None, "vi", now=now)
    from tests.support.factories import make_account

    agency = intake.receiving_agency(chosen, who.admin_unit_code)
    desk = make_account("receptionist", agency=agency)
    return intake.counter_intake(chosen, who, [Upload(PDF, "to-khai.pdf")], desk, "counter", "vi", now=now)


# --- the online form, posted like a browser without JavaScript (tests/dossiers/test_upload_drafts.py) ------

APPLY = f"/dossiers/apply/{PROCEDURE}"
# The catalogue's documents of PROCEDURE (portal/catalog/data/procedures.csv, "thanh_phan_ho_so").
DECLARATION = "Tờ khai thay đổi thông tin cư trú (CT01)"
RESIDENCE_PROOF = "Giấy tờ chứng minh chỗ ở hợp pháp (hợp đồng thuê, mượn, ở nhờ…)"
KEPT = re.compile(r'name="remove_file" value="(\d+)"')  # a kept document's "remove" button


def document_field(name: str, code: str = PROCEDURE) -> str:
    """The form's file input of the procedure's required document called `name`."""
    return next(f"doc-{d.id}" for d in procedure(code).documents if d.name == name)


def opened_form(client, path: str = APPLY) -> dict[str, str]:
    """The hidden fields (the nonce among them) of the form as this browser was given it."""
    from tests.support.double_post import hidden_fields

    page = client.get(path)
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


def post_form(
    client, hidden: dict, files: dict[str, list[tuple[bytes, str]]] | None = None, path=APPLY, **fields
):
    """The applicant's fields (with `fields` changed), the hidden fields, and `files` per input name."""
    data = applicant(**fields) | hidden
    for name, chosen in (files or {}).items():
        data[name] = [(io.BytesIO(raw), filename) for raw, filename in chosen]
    return client.post(path, data=data, content_type="multipart/form-data")


def drafts_taken_once_kept(monkeypatch, procedure: Procedure, nonce: str) -> None:
    """The form's document drafts go right after a post kept them, as when another post of the same form, still
    running, took them: the post had matched the other's drafts (the same files) and kept none of its own."""
    from portal.dossiers import upload_drafts

    keep = upload_drafts.keep_posted

    def kept_then_taken(*args):
        result = keep(*args)
        upload_drafts.drop(procedure, nonce)
        return result

    monkeypatch.setattr(upload_drafts, "keep_posted", kept_then_taken)
