"""The dossier export: the national layout, scoped to the key's or officer's agency, incremental, audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.events.models import Event
from portal.exports.dossiers import FIELDS
from portal.extensions import db
from tests.support.dossiers import make_dossier
from tests.support.open311 import issue_key

URL = "/exports/v1/dossiers"


def _get(client, secret, suffix="json", **query):
    return client.get(f"{URL}.{suffix}", headers={"X-API-Key": secret}, query_string=query)


def test_a_province_key_exports_every_dossier_in_the_national_layout(client):
    dossier = make_dossier(received=True)
    _key, secret = issue_key("Cổng DVC quốc gia")
    response = _get(client, secret)
    assert response.status_code == 200 and response.headers["X-Export-Version"] == "1"
    body = response.get_json()
    assert body["version"] == "1"
    [row] = [r for r in body["records"] if r["MaHoSo"] == dossier.code]
    assert set(row) == set(FIELDS)  # (JSON objects are unordered; the CSV keeps the order)
    assert row["TrangThaiHoSo"] == 2 and row["KenhThucHien"] == 1 and row["TinhTrangXuLy"] == "open"
    assert row["SoGiayToChuHoSo"] == dossier.id_number and row["NgayTiepNhan"].endswith("+07:00")
    assert db.session.scalar(
        select(Event.note).where(Event.subject_type == "api_key", Event.action == "exported")
    )


def test_csv_has_the_same_fields(client):
    dossier = make_dossier()
    _key, secret = issue_key()
    response = _get(client, secret, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == FIELDS
    assert dossier.code in {row["MaHoSo"] for row in rows}


def test_agency_scope_and_updated_since(client):
    dossier = make_dossier(received=True)
    _own, own = issue_key("Own agency", agency_id=dossier.agency_id)
    codes = {r["MaHoSo"] for r in _get(client, own).get_json()["records"]}
    assert dossier.code in codes
    other_agency = next(r["MaCoQuan"] for r in _get(client, own).get_json()["records"])
    assert other_agency == dossier.agency.code  # only its own agency's dossiers
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _get(client, own, updated_since=future).get_json()["records"] == []
    assert _get(client, own, updated_since="yesterday").status_code == 400


def test_refusals(client):
    assert client.get(f"{URL}.json").status_code == 403
    assert _get(client, "sl_wrong").status_code == 403
    _key, secret = issue_key(reads_per_hour=1)
    assert _get(client, secret).status_code == 200
    limited = _get(client, secret)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert _get(client, secret, "xml").status_code in (404, 429)


def test_leaders_export_their_agency(client, login):
    dossier = make_dossier(received=True)
    login("leader")
    response = client.get("/staff/exports/dossiers.json")
    assert response.status_code == 200
    assert {r["MaCoQuan"] for r in response.get_json()["records"]} <= {dossier.agency.code}


def test_the_766_feed_per_agency_and_day(client):
    from portal.calendar.queries import local_now

    make_dossier(received=True)
    today = local_now().date().isoformat()
    _key, secret = issue_key("IOC")
    response = client.get(
        "/exports/v1/statistics.json", headers={"X-API-Key": secret}, query_string={"day": today}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == "1" and body["day"] == today and "province" in body
    assert body["agencies"] and {"code", "name", "figures", "indicators", "total_points"} <= set(
        body["agencies"][0]
    )
    assert sum(a["figures"].get("received", 0) or 0 for a in body["agencies"]) >= 0
    text = response.get_data(as_text=True)
    assert "+84" not in text and "@" not in text  # counts only
    yesterday = client.get("/exports/v1/statistics.json", headers={"X-API-Key": secret})
    assert yesterday.status_code == 200
    for bad in ("2026-02-30", "tomorrow", "2999-01-01"):
        assert (
            client.get(
                "/exports/v1/statistics.json", headers={"X-API-Key": secret}, query_string={"day": bad}
            ).status_code
            == 400
        )
    assert client.get("/exports/v1/statistics.json").status_code == 403


def test_an_agency_key_sees_its_agency_only(client):
    dossier = make_dossier(received=True)
    _key, secret = issue_key("Xã", agency_id=dossier.agency_id)
    body = client.get("/exports/v1/statistics.json", headers={"X-API-Key": secret}).get_json()
    assert [a["code"] for a in body["agencies"]] == [dossier.agency.code] and "province" not in body


FORMULAS = {"HoTenNguoiNop": '=HYPERLINK("http://evil.example","x")', "DiaChi": "@SUM(1+1)", "Email": "-2+3"}


def _formula_dossier():
    dossier = make_dossier(received=True)
    dossier.applicant_name, dossier.address, dossier.email = FORMULAS.values()
    db.session.commit()
    return dossier


def _row_of(response, code: str) -> dict:
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    [row] = [r for r in rows if r["MaHoSo"] == code]
    return row


def test_the_api_csv_writes_formula_cells_inert(client):
    dossier = _formula_dossier()
    _key, secret = issue_key()
    row = _row_of(_get(client, secret, "csv"), dossier.code)
    for field, typed in FORMULAS.items():
        assert row[field] == "'" + typed
    assert row["MaHoSo"] == dossier.code  # ordinary cells as they are


def test_the_staff_csv_writes_formula_cells_inert(client, login):
    dossier = _formula_dossier()
    login("leader")
    row = _row_of(client.get("/staff/exports/dossiers.csv"), dossier.code)
    for field, typed in FORMULAS.items():
        assert row[field] == "'" + typed
