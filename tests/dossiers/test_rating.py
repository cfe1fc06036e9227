"""The citizen rates a dossier's handling from its status page (issue 11 item 7): once, after the result was
returned, satisfied or not (a reason required for "not satisfied"), the 9 criteria optional; the kept page
shows the rating at the next request (page version) and each viewer gets their own CSRF token; audited;
plain HTML (no JavaScript needed)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.domain import dossier_rating as rule
from portal.domain.dossier_status import DossierStatus as S
from portal.dossiers import rating
from portal.dossiers.errors import DossierError
from portal.dossiers.models import Dossier, DossierRating
from portal.events.models import Event
from portal.extensions import db
from tests.support.clients import fresh_client, signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def returned_dossier() -> Dossier:
    dossier = make_dossier(received=True)
    now = utcnow()
    dossier.status, dossier.finished_at, dossier.returned_at = S.RETURNED.value, now, now
    db.session.flush()
    return dossier


def browser(app, dossier: Dossier, address: str = "198.51.100.71"):
    client = fresh_client(app, address)
    with client.session_transaction() as session:
        session["dossier_access"] = [dossier.id]
    return client


def page(client, dossier: Dossier, lang: str = "en") -> str:
    response = client.get(f"/dossiers/{dossier.code}?lang={lang}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def version_of(dossier: Dossier) -> int:
    return db.session.execute(select(Dossier.page_version).where(Dossier.id == dossier.id)).scalar_one()


def test_the_applicant_rates_once_and_the_kept_page_shows_it(app):
    dossier = returned_dossier()
    citizen = browser(app, dossier)
    text = page(citizen, dossier)
    assert "Rate the service" in text and 'action="/dossiers/' + dossier.code + '/rating"' in text
    assert "<script" not in text.split("Rate the service")[1].split("</form>")[0]  # a plain form
    before = version_of(dossier)
    response = citizen.post(
        f"/dossiers/{dossier.code}/rating",
        data={"overall": "very_satisfied", "reason": "", "c_attitude": "2", "c_total_time": "1"},
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(DossierRating).where(DossierRating.dossier_id == dossier.id))
    assert saved is not None and saved.overall == "very_satisfied"
    # criteria in CRITERIA order: total_time 1, attitude (7th) 2, the rest unanswered
    assert saved.scores == "1-----2--"
    assert version_of(dossier) != before  # the kept part is keyed by it: the next request shows the rating
    text = page(citizen, dossier)
    assert "You rated this service: Very satisfied." in text and "Rate the service" not in text
    # audited
    events = db.session.scalars(
        select(Event).where(
            Event.subject_type == "dossier", Event.subject_id == dossier.id, Event.action == "rate"
        )
    ).all()
    assert [e.note for e in events] == ["very_satisfied:"]
    # once: a second answer changes nothing
    again = citizen.post(f"/dossiers/{dossier.code}/rating", data={"overall": "unsatisfied", "reason": "x"})
    assert again.status_code == 302
    assert db.session.scalar(select(DossierRating.overall).where(DossierRating.dossier_id == dossier.id)) == (
        "very_satisfied"
    )


def test_not_satisfied_needs_a_reason(app):
    dossier = returned_dossier()
    citizen = browser(app, dossier)
    response = citizen.post(
        f"/dossiers/{dossier.code}/rating", data={"overall": "unsatisfied", "reason": "  "}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#rating")
    assert dossier.rating is None
    assert "Hãy cho biết lý do bạn không hài lòng" in page(citizen, dossier, "vi")  # flashed in vi
    citizen.post(
        f"/dossiers/{dossier.code}/rating", data={"overall": "unsatisfied", "reason": "Phải đi lại ba lần."}
    )
    db.session.expire_all()
    assert dossier.rating is not None and dossier.rating.reason == "Phải đi lại ba lần."
    assert "Bạn đã đánh giá dịch vụ: Không hài lòng." in page(citizen, dossier, "vi")
    # the agency's staff read it on the dossier's staff page
    officer = signed_in(app, make_account("processor", agency=dossier.agency), remote_addr="198.51.100.75")
    staff_page = unescape(officer.get(f"/staff/dossiers/{dossier.code}?lang=en").get_data(as_text=True))
    assert "The applicant rated the service: Not satisfied. Phải đi lại ba lần." in staff_page


@pytest.mark.parametrize("status", [S.RECEIVED, S.PROCESSING, S.DONE, S.STOPPED, S.WITHDRAWN])
def test_no_rating_before_the_result_is_returned(app, status):
    dossier = make_dossier(received=True)
    dossier.status = status.value
    db.session.flush()
    citizen = browser(app, dossier)
    assert "Rate the service" not in page(citizen, dossier)
    citizen.post(f"/dossiers/{dossier.code}/rating", data={"overall": "satisfied"})
    assert db.session.scalar(select(DossierRating).where(DossierRating.dossier_id == dossier.id)) is None


def test_others_and_staff_cannot_rate(app):
    dossier = returned_dossier()
    stranger = fresh_client(app, "198.51.100.72")
    assert stranger.post(f"/dossiers/{dossier.code}/rating", data={"overall": "satisfied"}).status_code == 404
    officer = signed_in(app, make_account("receptionist", agency=dossier.agency))
    assert officer.post(f"/dossiers/{dossier.code}/rating", data={"overall": "satisfied"}).status_code == 404
    assert db.session.scalar(select(DossierRating).where(DossierRating.dossier_id == dossier.id)) is None


def test_each_viewer_gets_their_own_token_in_the_kept_rating_form(app):
    dossier = returned_dossier()
    first = TOKEN.findall(page(browser(app, dossier, "198.51.100.73"), dossier))
    second = TOKEN.findall(page(browser(app, dossier, "198.51.100.74"), dossier))
    assert first and second and set(first).isdisjoint(second)


def test_the_rule_table():
    # (status, rated already) → may rate: only a returned result, only once
    assert rule.may_rate(S.RETURNED, False) is True
    assert rule.may_rate(S.RETURNED, True) is False
    assert rule.may_rate(S.DONE, False) is False  # ready at the desk, not yet handed over
    assert rule.problem(rule.Overall.UNSATISFIED, " ") == "reason_required"
    assert rule.problem(rule.Overall.UNSATISFIED, "Chậm") is None
    assert rule.problem(rule.Overall.SATISFIED, "") is None
    # 9 criteria × 2 points: 2+2+1 answered of three → 5 of 6
    stored = rule.encode({"total_time": 2, "attitude": 2, "online": 1})
    assert stored == "2-----2-1" and rule.total(stored) == (5, 6)
    assert rule.decode(stored)["contacts"] is None
    with pytest.raises(ValueError):
        rule.encode({"attitude": 3})
    with pytest.raises(ValueError):
        rule.encode({"speed": 1})


def test_the_operation_refuses_a_second_rating(app):
    dossier = returned_dossier()
    rating.rate(dossier, rule.Overall.SATISFIED, "", {}, now=utcnow() - timedelta(minutes=1))
    with pytest.raises(DossierError) as refused:
        rating.rate(dossier, rule.Overall.SATISFIED, "", {})
    assert refused.value.reason == "rating_closed"
