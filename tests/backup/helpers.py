"""Helpers for backup tests."""

from __future__ import annotations

from datetime import date

from portal.dossiers.intake import Applicant


def applicant() -> Applicant:
    return Applicant(
        name="Lò Thị Xuân",
        id_number="014190000123",
        birth_date=date(1990, 5, 17),
        phone="+84912345678",
        email="xuan@example.com",
        address="Tổ 3, đường Tô Hiệu",
        admin_unit_code="03646",
    )
