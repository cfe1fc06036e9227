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
from tests.support.migrations import app_on_empty_database

BEFORE = "95b58b040fb5"  # the form-nonce migration, the one just before
TABLES = ("accounts", "agencies", "procedures", "dossiers", "payments", "bank_transactions", "events")


@pytest.fixture
def seeded_before(tmp_path, monkeypatch):
    """An app whose database is at the revision before this one, with the demo data (no finance account yet)."""
    with app_on_empty_database(tmp_path, "money") as application:
        upgrade(revision=BEFORE)
        # The calendar_version table (a later revision) does not exist yet: the demo's calendar rows
        # are seeded and read without it, as they were when this revision was the newest.
        monkeypatch.setattr(calendar_version, "new_token", lambda connection: "")
        monkeypatch.setattr(calendar_version, "current_token", lambda: calendar_version.NO_ROW)
        # Today's models write tables and columns of later revisions (page versions, receipts, the privacy
        # records, …): there only while seeding, added from the models and dropped again, so the data is
        # as this revision's database held it.
        monkeypatch.setattr(privacy_consents, "_rows_for", lambda session, item: [])
        monkeypatch.setattr(
            demo, "DEMO_ACCOUNTS", tuple(a for a in demo.DEMO_ACCOUNTS if a.role != "finance")
        )
        tables, columns = add_later_schema()
        demo.seed_demo()
        db.session.commit()
        db.session.remove()
        for table, column in reversed(columns):
            run(f"ALTER TABLE {table} DROP COLUMN {column}")
        for table in reversed(tables):
            table.drop(db.engine)
        yield application


def add_later_schema() -> tuple[list, list[tuple[str, str]]]:
    """Create every table and (nullable) column of today's models that the database lacks."""
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    present = set(inspector.get_table_names())
    tables, columns = [], []
    for table in db.metadata.sorted_tables:
        if table.name not in present:
            table.create(db.engine)
            tables.append(table)
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=db.engine.dialect)
                run(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
                columns.append((table.name, column.name))
    return tables, columns


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
