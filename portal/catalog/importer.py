"""Read the procedure catalogue CSV (columns of shared/data/procedures.csv) and upsert it.

Every row is validated before anything is written, so a file with one bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.domain.fees import online_charge_allowed
from portal.domain.text import clean, fold
from portal.extensions import db

from .models import Procedure, RequiredDocument

REQUIRED_COLUMNS = (
    "ten_thu_tuc",
    "linh_vuc",
    "cap_thuc_hien",
    "co_quan_giai_quyet",
    "thoi_han_ngay_lam_viec",
    "muc_do_dvc",
    "thanh_phan_ho_so",
)
LEVELS = {
    "xã": "commune",
    "tỉnh": "province",
    "xã / tỉnh": "both",
    "commune": "commune",
    "province": "province",
    "both": "both",
}
ONLINE = {
    "toàn trình": "full",
    "một phần": "partial",
    "trực tiếp": "none",
    "full": "full",
    "partial": "partial",
    "none": "none",
}
# Optional: the charge of a dossier submitted online, where the law sets another (Circular 75/2022/TT-BTC).
ONLINE_CHARGE_COLUMN = "le_phi_truc_tuyen_vnd"
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
LOCAL_CODE = re.compile(r"^[A-Z]{2}-\d{3,6}$")
# English names of the fields of the starter catalogue; unknown fields keep their Vietnamese name.
AREA_EN = {
    "Hộ tịch": "Civil status",
    "Cư trú": "Residence",
    "BHYT": "Health insurance",
    "Chứng thực": "Certification",
    "Lý lịch tư pháp": "Judicial records",
    "Đăng ký, quản lý cư trú": "Residence registration",
    "Căn cước": "Identity cards",
    "Thành lập và hoạt động của hộ kinh doanh": "Household businesses",
    "Thành lập và hoạt động doanh nghiệp": "Enterprises",
    "Hoạt động xây dựng": "Construction",
    "Đất đai": "Land",
    "Bảo trợ xã hội": "Social protection",
    "Việc làm": "Employment",
    "An toàn thực phẩm": "Food safety",
    "Xuất nhập cảnh": "Exit and entry",
    "Đường bộ": "Road transport",
}
# Which provincial agency decides, recognised from the deciding body's name.
AGENCY_HINTS = (
    ("Sở Tài chính", "so-tai-chinh"),
    ("Sở Nội vụ", "so-noi-vu"),
    ("Sở Y tế", "so-y-te"),
    ("đăng ký đất đai tỉnh", "so-nong-nghiep-moi-truong"),
    ("Công an tỉnh", "cong-an-tinh"),
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


@dataclass(frozen=True)
class ProcedureRow:
    line: int
    values: dict


def _int_or_none(text: str) -> int | None:
    text = text.strip().replace(".", "").replace(",", "")
    return int(text) if text else None


def parse_row(line: int, raw: dict[str, str], agencies: dict[str, int]) -> ProcedureRow:
    """Turn one CSV row into Procedure values; raise ValueError with a translated message."""
    row = {key: clean(value or "") for key, value in raw.items() if key}
    missing = [name for name in REQUIRED_COLUMNS if not row.get(name)]
    if missing:
        raise ValueError(_l("missing value in column(s): %(columns)s", columns=", ".join(missing)))
    national = row.get("ma_tthc", "")
    if national and not NATIONAL_CODE.match(national):
        raise ValueError(_l("national code %(code)s is not of the form 1.001193", code=national))
    local = row.get("ma_noi_bo", "") or (f"SL-{int(row['stt']):03d}" if row.get("stt", "").isdigit() else "")
    if not national and not LOCAL_CODE.match(local):
        raise ValueError(_l("a row without a national code needs a number in column stt"))
    level = LEVELS.get(row["cap_thuc_hien"].lower())
    if level is None:
        raise ValueError(_l("unknown level %(value)s", value=row["cap_thuc_hien"]))
    online = ONLINE.get(row["muc_do_dvc"].lower())
    if online is None:
        raise ValueError(_l("unknown online level %(value)s", value=row["muc_do_dvc"]))
    try:
        days = int(row["thoi_han_ngay_lam_viec"])
        charge, fee = _int_or_none(row.get("le_phi_vnd", "")), _int_or_none(row.get("phi_vnd", ""))
        # The charge of a dossier submitted online where the law sets another (Circular 75/2022/TT-BTC);
        # empty: the same as at the counter (portal.domain.fees).
        online_charge = _int_or_none(row.get(ONLINE_CHARGE_COLUMN, ""))
    except ValueError:
        raise ValueError(_l("time limit and fees must be whole numbers")) from None
    if days < 0 or days > 365 or any((amount or 0) < 0 for amount in (charge, fee, online_charge)):
        raise ValueError(_l("time limit or fee out of range"))
    if not online_charge_allowed(charge, online_charge):
        raise ValueError(_l("the charge when submitted online is more than at the counter"))
    body = row["co_quan_giai_quyet"]
    agency_id = next(
        (agencies.get(slug) for hint, slug in AGENCY_HINTS if hint.lower() in body.lower()), None
    )
    area = row["linh_vuc"]
    area_en = "; ".join(AREA_EN.get(part.strip(), part.strip()) for part in area.split(";"))
    documents = [clean(part) for part in row["thanh_phan_ho_so"].split("|") if clean(part)]
    code, name, name_en = national or local, row["ten_thu_tuc"], row.get("english_gloss", "")
    values = dict(
        code=code,
        national_code=national or None,
        name=name,
        name_en=name_en,
        area=area,
        level=level,
        deciding_body=body,
        agency_id=agency_id if level != "commune" else None,
        processing_days=days,
        same_day=row.get("giai_quyet_trong_ngay", "").lower() in ("có", "yes") or days == 0,
        time_note=row.get("thoi_han_ghi_chu", ""),
        charge_vnd=charge,
        fee_vnd=fee,
        fee_note=row.get("phi_le_phi_ghi_chu", ""),
        fee_source=row.get("muc_phi_nguon", ""),
        online_level=online,
        legal_basis=row.get("can_cu_phap_ly", ""),
        source=row.get("nguon", ""),
        confidence=row.get("do_tin_cay", ""),
        notes=row.get("ghi_chu", ""),
    )
    if ONLINE_CHARGE_COLUMN in raw:
        # A file without the column (the shared catalogue's copy, an older export) says nothing about the online
        # charge: an existing procedure keeps the one it has (the migration's, an administrator's).
        values["online_charge_vnd"] = online_charge
    values["search_key"] = fold(" ".join([code, name, name_en, area, area_en, body]))
    return ProcedureRow(line, {**values, "area_en": area_en, "documents": documents})


def read_rows(text: str, agencies: dict[str, int]) -> tuple[list[ProcedureRow], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    absent = [name for name in REQUIRED_COLUMNS if name not in header]
    if absent:
        return [], [(1, str(_l("missing column(s): %(columns)s", columns=", ".join(absent))))]
    rows: list[ProcedureRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        try:
            parsed = parse_row(line, raw, agencies)
        except ValueError as error:
            errors.append((line, str(error)))
            continue
        code = parsed.values["code"]
        if code in seen:
            errors.append((line, str(_l("code %(code)s repeats line %(line)s", code=code, line=seen[code]))))
            continue
        seen[code] = line
        rows.append(parsed)
    if not rows and not errors:
        errors.append((1, str(_l("the file has no procedures"))))
    return rows, errors


def import_procedures(
    text: str, progress: Callable[[Iterable], Iterable] = lambda rows: rows
) -> ImportReport:
    """Validate the whole file, then create or update each procedure by code. Flushes, never commits."""
    agencies = dict(db.session.execute(select(Agency.slug, Agency.id)).all())
    rows, errors = read_rows(text, agencies)
    report = ImportReport(errors=errors)
    if errors:
        return report
    existing = {p.code: p for p in db.session.scalars(select(Procedure))}
    for row in progress(rows):
        values = dict(row.values)
        documents = values.pop("documents")
        procedure = existing.get(values["code"])
        if procedure is None:
            procedure = Procedure(**values)
            db.session.add(procedure)
            report.created += 1
        else:
            for key, value in values.items():
                setattr(procedure, key, value)
            report.updated += 1
        procedure.documents = [RequiredDocument(position=i, name=name) for i, name in enumerate(documents, 1)]
    db.session.flush()
    return report
