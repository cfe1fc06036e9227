"""The dossier export, version 1: one record per dossier in the field layout of the National Public Service
Portal's synchronisation, incremental by `updated_since`.

Field names follow the public implementations of that synchronisation (VIETNAM.md §4 and §10); the
specification itself was not available, so the layout is INFERRED and versioned here (EXPORT_VERSION) so a
receiving system can tell a later change. What each field holds:

- MaHoSo: the dossier code (Circular 01/2018 Art. 19). MaTTHC: the procedure's national code (empty for a
  local procedure); TenTTHC its name. MaCoQuan/TenCoQuan: the receiving agency's code and name.
- KenhThucHien: 1 at the counter, 2 online, 3 public postal service. TrangThaiHoSo: the national status
  1-10. TinhTrangXuLy: the reporting bucket (open, paused, done, refused).
- NgayNopHoSo, NgayTiepNhan, NgayKetThucXuLy, NgayTraKetQua: W3C datetimes with +07:00; NgayHenTra: the
  current appointment date (yyyy-mm-dd). NgayCapNhat: the last change recorded on the dossier's timeline.
- HoTenNguoiNop, SoGiayToChuHoSo (CCCD), SoDienThoai, Email, DiaChi, MaDonViHanhChinh: the applicant, as
  the national portal's synchronisation carries them. Personal data: the export is for an agency's
  officers and for keys scoped to that agency (or the province), and every export is audited.
- LePhi: the fee in whole dong.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import func, select

from portal.domain.dossier_status import DossierStatus, reporting_bucket
from portal.domain.spreadsheet import csv_cell
from portal.domain.w3c import w3c
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db

EXPORT_VERSION = "1"
LIMIT = 1000
CHANNEL = {"counter": 1, "online": 2, "post": 3}
FIELDS = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaCoQuan",
    "TenCoQuan",
    "KenhThucHien",
    "TrangThaiHoSo",
    "TinhTrangXuLy",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTraKetQua",
    "NgayCapNhat",
    "HoTenNguoiNop",
    "SoGiayToChuHoSo",
    "SoDienThoai",
    "Email",
    "DiaChi",
    "MaDonViHanhChinh",
    "LePhi",
)


def changed(
    agency_id: int | None, since: datetime | None, after_id: int = 0
) -> list[tuple[Dossier, datetime]]:
    """Dossiers of the agency (None: the province) whose timeline changed after `since`, with their last
    change, in id order from `after_id` (keyset paging), at most LIMIT."""
    last = (
        select(Event.subject_id.label("dossier_id"), func.max(Event.occurred_at).label("changed_at"))
        .where(Event.subject_type == "dossier")
        .group_by(Event.subject_id)
        .subquery()
    )
    statement = select(Dossier, last.c.changed_at).join(last, last.c.dossier_id == Dossier.id)
    if agency_id is not None:
        statement = statement.where(Dossier.agency_id == agency_id)
    if since is not None:
        statement = statement.where(last.c.changed_at > since)
    statement = statement.where(Dossier.id > after_id).order_by(Dossier.id).limit(LIMIT)
    return [(dossier, moment) for dossier, moment in db.session.execute(statement)]


def record(dossier: Dossier, changed_at: datetime) -> dict:
    status = DossierStatus(dossier.status)
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.national_code or "",
        "TenTTHC": dossier.procedure.name,
        "MaCoQuan": dossier.agency.code,
        "TenCoQuan": dossier.agency.name,
        "KenhThucHien": CHANNEL[dossier.channel],
        "TrangThaiHoSo": status.value,
        "TinhTrangXuLy": reporting_bucket(status),
        "NgayNopHoSo": w3c(dossier.submitted_at),
        "NgayTiepNhan": w3c(dossier.received_at),
        "NgayHenTra": dossier.appointment_on.isoformat() if dossier.appointment_on else None,
        "NgayKetThucXuLy": w3c(dossier.finished_at),
        "NgayTraKetQua": w3c(dossier.returned_at),
        "NgayCapNhat": w3c(changed_at),
        "HoTenNguoiNop": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.id_number,
        "SoDienThoai": dossier.phone,
        "Email": dossier.email,
        "DiaChi": dossier.address,
        "MaDonViHanhChinh": dossier.admin_unit_code,
        "LePhi": dossier.fee_vnd,
    }


def as_csv(records: list[dict]) -> str:
    """UTF-8 with a byte-order mark (spreadsheets here open it as UTF-8), one header row, FIELDS order."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in records:
        # Applicant names, addresses, e-mails are typed by people: a cell that is a formula is written inert.
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return out.getvalue()
