"""The factory fixtures of tests/support make fresh, distinct objects that work with the real operations."""

from portal.domain.dossier_status import DossierStatus
from portal.extensions import db
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import fresh


def test_accounts_are_fresh_and_sign_in(app, create_account, create_agency):
    first, second = create_account("processor"), create_account("processor")
    assert first.email != second.email and first.agency.slug == "ubnd-phuong-to-hieu"
    elsewhere = create_account("leader", agency=create_agency())
    assert elsewhere.agency_id not in (None, first.agency_id)
    citizen = create_account(two_factor=True)
    assert citizen.role == "citizen" and citizen.agency_id is None and citizen.totp_secret
    client = sign_in(fresh_client(app), second)
    assert client.get("/staff/queue").status_code == 200


def test_people_are_one_per_role_within_a_test(people):
    assert people.leader is people["leader"] is fresh("leader")
    assert people.admin.agency_id is None and people.leader.role == "leader"


def test_feedback_dossier_and_payment(create_feedback, create_dossier, create_payment):
    first, second = create_feedback(), create_feedback()
    assert first.code != second.code and first.agency.slug == "ubnd-phuong-to-hieu"
    online, received = create_dossier(), create_dossier(received=True)
    assert online.status == DossierStatus.SUBMITTED.value and received.status == DossierStatus.RECEIVED.value
    payment = create_payment(received)
    assert payment.dossier is received and payment.amount_vnd == received.fee_vnd > 0
    assert create_payment().reference != payment.reference
    db.session.flush()
