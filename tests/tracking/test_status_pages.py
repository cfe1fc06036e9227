"""The citizen's status pages (issue 17 item 2): the page's key (access columns, page version, shown names),
then, when its main part is not kept yet, one indexed lookup and one timeline query each, whatever the item
holds, and no working-day calendar built for them; once kept, the key alone. They ran 5 (feedback: the
unused deadlines, their calendar and pauses, the photos) and 6 (dossier: files, pauses, letters, payments one
by one) statements, then 2 and 2 before the main part was kept (tests/tracking/test_page_cache.py).

Statements are counted, never timed (timings live in bench/tracking_pages.py)."""

from __future__ import annotations

from markupsafe import escape

from portal.calendar.queries import calendar_around, local_now
from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.extensions import db
from portal.feedback.models import Feedback
from tests.support.clients import fresh_client
from tests.support.factories import make_account
from tests.support.feedback import CODE, web_submit
from tests.support.files import jpeg_bytes
from tests.support.statements import statements

# The page's key; then the item (or dossier) with everything its page shows, and its public timeline.
STATEMENTS_PER_STATUS_PAGE = 3
STATEMENTS_PER_KEPT_PAGE = 1


def test_the_feedback_status_page_runs_its_key_one_lookup_and_one_timeline_query(app):
    citizen = fresh_client(app, "198.51.100.21")
    sent = web_submit(citizen, photos=[(jpeg_bytes(color=(10, 200, 10)), "a.jpg"), (jpeg_bytes(), "b.jpg")])
    assert sent.status_code == 302
    receipt = citizen.get("/feedback/receipt").get_data(as_text=True)
    code = CODE.search(receipt)[0]
    item = db.session.query(Feedback).filter_by(code=code).one()
    assert len(item.photos) == 2
    with statements() as seen:
        page = citizen.get(f"/feedback/{code}/status?lang=en")
    assert page.status_code == 200
    assert len(seen) <= STATEMENTS_PER_STATUS_PAGE, seen
    assert not any("calendar" in sql for sql in seen)
    text = page.get_data(as_text=True)
    with statements() as seen:
        assert citizen.get(f"/feedback/{code}/status?lang=en").get_data(as_text=True) == text
    assert len(seen) == STATEMENTS_PER_KEPT_PAGE, seen
    # What the page shows is all there: photos, agency, commune, the timeline.
    for photo in item.photos:
        assert f"/feedback/photos/{photo.thumbnail_name}" in text
    assert str(escape(item.agency.name_en)) in text and item.admin_unit.name in text and item.title in text
    assert 'class="timeline"' in text and "<li>" in text


def test_the_dossier_status_page_runs_its_key_one_lookup_and_one_timeline_query(app, create_dossier):
    dossier = create_dossier(received=True)
    processor = make_account("processor", agency=dossier.agency)
    operations.staff_act(dossier, A.START, processor)
    today = local_now().date()
    new_date = calendar_around(today).next_working_day(max(dossier.appointment_on, today))
    operations.staff_act(dossier, A.APOLOGISE, processor, note="Chờ xác minh.", new_date=new_date)
    operations.staff_act(dossier, A.REQUEST_FEE, processor)
    db.session.flush()
    assert dossier.files and dossier.pauses and dossier.apologies
    citizen = fresh_client(app, "198.51.100.22")
    with citizen.session_transaction() as session:
        session["dossier_access"] = [dossier.id]
    with statements() as seen:
        page = citizen.get(f"/dossiers/{dossier.code}?lang=en")
    assert page.status_code == 200
    assert len(seen) <= STATEMENTS_PER_STATUS_PAGE, seen
    text = page.get_data(as_text=True)
    path = f"/dossiers/{dossier.code}?lang=en"  # read before: the request expires the test's objects
    with statements() as seen:
        assert citizen.get(path).get_data(as_text=True) == text
    assert len(seen) == STATEMENTS_PER_KEPT_PAGE, seen
    assert all(file.display_name in text for file in dossier.files)
    assert "Apology letter: the new appointment date is" in text
    assert "/payments/SL" in text and "Pay by VietQR" in text  # the fee's payment, pending
    assert dossier.procedure.name in text


def test_a_status_page_of_someone_else_is_still_a_404(app, create_feedback):
    item = create_feedback()
    stranger = fresh_client(app, "198.51.100.23")
    assert stranger.get(f"/feedback/{item.code}/status").status_code == 404
