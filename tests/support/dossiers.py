"""Dossier data for tests: the applicant's form fields, an Applicant for the operations, a made dossier."""

from __future__ import annotations

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
