"""bench/dataset.py builds data the portal can use: its samples open the real pages, its officer signs in with
two-step sign-in, and a new submission gets a free code. (Correctness only: timings live in bench/.)"""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("bench_dataset", ROOT / "bench" / "dataset.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dataset"] = module
    spec.loader.exec_module(module)
    module.DATA_DIR = tmp_path_factory.mktemp("bench-data")
    samples = module.build("sqlite", 2000, "bench_sqlite_test", jobs=1)
    from portal import create_app
    from portal.settings import Settings

    app = create_app(
        Settings.from_env(
            {
                "DATABASE_URL": samples["url"],
                "SECRET_KEY": samples["secret_key"],
                "PORTAL_INSTANCE_PATH": samples["instance_path"],
            }
        )
    )
    yield module, samples, app
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def test_counts_and_derived_columns(built):
    from portal.dossiers.models import Dossier
    from portal.extensions import db
    from portal.feedback.models import Feedback
    from portal.staff.queue_keys import queue_due

    _module, samples, app = built
    assert samples["counts"]["feedback_items"] == samples["counts"]["dossiers"] == 2000
    with app.app_context():
        assert db.session.scalar(select(func.count(Feedback.id))) == 2000
        for model in (Feedback, Dossier):
            items = db.session.scalars(select(model).order_by(model.id.desc()).limit(300)).all()
            assert all(item.queue_due == queue_due(item) for item in items)
            assert any(item.queue_due is not None for item in items)  # recent items: some are open
            assert sum(item.queue_due is None for item in items) > 0


def test_samples_open_the_tracking_pages(built):
    module, samples, app = built
    client = app.test_client()
    feedback = samples["feedback"][0]
    answer = client.get(feedback["url"])
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200 and feedback["code"] in page.get_data(as_text=True)
    dossier = samples["dossiers"][0]
    answer = client.get(dossier["url"])
    assert answer.status_code == 302
    assert dossier["code"] in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/payments/{module.payable_reference(samples)}/qr.png").mimetype == "image/png"


def test_officer_signs_in_with_two_steps_and_sees_the_queue(built):
    _module, samples, app = built
    officer = samples["officer"]
    client = app.test_client()
    answer = client.post(
        "/login",
        data={
            "csrf_token": _csrf(client.get("/login").get_data(as_text=True)),
            "email": officer["email"],
            "password": officer["password"],
        },
    )
    assert answer.status_code == 302 and "two-factor" in answer.headers["Location"]
    page = client.get("/login/two-factor").get_data(as_text=True)
    answer = client.post(
        "/login/two-factor",
        data={"csrf_token": _csrf(page), "code": pyotp.TOTP(officer["totp_secret"]).now()},
    )
    assert answer.status_code == 302
    queue = client.get("/staff/queue").get_data(as_text=True)
    assert re.search(r'href="/staff/queue\?[^"]*after=', queue), "the busy agency's queue has a next page"


def test_a_new_submission_gets_the_next_free_code(built):
    from portal.calendar.queries import LOCAL_TZ
    from portal.extensions import db
    from portal.feedback import operations
    from portal.feedback.models import Feedback, FeedbackCategory

    _module, _samples, app = built
    with app.test_request_context():
        category = db.session.scalar(select(FeedbackCategory).order_by(FeedbackCategory.id))
        last = db.session.scalar(select(Feedback).order_by(Feedback.id.desc()).limit(1))
        day = last.submitted_at.astimezone(LOCAL_TZ).date()  # a day the generator issued codes on
        taken = db.session.scalar(
            select(func.count(Feedback.id)).where(Feedback.code.like(f"PA-{day:%y%m%d}-%"))
        )
        assert taken > 0
        item, _token = operations.submit(
            operations.Submission(
                category_id=category.id,
                title="Đèn đường không sáng",
                description="Ba cột đèn không sáng.",
                admin_unit_code="03646",
                address="",
                latitude=None,
                longitude=None,
                contact_name="",
                phone="+84912345678",
                email="",
                show_name=False,
                locale="vi",
            ),  # fmt: skip
            None,
            now=datetime.combine(day, time(10, 0), LOCAL_TZ).astimezone(UTC),
        )
        db.session.commit()  # the unique code index refuses a code the generator already issued
        assert item.code == f"PA-{day:%y%m%d}-{taken + 1:04d}"
