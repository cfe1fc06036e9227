"""The `flask` commands: seed-demo, import-procedures and create-account, on the shared database."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from importlib.resources import files

import pytest
from babel.support import Translations
from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar.models import CalendarDay
from portal.catalog.models import Procedure
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import FeedbackCategory
from portal.places.models import AdminUnit
from portal.settings import ROOT
from tests.conftest import build_app
from tests.support.databases import throwaway_database

MODELS = (AdminUnit, Agency, FeedbackCategory, CalendarDay, Procedure, Account)
SHIPPED = files("portal.catalog").joinpath("data/procedures.csv").read_text(encoding="utf-8")
STRONG_PASSWORD = "Muong-La-ban-2026"  # noqa: S105 - test data


@pytest.fixture
def runner(_isolated, app):
    """A CLI runner on the shared app, inside the test's rolled-back transaction.

    Workaround for tests/conftest.py on SQLite: the commands commit, and pysqlite emits no BEGIN for
    the fixture's outer transaction, so the session's SAVEPOINT opens the real transaction and the
    commit's RELEASE makes it durable; the rows would then leak into every later test. An explicit
    BEGIN makes the savepoint nested, so the fixture's rollback undoes the commands' work. (A no-op
    once conftest begins SQLite transactions itself; PostgreSQL needs nothing.)
    """
    connection = db.session.bind
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    return app.test_cli_runner()


def in_either_language(msgid: str, **params) -> tuple[str, str]:
    """The message as the English msgid and as the vi catalog translates it (the CLI may use either)."""
    vietnamese = Translations.load(str(ROOT / "translations"), ["vi"]).gettext(msgid) or msgid
    return msgid % params, vietnamese % params


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in MODELS
    }


def shipped_rows() -> tuple[list[str], dict[str, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(SHIPPED))
    return list(reader.fieldnames), {row["stt"]: row for row in reader}


def write_csv(path, rows, header=None):
    header = header or shipped_rows()[0]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def birth_registration_row(**changes) -> dict[str, str]:
    return {**shipped_rows()[1]["1"], **changes}


def new_local_row(**changes) -> dict[str, str]:
    row = {
        **shipped_rows()[1]["2"],
        "stt": "99",
        "ma_tthc": "",
        "ten_thu_tuc": "Xác nhận thử nghiệm",
        "english_gloss": "Test confirmation",
        "thoi_han_ngay_lam_viec": "2",
        "giai_quyet_trong_ngay": "không",
        "le_phi_vnd": "",
        "phi_vnd": "12.000",
        "thanh_phan_ho_so": "Đơn đề nghị | Bản sao căn cước",
    }
    return {**row, **changes}


# seed-demo ---------------------------------------------------------------------------------------


def added_counts(output: str) -> dict[str, int]:
    return {name: int(number) for name, number in re.findall(r"(\w+) \+(\d+)", output)}


def test_seed_demo_is_idempotent(runner):
    # Remove one announced day so the first run has something to add back.
    db.session.delete(db.session.get(CalendarDay, date(2026, 8, 22)))
    db.session.flush()
    before = counts()

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert added_counts(first.output)["calendar_days"] == 1
    assert sum(added_counts(first.output).values()) == 1
    after_first = counts()
    assert after_first == {**before, "calendar_days": before["calendar_days"] + 1}

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    added = added_counts(second.output)
    assert set(added) >= {"units", "agencies", "categories", "calendar_days", "procedures", "accounts"}
    assert set(added.values()) == {0}, second.output
    assert counts() == after_first


def test_seed_demo_on_an_unmigrated_database_says_what_to_do(tmp_path):
    # Not the shared `app`: requesting it would pin db.session to the shared, migrated database.
    with throwaway_database(tmp_path, "cli_empty") as url:
        application = build_app(tmp_path, url)
        with application.app_context():  # as `flask` pushes one; app.cli alone does not
            try:
                result = application.test_cli_runner().invoke(args=["seed-demo"])
            finally:
                db.session.remove()
                db.engine.dispose()
    assert result.exit_code != 0
    assert "the database is not ready" in result.output
    assert "db upgrade" in result.output
    assert "Traceback" not in result.output


# import-procedures -------------------------------------------------------------------------------


def test_import_creates_and_updates(runner, tmp_path):
    path = write_csv(tmp_path / "procedures.csv", [birth_registration_row(phi_vnd="8.000"), new_local_row()])
    before = counts()["procedures"]

    result = runner.invoke(args=["import-procedures", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported 2 procedures (1 new, 1 updated)" in result.output
    db.session.expire_all()
    assert counts()["procedures"] == before + 1
    assert procedure("1.001193").fee_vnd == 8000
    created = procedure("SL-099")
    assert created is not None and created.national_code is None
    assert created.name == "Xác nhận thử nghiệm"
    assert (created.processing_days, created.fee_vnd) == (2, 12000)
    assert [document.name for document in created.documents] == ["Đơn đề nghị", "Bản sao căn cước"]


@pytest.mark.parametrize(
    ("bad_row", "line", "problem"),
    [
        (lambda: new_local_row(cap_thuc_hien="huyện"), 4, ("unknown level %(value)s", {"value": "huyện"})),
        (
            lambda: new_local_row(thoi_han_ngay_lam_viec="ba ngày"),
            4,
            ("time limit and fees must be whole numbers", {}),
        ),
        (lambda: new_local_row(phi_vnd="miễn phí"), 4, ("time limit and fees must be whole numbers", {})),
        (
            lambda: birth_registration_row(),
            4,
            ("code %(code)s repeats line %(line)s", {"code": "1.001193", "line": 2}),
        ),
        (
            lambda: new_local_row(ten_thu_tuc=""),
            4,
            ("missing value in column(s): %(columns)s", {"columns": "ten_thu_tuc"}),
        ),
    ],
    ids=["level", "time", "fee", "duplicate", "empty-value"],
)
def test_a_bad_row_imports_nothing(runner, tmp_path, bad_row, line, problem):
    good = [birth_registration_row(phi_vnd="8.000"), new_local_row(stt="98")]
    path = write_csv(tmp_path / "procedures.csv", [*good, bad_row()])
    before = counts()
    fee_before = procedure("1.001193").fee_vnd

    result = runner.invoke(args=["import-procedures", str(path)])

    assert result.exit_code != 0
    assert result.exc_info is None or result.exc_info[0] is SystemExit, "crashed instead of reporting"
    messages = in_either_language(problem[0], **problem[1])
    expected = [f"procedures.csv, line {line}: {message}" for message in messages]
    assert any(text in result.output for text in expected), result.output
    assert "nothing was imported" in result.output
    db.session.expire_all()
    assert counts() == before
    assert procedure("1.001193").fee_vnd == fee_before
    assert procedure("SL-098") is None


def test_a_missing_column_imports_nothing(runner, tmp_path):
    header = [name for name in shipped_rows()[0] if name != "muc_do_dvc"]
    path = write_csv(
        tmp_path / "procedures.csv", [birth_registration_row(phi_vnd="8.000"), new_local_row()], header=header
    )
    before = counts()

    result = runner.invoke(args=["import-procedures", str(path)])

    assert result.exit_code != 0
    assert result.exc_info is None or result.exc_info[0] is SystemExit, "crashed instead of reporting"
    messages = in_either_language("missing column(s): %(columns)s", columns="muc_do_dvc")
    assert any(f"procedures.csv, line 1: {message}" in result.output for message in messages), result.output
    db.session.expire_all()
    assert counts() == before
    assert procedure("1.001193").fee_vnd is None


def test_a_file_that_is_not_utf8_is_refused(runner, tmp_path):
    utf8 = write_csv(tmp_path / "utf8.csv", [birth_registration_row(), new_local_row()])
    text = utf8.read_text(encoding="utf-8")
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1258", errors="replace"))
    before = counts()

    result = runner.invoke(args=["import-procedures", str(path)])

    assert result.exit_code != 0
    assert "excel.csv is not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    assert counts() == before


def test_a_missing_file_is_refused(runner, tmp_path):
    result = runner.invoke(args=["import-procedures", str(tmp_path / "absent.csv")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


# create-account ----------------------------------------------------------------------------------


def create_account(runner, *extra, password=STRONG_PASSWORD, email="Can.Bo.Moi@Example.vn", role="processor"):
    return runner.invoke(
        args=["create-account", "--email", email, "--password", password, "--role", role, *extra]
    )


def test_create_processor_account(runner):
    result = create_account(runner, "--agency", "ubnd-phuong-to-hieu", "--name", "Lò Văn Khánh")

    assert result.exit_code == 0, result.output
    assert "Created processor account can.bo.moi@example.vn" in result.output
    account = db.session.scalar(select(Account).where(Account.email == "can.bo.moi@example.vn"))
    assert account is not None
    assert (account.role, account.full_name, account.agency.slug) == (
        "processor",
        "Lò Văn Khánh",
        "ubnd-phuong-to-hieu",
    )
    assert account.password_hash != STRONG_PASSWORD and STRONG_PASSWORD not in account.password_hash
    created = select(Event).where(
        Event.subject_type == "account", Event.subject_id == account.id, Event.action == "account_created"
    )
    assert db.session.scalar(created) is not None


def test_create_account_prompts_for_the_password_without_echo(runner):
    result = runner.invoke(
        args=["create-account", "--email", "congdan.moi@example.vn", "--role", "citizen"],
        input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert STRONG_PASSWORD not in result.output
    account = db.session.scalar(select(Account).where(Account.email == "congdan.moi@example.vn"))
    assert account.role == "citizen"


@pytest.mark.parametrize(
    ("extra", "overrides", "message"),
    [
        (
            ("--agency", "ubnd-phuong-to-hieu"),
            {"password": "12345678"},
            "password must be not a commonly used password",
        ),
        (
            ("--agency", "ubnd-phuong-to-hieu"),
            {"password": "Ngan7"},
            "password must be at least 8 characters",
        ),
        (("--agency", "ubnd-xa-khong-co"), {}, "unknown agency 'ubnd-xa-khong-co'"),
        ((), {}, "role processor needs an agency"),
        (
            ("--agency", "ubnd-phuong-to-hieu"),
            {"email": "XuLy@demo.sonla.vn"},
            "an account with e-mail xuly@demo.sonla.vn already exists",
        ),
        (("--agency", "ubnd-phuong-to-hieu"), {"email": "not-an-address"}, "invalid e-mail address"),
    ],
    ids=["common-password", "short-password", "unknown-agency", "no-agency", "duplicate-email", "bad-email"],
)
def test_create_account_refusals(runner, extra, overrides, message):
    before = counts()["accounts"]

    result = create_account(runner, *extra, **overrides)

    assert result.exit_code != 0
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert counts()["accounts"] == before
