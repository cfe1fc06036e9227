"""Dossier codes under concurrency: the per-agency, per-day sequence never duplicates and has no gaps.

Each test builds its own database (a fresh PostgreSQL database, or a SQLite file) and application,
because the threads must commit for real: the suite's rolled-back transaction cannot be shared.

Connection pool: Flask-SQLAlchemy 3 creates the engine inside create_app (init_app), so setting
app.config["SQLALCHEMY_ENGINE_OPTIONS"] afterwards has no effect. The tests wrap portal.engine_options,
which create_app reads, to get a pool of POOL_SIZE connections and a long pool timeout: PostgreSQL's
default max_connections is 100 (and other test sessions may be connected), so 200 connections are not
available. All 200 threads still start together on a barrier and contend for the same sequence row
through POOL_SIZE simultaneous transactions; the ones waiting for a connection queue in the pool
instead of failing after the production pool_timeout of 5 s.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import portal
from portal.agencies.models import Agency
from portal.catalog.models import Procedure
from portal.domain.codes import parse_dossier_code
from portal.dossiers.intake import Applicant, Upload, submit_online
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.sequences import DailySequence
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import backend, throwaway_database
from tests.support.files import PDF

PROCEDURE, COMMUNE = "1.004194", "03646"
POOL_SIZE = 30
# One fixed instant, so that every submission falls on the same local day even near midnight.
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


@pytest.fixture
def big_pool(monkeypatch):
    original = portal.engine_options

    def options(url: str, **kwargs) -> dict:
        return {**original(url, **kwargs), "pool_size": POOL_SIZE, "max_overflow": 0, "pool_timeout": 300}

    monkeypatch.setattr(portal, "engine_options", options)


def applicant(n: int) -> Applicant:
    return Applicant(
        name=f"Công dân số {n}",
        id_number=f"{14190000000 + n:012d}",
        birth_date=None,
        phone=f"+8491234{n:04d}",
        email="",
        address=f"Tổ {n % 12 + 1}, phường Tô Hiệu",
        admin_unit_code=COMMUNE,
    )


def submit_concurrently(app, count: int) -> tuple[list[str], list[BaseException]]:
    """`count` threads, each in its own application context, submit and commit at the same moment."""
    barrier = threading.Barrier(count)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            with app.app_context():
                try:
                    barrier.wait(timeout=120)  # before touching the pool, or the waiters would starve
                    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
                    dossier = submit_online(
                        procedure, applicant(n), [Upload(PDF, "to-khai.pdf")], None, "vi", now=NOW
                    )
                    db.session.commit()
                    with lock:
                        codes.append(dossier.code)
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,), name=f"submit-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return codes, errors


DAY = NOW.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def already_issued(app) -> int:
    """Dossiers the seed gave the agency on DAY (demo dossiers are dated relative to today)."""
    with app.app_context():
        count = len(
            db.session.scalars(
                select(Dossier)
                .join(Dossier.agency)
                .where(Dossier.received_day == DAY, Agency.slug == "ubnd-phuong-to-hieu")
            ).all()
        )
        db.session.remove()
        return count


def check_gap_free(app, codes: list[str], count: int, base: int) -> None:
    assert len(codes) == count and len(set(codes)) == count
    with app.app_context():
        dossiers = db.session.scalars(select(Dossier).where(Dossier.code.in_(codes))).all()
        assert len(dossiers) == count
        # Distinct and without gaps.
        assert sorted(d.sequence for d in dossiers) == list(range(base + 1, base + count + 1))
        assert {d.agency.slug for d in dossiers} == {"ubnd-phuong-to-hieu"}
        assert {d.received_day for d in dossiers} == {DAY}
        for d in dossiers:
            parsed = parse_dossier_code(d.code)
            assert (parsed.agency, parsed.received, parsed.sequence) == (
                d.agency.code,
                d.received_day,
                d.sequence,
            )
            assert d.code == f"{d.agency.code}-{DAY:%y%m%d}-{d.sequence:04d}"
        day_sequences = db.session.scalars(
            select(Dossier.sequence).where(
                Dossier.agency_id == dossiers[0].agency_id, Dossier.received_day == DAY
            )
        ).all()
        assert sorted(day_sequences) == list(range(1, base + count + 1))
        counter = db.session.get(DailySequence, (f"dossier:{dossiers[0].agency_id}", DAY))
        assert counter.last_value == base + count

        # A submission that is rolled back gives its number back: the next one still follows on.
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        lost = submit_online(procedure, applicant(9998), [Upload(PDF, "a.pdf")], None, "vi", now=NOW)
        assert lost.sequence == base + count + 1
        db.session.rollback()
        kept = submit_online(procedure, applicant(9999), [Upload(PDF, "a.pdf")], None, "vi", now=NOW)
        assert kept.sequence == base + count + 1
        db.session.rollback()
        db.session.remove()


@pytest.mark.skipif(backend() != "postgresql", reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_200_concurrent_submissions_on_postgresql(tmp_path, big_pool):
    with throwaway_database(tmp_path, "seq") as url:
        app = build_app(tmp_path, url)
        try:
            with app.app_context():
                assert db.engine.dialect.name == "postgresql"
                assert db.engine.pool.size() == POOL_SIZE
            migrate_and_seed(app)
            base = already_issued(app)
            codes, errors = submit_concurrently(app, 200)
            assert errors == [], Counter(type(e).__name__ for e in errors)
            check_gap_free(app, codes, 200, base)
        finally:
            with app.app_context():
                db.engine.dispose()


def test_20_concurrent_submissions_on_sqlite(tmp_path, big_pool):
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'seq.sqlite3'}")
    try:
        migrate_and_seed(app)
        base = already_issued(app)
        codes, errors = submit_concurrently(app, 20)
        assert errors == [], errors
        check_gap_free(app, codes, 20, base)
    finally:
        with app.app_context():
            db.engine.dispose()
