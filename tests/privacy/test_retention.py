"""The retention job (portal/privacy/retention.py, `flask --app portal retention`): unpublished feedback
loses its personal data N months after closing, idle citizen accounts are warned then removed; a dry run
changes nothing and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.db_types import utcnow
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackFix, FeedbackPhoto
from portal.privacy import retention
from tests.support.factories import make_account
from tests.support.feedback import make_item, publish
from tests.support.files import jpeg_bytes
from tests.support.storage import names

YEAR = timedelta(days=365)


def closed(item: Feedback, ago: timedelta) -> Feedback:
    item.status, item.closed_at, item.queue_due = "closed", utcnow() - ago, None
    db.session.flush()
    return item


def idle(account: Account, ago: timedelta) -> Account:
    account.created_at = account.last_login_at = utcnow() - ago
    db.session.flush()
    return account


def snapshot() -> tuple:
    """Everything the job could change, as counts."""
    return (
        db.session.scalar(select(func.count()).select_from(Event)),
        db.session.scalar(select(func.count()).select_from(FeedbackPhoto)),
        db.session.scalar(select(func.count()).where(Feedback.phone != "")),
        db.session.scalar(select(func.count()).where(Account.is_enabled.is_(True))),
        frozenset(names()),
    )


def run(app, dry_run=False, now=None) -> tuple[dict[str, int], list[str]]:
    lines: list[str] = []
    counts = retention.run(app, dry_run=dry_run, now=now, echo=lines.append)
    return counts, lines


def test_a_dry_run_lists_what_is_due_and_changes_nothing(app):
    old = closed(make_item(photos=(jpeg_bytes(),)), 3 * YEAR)
    sleeper = idle(make_account("citizen"), 3 * YEAR)
    before = snapshot()
    counts, lines = run(app, dry_run=True)
    assert counts["feedback_months"] >= 1 and counts["accounts_inactive_months"] >= 1
    assert f"  feedback {old.code}: remove personal data" in lines
    assert f"  account {sleeper.id}: warn by e-mail" in lines
    db.session.expire_all()
    assert snapshot() == before and old.phone and old.photos


def test_old_unpublished_feedback_loses_its_personal_data_once(app):
    old = closed(make_item(photos=(jpeg_bytes(),), contact_name="Lò Văn Pọm"), 3 * YEAR)
    # The citizen's own words after the answer: the rating comment and the "is it fixed?" reply.
    old.rating_comment = "Gọi Pọm 0912 345 678"
    old.fixes.append(FeedbackFix(answered_on=utcnow().date(), comment="Chưa sửa, gọi 0912 345 678"))
    files = {old.photos[0].stored_name, old.photos[0].thumbnail_name}
    recent = closed(make_item(), YEAR)
    shown = make_item()
    publish(shown)
    closed(shown, 3 * YEAR)
    shown.is_published = True
    db.session.flush()

    run(app)

    db.session.expire_all()
    assert (old.contact_name, old.phone, old.email, old.account_id, old.photos) == ("", "", "", None, [])
    assert old.rating_comment == "" and [fix.comment for fix in old.fixes] == [""]
    assert "pom" not in old.search_key and old.title and old.description  # the text stays for statistics
    assert not files & names()  # the photo files are gone from the store
    assert recent.phone and shown.phone  # not yet due; published
    actions = db.session.scalars(
        select(Event.action).where(Event.subject_id == old.id, Event.subject_type == "feedback")
    )
    assert retention.ANONYMISED in list(actions)

    before = snapshot()
    counts, _ = run(app)
    assert set(counts.values()) == {0} and snapshot() == before  # the second run changes nothing


def test_an_idle_citizen_is_warned_then_removed_and_an_active_one_is_not(app):
    sleeper = idle(make_account("citizen", phone="+84987000777"), 3 * YEAR)
    item = make_item(citizen=sleeper)
    closed(item, 2 * YEAR)
    busy = idle(make_account("citizen"), 3 * YEAR)
    make_item(citizen=busy)  # an open report: the account is kept
    staff = idle(make_account("processor"), 3 * YEAR)  # staff accounts are not the citizens' schedule
    now = utcnow()

    counts, lines = run(app, now=now)
    assert f"  account {sleeper.id}: warn by e-mail" in lines
    assert not [line for line in lines if f"account {busy.id}:" in line or f"account {staff.id}:" in line]
    assert run(app, now=now)[0]["accounts_inactive_months"] == 0  # warned once
    assert run(app, now=now + timedelta(days=29))[0]["accounts_inactive_months"] == 0  # the notice runs

    counts, lines = run(app, now=now + timedelta(days=31))
    assert f"  account {sleeper.id}: remove (warned, still unused)" in lines
    db.session.expire_all()
    assert not sleeper.is_enabled and sleeper.phone is None and sleeper.full_name == ""
    assert sleeper.email == f"removed-{sleeper.id}@invalid" and item.account_id is None
    assert run(app, now=now + timedelta(days=31))[0]["accounts_inactive_months"] == 0


def test_signing_in_after_the_warning_keeps_the_account(app):
    sleeper = idle(make_account("citizen"), 3 * YEAR)
    now = utcnow()
    run(app, now=now)
    sleeper.last_login_at = now + timedelta(days=2)
    db.session.flush()
    _, lines = run(app, now=now + timedelta(days=40))
    assert not [line for line in lines if f"account {sleeper.id}:" in line]
    assert sleeper.is_enabled


def test_the_command_runs_and_its_dry_run_says_due(app):
    closed(make_item(), 3 * YEAR)
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "feedback_months (24 months):" in result.output and " due" in result.output


def test_the_warning_mail_is_in_the_citizens_language(app):
    from datetime import date

    from portal import mail

    with app.test_request_context():
        subject, body = mail.render(
            "privacy/email/retention_warning.txt",
            "vi",
            base_url="https://dvc.example",
            removal=date(2027, 1, 5),
        )
    assert subject == "Tài khoản của bạn trên Cổng dịch vụ công tỉnh Sơn La sẽ bị xóa"
    assert "05/01/2027" in body and "https://dvc.example/login" in body
