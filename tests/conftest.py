"""Fixtures: one migrated, seeded database per test session; every test runs inside a rolled-back
transaction. With TEST_DATABASE_URL pointing at PostgreSQL the same suite runs there.

Under CI, PORTAL_REQUIRE_POSTGRES=1, PORTAL_REQUIRE_BROWSER=1 and PORTAL_REQUIRE_NODES=1 (the two-node
deployment behind nginx, tests/deployment/test_two_nodes.py) turn "not run" into a failure.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from portal import create_app, fragments
from portal.extensions import db
from portal.settings import Settings
from portal.throttle import reset_memory
from tests.support.clients import FreshContextClient, sign_in
from tests.support.databases import backend, throwaway_database
from tests.support.factories import (  # noqa: F401 (the factory fixtures, for every test)
    close_people,
    create_account,
    create_agency,
    create_dossier,
    create_feedback,
    create_payment,
    open_people,
    people,
)
from tests.support.s3 import s3_server  # noqa: F401 (the moto S3 server, for the S3 upload store)

RUN_COUNTS: Counter = Counter()


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy routes every query to its engine; tests pin it to one connection instead."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


def build_app(instance, database_url, **overrides):
    app = create_app(Settings.for_tests(instance, database_url, **overrides))
    app.test_client_class = FreshContextClient
    app.config["WTF_CSRF_ENABLED"] = False  # dedicated tests switch it back on
    return app


def migrate_and_seed(app) -> None:
    from portal.demo import seed_demo

    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instance")
    with throwaway_database(folder, "suite") as url:
        application = build_app(folder, url)
        migrate_and_seed(application)
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request):
    """Each test that uses the app runs in a transaction that is rolled back afterwards."""
    reset_memory()
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    RUN_COUNTS[f"database tests on {backend()}"] += 1
    with application.app_context():
        fragments.forget_all()  # reference lists read in an earlier test's rolled-back transaction
        connection = db.engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite defers BEGIN until the first write, so the session's SAVEPOINT would become the
            # real transaction and a route's commit would stick; open the outer transaction now.
            connection.exec_driver_sql("BEGIN")
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        open_people()
        try:
            yield
        finally:
            close_people()
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """login(account) signs the suite's client in (an Account, or a demo account's e-mail)."""

    def login(account, password: str | None = None):
        return sign_in(client, account, password)

    return login


def html_lang(body: str) -> str:
    match = re.search(r'<html lang="([a-z]{2})"', body)
    return match[1] if match else ""


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "browser" in report.keywords:
        RUN_COUNTS["browser tests"] += 1
    if report.when == "call" and report.passed and "test_two_nodes.py" in report.nodeid:
        RUN_COUNTS["two-node deployment tests"] += 1


def pytest_terminal_summary(terminalreporter):
    for name, count in sorted(RUN_COUNTS.items()):
        terminalreporter.write_line(f"portal: {count} {name}")


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when CI asked for PostgreSQL or browser tests and none ran."""
    problems = []
    if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1" and not RUN_COUNTS["database tests on postgresql"]:
        problems.append("PORTAL_REQUIRE_POSTGRES=1 but no test ran on PostgreSQL (is TEST_DATABASE_URL set?)")
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1" and not RUN_COUNTS["browser tests"]:
        problems.append(
            "PORTAL_REQUIRE_BROWSER=1 but no browser test passed (is /usr/bin/chromium installed?)"
        )
    if os.environ.get("PORTAL_REQUIRE_NODES") == "1" and not RUN_COUNTS["two-node deployment tests"]:
        problems.append(
            "PORTAL_REQUIRE_NODES=1 but no two-node deployment test passed (nginx, PostgreSQL, Redis, moto?)"
        )
    if problems and session.config.option.collectonly is False and not session.config.option.keyword:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            if reporter is not None:
                reporter.write_line(f"portal: ERROR {problem}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
