"""The catalogue importer: parse_row/read_rows on plain dicts and text, then import_procedures on the DB."""

from __future__ import annotations

import csv
import io
import unicodedata
from importlib.resources import files

import pytest
from sqlalchemy import func, select

from portal.catalog.importer import import_procedures, parse_row, read_rows
from portal.catalog.models import Procedure, RequiredDocument
from portal.domain.text import fold
from portal.extensions import db

SHIPPED = files("portal.catalog").joinpath("data/procedures.csv").read_text(encoding="utf-8")
HEADER = next(csv.reader(io.StringIO(SHIPPED)))
AGENCIES = {
    "cong-an-tinh": 10,
    "so-tai-chinh": 11,
    "so-noi-vu": 12,
    "so-y-te": 13,
    "so-nong-nghiep-moi-truong": 14,
}


def shipped(stt: str) -> dict[str, str]:
    return next(row for row in csv.DictReader(io.StringIO(SHIPPED)) if row["stt"] == stt)


def row(**changes: str) -> dict[str, str]:
    """Row 1 of the shipped file (Đăng ký khai sinh, 1.001193) with some columns changed."""
    return {**shipped("1"), **changes}


def parse(**changes: str) -> dict:
    return parse_row(2, row(**changes), AGENCIES).values


def to_csv(rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# parse_row ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("xã", "commune"),
        ("tỉnh", "province"),
        ("xã / tỉnh", "both"),
        ("Xã", "commune"),
        ("TỈNH", "province"),
        ("  xã  /  tỉnh ", "both"),
        ("commune", "commune"),
        ("province", "province"),
        ("both", "both"),
    ],
)
def test_levels(text, level):
    assert parse(cap_thuc_hien=text)["level"] == level


def test_levels_in_decomposed_unicode():
    assert parse(cap_thuc_hien=unicodedata.normalize("NFD", "xã / tỉnh"))["level"] == "both"


@pytest.mark.parametrize("text", ["huyện", "xã/phường", "cấp xã", "district"])
def test_unknown_level_is_refused(text):
    with pytest.raises(ValueError, match=f"unknown level {text}"):
        parse(cap_thuc_hien=text)


@pytest.mark.parametrize(
    ("text", "online"),
    [
        ("toàn trình", "full"),
        ("Toàn trình", "full"),
        ("một phần", "partial"),
        ("trực tiếp", "none"),
        ("full", "full"),
        ("partial", "partial"),
        ("none", "none"),
    ],
)
def test_online_levels(text, online):
    assert parse(muc_do_dvc=text)["online_level"] == online


def test_unknown_online_level_is_refused():
    with pytest.raises(ValueError, match="unknown online level mức độ 4"):
        parse(muc_do_dvc="mức độ 4")


@pytest.mark.parametrize(
    ("flag", "days", "same_day"),
    [
        ("có", "0", True),
        ("Có", "1", True),
        ("yes", "2", True),
        ("không", "3", False),
        ("", "5", False),
        ("không", "0", True),
        ("", "0", True),  # zero working days is a same-day procedure whatever the flag says
    ],
)
def test_same_day_flag(flag, days, same_day):
    values = parse(giai_quyet_trong_ngay=flag, thoi_han_ngay_lam_viec=days)
    assert values["same_day"] is same_day
    assert values["processing_days"] == int(days)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("8.000", 8000),
        ("8000", 8000),
        ("1.200.000", 1200000),
        ("200,000", 200000),
        ("0", 0),
        ("", None),
        (" 50.000 ", 50000),
    ],
)
def test_fee_parsing(text, amount):
    values = parse(phi_vnd=text, le_phi_vnd=text)
    assert values["fee_vnd"] == amount
    assert values["charge_vnd"] == amount


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phi_vnd": "miễn phí"}, "time limit and fees must be whole numbers"),
        ({"le_phi_vnd": "50.000 đ"}, "time limit and fees must be whole numbers"),
        ({"thoi_han_ngay_lam_viec": "3 ngày"}, "time limit and fees must be whole numbers"),
        ({"thoi_han_ngay_lam_viec": "-1"}, "time limit or fee out of range"),
        ({"thoi_han_ngay_lam_viec": "366"}, "time limit or fee out of range"),
        ({"phi_vnd": "-5.000"}, "time limit or fee out of range"),
    ],
)
def test_bad_numbers_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        parse(**changes)


@pytest.mark.parametrize(
    ("body", "level", "agency"),
    [
        ("Công an tỉnh Sơn La (từ 01/3/2025; trước đó Sở Tư pháp)", "tỉnh", "cong-an-tinh"),
        ("Phòng Quản lý xuất nhập cảnh – Công an tỉnh Sơn La", "tỉnh", "cong-an-tinh"),
        ("Phòng Đăng ký kinh doanh – Sở Tài chính tỉnh Sơn La", "tỉnh", "so-tai-chinh"),
        ("Văn phòng đăng ký đất đai tỉnh / Chi nhánh", "tỉnh", "so-nong-nghiep-moi-truong"),
        ("Sở Nội vụ tỉnh Sơn La", "tỉnh", "so-noi-vu"),
        ("Công an cấp xã hoặc Phòng Cảnh sát QLHC về TTXH (PC06) Công an tỉnh", "xã / tỉnh", "cong-an-tinh"),
        ("CÔNG AN TỈNH SƠN LA", "tỉnh", "cong-an-tinh"),
        (unicodedata.normalize("NFD", "Công an tỉnh Sơn La"), "tỉnh", "cong-an-tinh"),
        ("UBND tỉnh Sơn La", "tỉnh", None),  # no hint: the agency is left for an admin to set
        ("Công an cấp xã", "xã", None),
        ("Công an tỉnh Sơn La", "xã", None),  # commune procedures are handled by each commune, not one agency
    ],
)
def test_provincial_agency_detection(body, level, agency):
    values = parse(co_quan_giai_quyet=body, cap_thuc_hien=level)
    assert values["agency_id"] == (AGENCIES[agency] if agency else None)


def test_agency_hint_for_an_agency_not_in_the_database():
    values = parse_row(2, row(co_quan_giai_quyet="Công an tỉnh Sơn La", cap_thuc_hien="tỉnh"), {}).values
    assert values["agency_id"] is None


def test_national_code():
    values = parse()
    assert values["code"] == values["national_code"] == "1.001193"


def test_local_code_from_the_row_number():
    values = parse_row(3, shipped("2"), AGENCIES).values
    assert values["code"] == "SL-002"
    assert values["national_code"] is None


def test_local_code_column_wins_over_the_row_number():
    values = parse_row(3, {**shipped("2"), "ma_noi_bo": "SL-1234"}, AGENCIES).values
    assert values["code"] == "SL-1234"


def test_row_without_any_code_is_refused():
    with pytest.raises(ValueError, match="needs a number in column stt"):
        parse_row(3, {**shipped("2"), "stt": ""}, AGENCIES)


@pytest.mark.parametrize("code", ["1001193", "1.00119", "1.0011933", "a.001193", "1-001193"])
def test_malformed_national_code_is_refused(code):
    with pytest.raises(ValueError, match=f"national code {code} is not of the form 1.001193"):
        parse(ma_tthc=code)


@pytest.mark.parametrize(
    "column",
    [
        "ten_thu_tuc",
        "linh_vuc",
        "cap_thuc_hien",
        "co_quan_giai_quyet",
        "thoi_han_ngay_lam_viec",
        "muc_do_dvc",
        "thanh_phan_ho_so",
    ],
)
def test_empty_required_value_is_refused(column):
    with pytest.raises(ValueError, match=rf"missing value in column\(s\): {column}"):
        parse(**{column: "  "})


def test_search_key_is_folded():
    values = parse()
    key = values["search_key"]
    assert key == fold(key), "no capitals, tone marks or đ"
    for term in (
        "1.001193",
        "dang ky khai sinh",
        "birth registration",
        "ho tich",
        "civil status",
        "ubnd cap xa",
    ):
        assert term in key


def test_english_area_names():
    assert parse(linh_vuc="Hộ tịch; Cư trú; BHYT")["area_en"] == "Civil status; Residence; Health insurance"
    assert parse(linh_vuc="Thủy lợi")["area_en"] == "Thủy lợi"  # unknown fields keep their Vietnamese name


def test_documents_are_split_on_bars():
    assert parse()["documents"] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh (hoặc văn bản người làm chứng / giấy cam đoan về việc sinh)",
        "Giấy tờ tùy thân của người đi đăng ký (xuất trình) hoặc xác thực VNeID",
        "Giấy chứng nhận kết hôn của cha mẹ (nếu có; có thể khai thác CSDL hộ tịch)",
    ]
    assert parse(thanh_phan_ho_so="Đơn | | Bản sao\u200b | ")["documents"] == ["Đơn", "Bản sao"]


def test_text_is_cleaned():
    decomposed = unicodedata.normalize("NFD", "Đăng  ký\tkhai sinh\u200b")
    assert parse(ten_thu_tuc=decomposed)["name"] == "Đăng ký khai sinh"


# read_rows ---------------------------------------------------------------------------------------


def test_the_shipped_catalogue_reads_cleanly():
    rows, errors = read_rows(SHIPPED, AGENCIES)
    assert errors == []
    assert len(rows) == 34
    codes = [parsed.values["code"] for parsed in rows]
    assert len(set(codes)) == len(codes)
    assert [parsed.line for parsed in rows] == list(range(2, 36))
    without_national_code = [raw["stt"] for raw in csv.DictReader(io.StringIO(SHIPPED)) if not raw["ma_tthc"]]
    assert sorted(code for code in codes if code.startswith("SL-")) == [
        f"SL-{int(stt):03d}" for stt in without_national_code
    ]
    assert {parsed.values["level"] for parsed in rows} == {"commune", "province", "both"}


def test_byte_order_mark_is_ignored():
    rows, errors = read_rows("\ufeff" + to_csv([row()]), AGENCIES)
    assert errors == [] and [parsed.values["code"] for parsed in rows] == ["1.001193"]


def test_missing_column_is_reported_on_line_one():
    header = [name for name in HEADER if name not in ("muc_do_dvc", "linh_vuc")]
    rows, errors = read_rows(to_csv([row()], header), AGENCIES)
    assert rows == []
    assert errors == [(1, "missing column(s): linh_vuc, muc_do_dvc")]


def test_every_bad_row_is_reported_with_its_line():
    text = to_csv(
        [
            row(),
            shipped("2"),
            row(cap_thuc_hien="huyện", ma_tthc="1.000894"),
            row(),
            row(ma_tthc="1.000656", thoi_han_ngay_lam_viec="ba"),
        ]
    )
    rows, errors = read_rows(text, AGENCIES)
    assert [parsed.values["code"] for parsed in rows] == ["1.001193", "SL-002"]
    assert errors == [
        (4, "unknown level huyện"),
        (5, "code 1.001193 repeats line 2"),
        (6, "time limit and fees must be whole numbers"),
    ]


def test_line_numbers_count_physical_lines():
    # A quoted note that spans two lines shifts the following rows by one line.
    text = to_csv([row(ghi_chu="dòng một\ndòng hai"), row(ma_tthc="1.000894", cap_thuc_hien="huyện")])
    rows, errors = read_rows(text, AGENCIES)
    assert errors == [(4, "unknown level huyện")]


def test_file_without_procedures():
    assert read_rows(to_csv([]), AGENCIES) == ([], [(1, "the file has no procedures")])
    assert read_rows("", AGENCIES)[1] != []


# import_procedures -------------------------------------------------------------------------------


def procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_updates_by_code_and_replaces_documents(app):
    before = count(Procedure)
    text = to_csv(
        [
            row(phi_vnd="8.000", thanh_phan_ho_so="Tờ khai | Giấy chứng sinh"),
            {**shipped("2"), "stt": "97", "ten_thu_tuc": "Thủ tục mới"},
        ]
    )

    report = import_procedures(text)

    assert (report.created, report.updated, report.errors) == (1, 1, [])
    assert count(Procedure) == before + 1
    db.session.expire_all()
    updated = procedure("1.001193")
    assert updated.fee_vnd == 8000
    assert [(document.position, document.name) for document in updated.documents] == [
        (1, "Tờ khai"),
        (2, "Giấy chứng sinh"),
    ]
    orphans = (
        select(func.count()).select_from(RequiredDocument).where(RequiredDocument.procedure_id.is_(None))
    )
    assert db.session.scalar(orphans) == 0
    created = procedure("SL-097")
    assert created.name == "Thủ tục mới" and created.level == "commune"


def test_import_of_the_shipped_file_again_changes_nothing(app):
    before = (count(Procedure), count(RequiredDocument))
    report = import_procedures(SHIPPED)
    assert (report.created, report.updated, report.errors) == (0, 34, [])
    assert (count(Procedure), count(RequiredDocument)) == before


def test_import_with_a_bad_row_writes_nothing(app):
    before = (count(Procedure), procedure("1.001193").fee_vnd)
    text = to_csv(
        [row(phi_vnd="8.000"), {**shipped("2"), "stt": "96"}, row(ma_tthc="1.000894", muc_do_dvc="?")]
    )
    # A request context: the error messages are translated (see the CLI test for the bug without one).
    with app.test_request_context("/?lang=en"):
        report = import_procedures(text)
    assert report.errors == [(4, "unknown online level ?")]
    assert (report.created, report.updated) == (0, 0)
    db.session.expire_all()
    assert (count(Procedure), procedure("1.001193").fee_vnd) == before
    assert procedure("SL-096") is None


# the online charge (le_phi_truc_tuyen_vnd) -------------------------------------------------------------

# Circular 75/2022/TT-BTC, counter / online (VIETNAM.md §12), as rows 15, 16, 17 and 19 of the shipped file.
RESIDENCE_CHARGES = {
    "15": ("1.004222", 20_000, 10_000),  # Đăng ký thường trú
    "16": ("1.004194", 15_000, 7_000),  # Đăng ký tạm trú
    "17": ("1.002755", 15_000, 7_000),  # Gia hạn tạm trú
    "19": ("1.010038", 10_000, 5_000),  # Tách hộ
}


@pytest.mark.parametrize(
    ("text", "amount"), [("10.000", 10_000), ("7000", 7_000), ("0", 0), ("", None), (" 5,000 ", 5_000)]
)
def test_the_online_charge_column_is_read(text, amount):
    values = parse(le_phi_vnd="20000", le_phi_truc_tuyen_vnd=text)
    assert (values["charge_vnd"], values["online_charge_vnd"]) == (20_000, amount)


def test_a_file_without_the_online_charge_column_says_nothing_of_it():
    header = [name for name in HEADER if name != "le_phi_truc_tuyen_vnd"]
    rows, errors = read_rows(to_csv([shipped("15")], header), AGENCIES)
    assert errors == [] and "online_charge_vnd" not in rows[0].values


def test_importing_a_file_without_the_column_keeps_the_online_charges(app):
    """Found by review: the shared catalogue's copy has no online column, and importing it set every
    procedure's online charge to NULL, so online dossiers owed the counter's charge again, silently. A file
    without the column leaves them as they are (TT 75/2022/TT-BTC: 10.000 ₫ online for 1.004222); a
    procedure it creates has none (the counter's amount online)."""
    assert procedure("1.004222").online_charge_vnd == 10_000
    header = [name for name in HEADER if name != "le_phi_truc_tuyen_vnd"]
    new = {**shipped("15"), "ma_tthc": "", "stt": "990", "ten_thu_tuc": "Thủ tục thử"}
    report = import_procedures(to_csv([shipped("15"), new], header))
    assert (report.errors, report.updated, report.created) == ([], 1, 1)
    db.session.expire_all()
    assert procedure("1.004222").online_charge_vnd == 10_000
    assert procedure("SL-990").online_charge_vnd is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mười nghìn", "time limit and fees must be whole numbers"),
        ("-5.000", "time limit or fee out of range"),
        ("25.000", "the charge when submitted online is more than at the counter"),
    ],
)
def test_a_bad_online_charge_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse(le_phi_vnd="20000", le_phi_truc_tuyen_vnd=text)


@pytest.mark.parametrize("stt", sorted(RESIDENCE_CHARGES))
def test_the_shipped_file_has_the_residence_charges_online(app, stt):
    code, counter, online = RESIDENCE_CHARGES[stt]
    values = parse_row(2, shipped(stt), AGENCIES).values
    assert (values["code"], values["charge_vnd"], values["online_charge_vnd"]) == (code, counter, online)
    seeded = procedure(code)
    assert (seeded.total_fee_vnd, seeded.online_fee_vnd) == (counter, online)


def test_import_sets_and_clears_the_online_charge(app):
    import_procedures(to_csv([{**shipped("15"), "le_phi_truc_tuyen_vnd": ""}]))
    db.session.expire_all()
    assert procedure("1.004222").online_charge_vnd is None
    import_procedures(to_csv([{**shipped("15"), "le_phi_truc_tuyen_vnd": "10.000"}]))
    db.session.expire_all()
    assert procedure("1.004222").online_charge_vnd == 10_000
