"""A dossier form sent twice, online or at the counter: one dossier, one code, and the second post
lands on the first receipt; a copied nonce shows nobody's dossier; the race loser leaves no file."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.catalog.models import Procedure
from portal.dossiers import intake
from portal.dossiers import routes as dossier_routes
from portal.dossiers.models import Dossier, DossierFile
from portal.extensions import db
from tests.support.clients import fresh_client, sign_in
from tests.support.dossiers import applicant, drafts_taken_once_kept
from tests.support.double_post import (
    ALREADY_SENT,
    first_look_up_misses,
    hidden_fields,
    hold_both_after,
    nonce_of,
    own_app,
    post_together,
    same_browser,
    stored_files,
)
from tests.support.factories import PASSWORD, make_account, other_agency_staff
from tests.support.files import jpeg_file, pdf_file

PROCEDURE = "1.004194"  # Đăng ký tạm trú: commune level, fully online; Tô Hiệu's desk takes it in
APPLY = f"/dossiers/apply/{PROCEDURE}"
INTAKE = f"/staff/dossiers/intake?procedure={PROCEDURE}"
DESK = "receptionist"
RECEIPT = re.compile(r"/dossiers/([^/]+)/receipt$")


def count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


def dossier_data(hidden: dict | None, **overrides) -> dict:
    """The applicant, two documents and the form's hidden fields (None: a page without a nonce)."""
    data = {"channel": "counter", **applicant(**overrides)}  # the channel only matters at the counter
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    data[f"doc-{procedure.documents[0].id}"] = [pdf_file()]
    data["doc-other"] = [jpeg_file()]
    data.update(hidden or {})
    return data


def page_of(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def post(client, path: str, data: dict):
    return client.post(path, data=data, content_type="multipart/form-data")


def signed_in(app, who, address: str = "127.0.0.1", password: str | None = None):
    return sign_in(fresh_client(app, address), who, password)


def receipt_code(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return RECEIPT.search(response.headers["Location"])[1]


@pytest.mark.parametrize("path, who", [(APPLY, "citizen"), (INTAKE, "desk")])
def test_the_same_form_sent_twice_creates_one_dossier_and_shows_the_first_receipt(app, client, path, who):
    sender = client if who == "citizen" else signed_in(app, DESK)
    hidden, before, files_before = hidden_fields(page_of(sender, path)), count(), stored_files(app)
    code = receipt_code(post(sender, path, dossier_data(hidden)))
    files_after_first = stored_files(app)

    again = post(sender, path, dossier_data(hidden))
    assert receipt_code(again) == code and count() == before + 1
    receipt = sender.get(again.headers["Location"])
    assert receipt.status_code == 200 and code in receipt.get_data(as_text=True)
    assert ALREADY_SENT in receipt.get_data(as_text=True)
    assert len(files_after_first - files_before) == 2 and stored_files(app) == files_after_first
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    form = "apply" if who == "citizen" else "intake"
    assert dossier.form_nonce == intake.nonce_key(form, dossier.procedure, hidden["nonce"])


def test_a_copied_nonce_shows_nobody_elses_dossier(app, client):
    nonce = nonce_of(page_of(client, APPLY))
    code = receipt_code(post(client, APPLY, dossier_data({"nonce": nonce})))
    before = count()

    stranger = app.test_client()
    page_of(stranger, APPLY)
    answer = post(
        stranger, APPLY, dossier_data({"nonce": nonce}, applicant_name="Kẻ Lạ", phone="0987 654 321")
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and count() == before
    assert ALREADY_SENT in body and "/track" in body
    for secret in (code, "Lò Thị Xuân", "014190000123", "0912", "xuan@example.com"):
        assert secret not in body
    for page in (f"/dossiers/{code}", f"/dossiers/{code}/receipt"):
        assert stranger.get(page).status_code == 404


def test_a_copied_counter_nonce_shows_another_agency_nothing(app):
    desk = signed_in(app, DESK)
    nonce = nonce_of(page_of(desk, INTAKE))
    code = receipt_code(post(desk, INTAKE, dossier_data({"nonce": nonce})))
    other = signed_in(app, other_agency_staff("receptionist"))
    answer = post(other, INTAKE, dossier_data({"nonce": nonce}))
    assert answer.status_code == 409 and code not in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Dossier.id)).where(Dossier.code == code)) == 1


def test_a_post_without_a_nonce_is_still_accepted(client):
    """An online form cached before nonces existed: each post is taken (the server makes a nonce up)."""
    before = count()
    first, second = (
        receipt_code(post(client, APPLY, dossier_data(None))),
        receipt_code(post(client, APPLY, dossier_data(None))),
    )
    assert first != second and count() == before + 2


def test_the_loser_of_a_race_rolls_back_removes_its_files_and_shows_the_winners_receipt(
    app, client, monkeypatch
):
    """As when both posts miss each other's first look-up: the unique index refuses the second insert."""
    hidden = hidden_fields(page_of(client, APPLY))
    code = receipt_code(post(client, APPLY, dossier_data(hidden)))
    before, files = count(), stored_files(app)
    calls = first_look_up_misses(monkeypatch, dossier_routes, "sent_with")
    second = post(client, APPLY, dossier_data(hidden))
    assert len(calls) == 2  # the pre-check, then the look-up of the winner after the IntegrityError
    assert receipt_code(second) == code and count() == before
    assert stored_files(app) == files  # the loser's two documents were removed
    kept = select(func.count(DossierFile.id)).where(DossierFile.dossier.has(code=code))
    assert db.session.scalar(kept) == 2
    # The number the loser drew was given back: the next dossier follows on without a gap.
    number = int(code.rsplit("-", 1)[1])
    following = receipt_code(post(client, APPLY, dossier_data(hidden_fields(page_of(client, APPLY)))))
    assert int(following.rsplit("-", 1)[1]) == number + 1


# --- two posts at the same instant, on a database of their own -----------------------------------


@pytest.fixture
def race_app(tmp_path):
    yield from own_app(tmp_path)


@pytest.mark.parametrize("path, who", [(APPLY, "citizen"), (INTAKE, "desk")])
def test_a_double_tap_creates_exactly_one_dossier(race_app, monkeypatch, path, who):
    """Real threads, real transactions (PostgreSQL with TEST_DATABASE_URL, else SQLite), three rounds."""
    app = race_app
    files_at_start = stored_files(app)
    with app.app_context():  # a receptionist of Tô Hiệu in this database of its own, committed
        desk = make_account(DESK).email
        db.session.commit()
        db.session.remove()
    for round_ in range(3):
        address = f"10.8.{round_}.1"
        sender = fresh_client(app, address) if who == "citizen" else signed_in(app, desk, address, PASSWORD)
        with app.app_context():
            before = count()
        hidden = hidden_fields(page_of(sender, path))
        taps = [sender, same_browser(app, sender)]
        with monkeypatch.context() as patch:
            hold_both_after(patch, dossier_routes if who == "citizen" else staff_routes(), "sent_with")
            responses = post_together(taps, path, lambda hidden=hidden: data_in(app, hidden))
        codes = {receipt_code(r) for r in responses}
        with app.app_context():
            assert count() == before + 1
            assert db.session.scalars(
                select(Dossier.code).order_by(Dossier.id.desc()).limit(1)
            ).all() == list(codes)
            db.session.remove()
        for tap, response in zip(taps, responses, strict=True):
            assert tap.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        names = set(db.session.scalars(select(DossierFile.stored_name)))
        db.session.remove()
    new_files = stored_files(app) - files_at_start
    assert len(new_files) == 6 and new_files <= names  # three dossiers of two documents; no loser's file


def staff_routes():
    from portal.dossiers import routes_staff

    return routes_staff


def data_in(app, hidden: dict) -> dict:
    with app.app_context():
        data = dossier_data(hidden)
        db.session.remove()
    return data


def test_a_second_post_whose_documents_the_first_took_shows_the_first_receipt(app, client, monkeypatch):
    """Found by review: post B of a form passes the "already sent?" look-up while post A is still running,
    keeps no document of its own (A's drafts hold the same files), then A commits and takes them: B found no
    document and answered "Attach at least one document." (400) for a dossier that was created. It now looks
    again and shows A's receipt. Modelled here by B's drafts going (as A's, taken) right after B kept them."""
    hidden = hidden_fields(page_of(client, APPLY))
    code = receipt_code(post(client, APPLY, dossier_data(hidden)))  # post A
    before, procedure = count(), db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    first_look_up_misses(monkeypatch, dossier_routes, "sent_with")  # B's, while A was running
    drafts_taken_once_kept(monkeypatch, procedure, hidden["nonce"])  # A's commit took the drafts B matched
    second = post(client, APPLY, dossier_data(hidden))  # post B
    assert receipt_code(second) == code and count() == before
