"""The unified queue: both kinds, urgency order, keyset pages, claiming."""

from datetime import date

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from tests.support.clients import sign_in


def test_queue_lists_both_kinds_most_urgent_first(client, login):
    login("processor")
    response = client.get("/staff/queue?lang=en")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "PA-" in body and "H52-" in body


def test_keyset_pages_cover_everything_once(client, login):
    login("admin")
    from flask_login import current_user  # noqa: F401

    from portal.staff import queries

    seen, url = [], "/staff/queue?kind=&lang=en"
    for _ in range(20):
        body = client.get(url).get_data(as_text=True)
        import re

        seen += re.findall(r'<span class="title">([^<]+)</span>', body)
        match = re.search(r'href="(/staff/queue\?[^"]*after=[^"]+)"', body)
        if not match:
            break
        url = match[1].replace("&amp;", "&")
    open_feedback = db.session.scalar(
        select(db.func.count(Feedback.id)).where(Feedback.status.in_(("new", "accepted", "info_requested")))
    )
    open_dossiers = db.session.scalar(
        select(db.func.count(Dossier.id)).where(Dossier.status.in_((1, 2, 4, 5, 6, 9)))
    )
    assert len(seen) == len(set(seen)) == open_feedback + open_dossiers
    assert queries.PAGE_SIZE and date.today()


def test_claim_then_second_claim_is_409(client, app, login):
    login("processor")
    item = db.session.scalar(
        select(Feedback).where(
            Feedback.assignee_id.is_(None),
            Feedback.status == "new",
            Feedback.agency.has(slug="ubnd-phuong-to-hieu"),
        )
    )
    assert client.post(f"/staff/queue/feedback/{item.id}/claim").status_code == 302
    other = sign_in(app.test_client(), "leader")
    assert other.post(f"/staff/queue/feedback/{item.id}/claim").status_code == 409


def test_take_next_gives_the_most_urgent_unassigned(client, login):
    login("processor")
    response = client.post("/staff/queue/take-next")
    assert response.status_code == 302 and "/staff/" in response.headers["Location"]


def test_filters_by_category_procedure_and_status(client, login):
    import re

    login("processor")
    feedback = db.session.scalar(
        select(Feedback).where(
            Feedback.agency.has(slug="ubnd-phuong-to-hieu"), Feedback.queue_due.is_not(None)
        )
    )
    dossier = db.session.scalar(
        select(Dossier).where(Dossier.agency.has(slug="ubnd-phuong-to-hieu"), Dossier.queue_due.is_not(None))
    )

    def codes(url):
        return set(re.findall(r'<span class="title">([^<]+)</span>', client.get(url).get_data(as_text=True)))

    by_category = codes(f"/staff/queue?category={feedback.category_id}")
    assert feedback.code in by_category and not any("H52" in code for code in by_category)
    by_procedure = codes(f"/staff/queue?procedure={dossier.procedure_id}")
    assert dossier.code in by_procedure and not any(code.startswith("PA-") for code in by_procedure)
    by_status = codes(f"/staff/queue?status={dossier.status}")
    assert dossier.code in by_status
