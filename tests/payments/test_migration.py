"""Migration f27827c89a1d with data (SQLite and PostgreSQL): a seeded database from before it goes up, keeps
every row and its money, then takes a finance account and credits above 32 bits; and down again only when the
older schema can hold what is there."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal import demo
from portal.calendar import version as calendar_version
from portal.extensions import db
from portal.privacy import consents as privacy_consents
from tests.conftest import build_app
from tests.support.databases import throwaway_database

BEFORE = "95b58b040fb5"  # the form-nonce migration, the one just before
PAGE_VERSIONED = ("feedback_items", "dossiers")  # a later revision's column, which today's models write
# Later revisions' columns that today's models write too (table, column, type): there only while seeding.
LATER_COLUMNS = (
    ("procedures", "afternoon_cutoff", "BOOLEAN NOT NULL DEFAULT false"),
    ("feedback_items", "forwarded_at", "TIMESTAMP WITH TIME ZONE"),
    ("feedback_items", "queue_rank", "SMALLINT"),
    ("dossiers", "fee_basis", "TEXT NOT NULL DEFAULT ''"),
    ("payments", "receipt_series", "VARCHAR(12)"),
    ("payments", "receipt_number", "INTEGER"),
    ("payments", "refunded_vnd", "BIGINT NOT NULL DEFAULT 0"),
    ("payments", "refunded_at", "TIMESTAMP WITH TIME ZONE"),
    ("payments", "refunded_by_id", "INTEGER"),
)
TABLES = ("accounts", "agencies", "procedures", "dossiers", "payments", "bank_transactions", "events")


@pytest.fixture
def seeded_before(tmp_path, monkeypatch):
    """An app whose database is at the revision before this one, with the demo data (no finance account yet)."""
    with throwaway_database(tmp_path, "money") as url:
        application = build_app(tmp_path, url)
        with application.app_context():
            upgrade(revision=BEFORE)
            # The calendar_version table (a later revision) does not exist yet: the demo's calendar rows
            # are seeded and read without it, as they were when this revision was the newest.
            monkeypatch.setattr(calendar_version, "new_token", lambda connection: "")
            monkeypatch.setattr(calendar_version, "current_token", lambda: calendar_version.NO_ROW)
            # Nor does the page_version column (portal/tracking/versions.py): there only while seeding.
            for table in PAGE_VERSIONED:
                run(f"ALTER TABLE {table} ADD COLUMN page_version BIGINT NOT NULL DEFAULT 0")
            for table, column, kind in LATER_COLUMNS:
                run(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            # Nor the privacy tables and the dossiers' restricted_at (portal/privacy): no consent rows are
            # written, and the column is there only while seeding.
            monkeypatch.setattr(privacy_consents, "_rows_for", lambda session, item: [])
            run("ALTER TABLE dossiers ADD COLUMN restricted_at TIMESTAMP")
            monkeypatch.setattr(
                demo, "DEMO_ACCOUNTS", tuple(a for a in demo.DEMO_ACCOUNTS if a.role != "finance")
            )
            demo.seed_demo()
            db.session.commit()
            for table in PAGE_VERSIONED:
                run(f"ALTER TABLE {table} DROP COLUMN page_version")
            for table, column, _kind in LATER_COLUMNS:
                run(f"ALTER TABLE {table} DROP COLUMN {column}")
            run("ALTER TABLE dossiers DROP COLUMN restricted_at")
            try:
                yield application
            finally:
                db.session.remove()
                db.engine.dispose()


def counts() -> dict:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES
        }


def money() -> list:
    with db.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text("SELECT reference, amount_vnd, received_vnd FROM payments ORDER BY id")
            )
        ]


def revision() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def run(sql: str, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), values)


def test_upgrade_keeps_the_data_and_takes_finance_and_big_amounts(seeded_before):
    rows, amounts = counts(), money()
    assert rows["payments"] and rows["events"]
    upgrade()
    assert counts() == rows and money() == amounts
    assert "webhook_refusals" in inspect(db.engine).get_table_names()
    # The province-wide finance role, without an agency; still no unknown role, no agency-less processor.
    run(
        "INSERT INTO accounts (email, full_name, password_hash, role, locale, is_enabled, session_version, "
        "created_at) VALUES ('kt@example.vn', 'Kế toán', 'x', 'finance', 'vi', true, 1, '2026-12-05 00:00:00')"
    )
    for role in ("bogus", "processor"):
        with pytest.raises(IntegrityError):
            run(
                "INSERT INTO accounts (email, full_name, password_hash, role, locale, is_enabled, session_version, "
                "created_at) VALUES (:email, 'X', 'x', :role, 'vi', true, 1, '2026-12-05 00:00:00')",
                email=f"{role}@example.vn",
                role=role,
            )
    # 64-bit money: 3,000,000,000 dong and 10^15 are stored and read back exactly.
    for number, amount in enumerate((3_000_000_000, 2_147_483_648, 10**15)):
        run(
            "INSERT INTO bank_transactions (bank_transaction_id, amount_vnd, description, account_number, "
            "received_at, source, state) VALUES (:id, :amount, '', '', '2026-12-05 00:00:00', 'statement', "
            "'unmatched')",
            id=f"BIG-{number}",
            amount=amount,
        )
        run(
            "UPDATE payments SET received_vnd = :amount WHERE id = (SELECT min(id) FROM payments)",
            amount=amount,
        )
        with db.engine.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT amount_vnd FROM bank_transactions WHERE bank_transaction_id = :id"),
                    {"id": f"BIG-{number}"},
                ).scalar_one()
                == amount
            )
            assert connection.execute(text("SELECT max(received_vnd) FROM payments")).scalar_one() == amount


def test_downgrade_refuses_to_lose_a_finance_account_then_goes_down_with_the_data(seeded_before):
    rows, amounts = counts(), money()
    upgrade()
    run(
        "INSERT INTO accounts (email, full_name, password_hash, role, locale, is_enabled, session_version, "
        "created_at) VALUES ('kt@example.vn', 'Kế toán', 'x', 'finance', 'vi', true, 1, '2026-12-05 00:00:00')"
    )
    with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError's message and exits
        downgrade(revision=BEFORE)
    assert revision() != BEFORE and counts()["accounts"] == rows["accounts"] + 1
    run("DELETE FROM accounts WHERE email = 'kt@example.vn'")
    downgrade(revision=BEFORE)
    assert counts() == rows and money() == amounts
    assert "webhook_refusals" not in inspect(db.engine).get_table_names()
    assert not [name for name in inspect(db.engine).get_table_names() if name.startswith("_alembic_tmp")]
    upgrade()
    assert counts() == rows and money() == amounts


def test_downgrade_never_truncates_a_64_bit_amount(seeded_before):
    upgrade()
    run(
        "INSERT INTO bank_transactions (bank_transaction_id, amount_vnd, description, account_number, received_at, "
        "source, state) VALUES ('BIG', 3000000000, '', '', '2026-12-05 00:00:00', 'statement', 'unmatched')"
    )
    if db.engine.dialect.name == "postgresql":  # 32-bit columns again: refused while such a value is there
        with pytest.raises(SystemExit):
            downgrade(revision=BEFORE)
        assert revision() != BEFORE
        run("DELETE FROM bank_transactions WHERE bank_transaction_id = 'BIG'")
        downgrade(revision=BEFORE)
    else:  # SQLite's INTEGER is 64-bit on either side of this revision: the value goes down intact
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT amount_vnd FROM bank_transactions WHERE bank_transaction_id = 'BIG'")
                ).scalar_one()
                == 3 * 10**9
            )
    assert revision() == BEFORE
