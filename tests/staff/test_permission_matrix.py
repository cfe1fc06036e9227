"""Every staff route × every role (plus a citizen and an anonymous visitor) against a hand-written table.

A staff route missing from the table fails the test, so a new route must be placed in the matrix on
purpose. Routes are closed by default (portal.auth.access): this checks the doors, not the actions
behind them (those have their own tests).
"""

import pytest
from sqlalchemy import select

from portal.accounts.operations import create_account
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.payments.models import Payment
from tests.support.clients import sign_in
from tests.support.payments import payment_of

# The agency roles and the province admin. `finance` (province-wide, no agency) works on the provincial fee
# account only: it passes no other door.
ALL = {"receptionist", "processor", "leader", "agency_admin", "admin"}
DESK = {"receptionist", "leader", "admin"}
ACCOUNT_OWNERS = {"finance", "admin"}  # the provincial VietQR account: statements, unmatched credits
# endpoint -> roles that may pass the door (written from the issue, not read from the code)
EXPECTED = {
    "staff.home": ALL,
    "staff.queue": ALL,
    "staff.claim": ALL - {"agency_admin"},
    "staff.release": ALL - {"agency_admin"},
    "staff.act": ALL - {"agency_admin"},  # the queue page's one form: claim or release a row
    "staff.take_next": ALL - {"agency_admin"},
    "dossiers_staff.queue": ALL,
    "dossiers_staff.item": ALL,
    "dossiers_staff.act": ALL,
    "dossiers_staff.intake": DESK,
    "papers_staff.control_sheet": ALL,  # form 05, the dossier's control sheet (tests/papers/test_forms.py)
    "feedback_staff.queue": ALL,
    "feedback_staff.item": ALL,
    "feedback_staff.act": ALL,
    # Hiding personal details a reporter typed (issue 18 item 3; tests/feedback/test_pii_public.py).
    "feedback_staff.redact": ALL,
    # Payments (portal/payments/policy.py): the desk for its agency's payments, finance for the account.
    "payments_staff.index": DESK | {"finance"},
    "payments_staff.counter": DESK | {"processor"},
    "payments_staff.confirm": DESK,
    "payments_staff.refund": DESK | {"finance"},  # an overpayment's excess returned (issue 16 item 11)
    "payments_staff.import_statement": ACCOUNT_OWNERS,
    "payments_staff.resolve": ACCOUNT_OWNERS,
    # Administration: agency admins inside their agency, the province admin everywhere (tests/*/test_routes_admin*).
    "admin.index": {"agency_admin", "admin"},
    "agencies_admin.agencies": {"admin"},
    "agencies_admin.agency": {"admin"},
    "agencies_admin.agency_active": {"admin"},
    "feedback_admin.categories": {"agency_admin", "admin"},
    "feedback_admin.category": {"agency_admin", "admin"},
    "catalog_admin.procedures": {"agency_admin", "admin"},
    "catalog_admin.procedure": {"agency_admin", "admin"},
    # Blank forms (tờ khai) of a procedure (issue 18 item 8; tests/catalog/test_blank_forms.py).
    "catalog_admin.add_blank_form": {"agency_admin", "admin"},
    "catalog_admin.blank_form": {"agency_admin", "admin"},
    "accounts_admin.accounts": {"agency_admin", "admin"},
    "accounts_admin.account_new": {"agency_admin", "admin"},
    "accounts_admin.account": {"agency_admin", "admin"},
    "accounts_admin.account_role": {"agency_admin", "admin"},
    "accounts_admin.account_enabled": {"agency_admin", "admin"},
    "accounts_admin.account_password": {"agency_admin", "admin"},
    "calendar_admin.calendar": {"admin"},
    "calendar_admin.calendar_remove": {"admin"},
    "feedback_admin.templates": {"agency_admin", "admin"},
    "feedback_admin.template_new": {"agency_admin", "admin"},
    "feedback_admin.template": {"agency_admin", "admin"},
    "feedback_admin.template_active": {"agency_admin", "admin"},
    "dossiers_admin.templates": {"agency_admin", "admin"},
    "dossiers_admin.template_new": {"agency_admin", "admin"},
    "dossiers_admin.template": {"agency_admin", "admin"},
    "dossiers_admin.template_active": {"agency_admin", "admin"},
    "payments_admin.bank": {"admin"},
    "staff_audit.audit": {"leader", "admin"},
    # Dashboard of figures and Decision 766 points, and its CSV export (tests/statistics/test_dashboard.py).
    "staff_dashboard.dashboard_page": {"leader", "agency_admin", "admin"},
    "staff_dashboard.export_csv": {"leader", "agency_admin", "admin"},
    "staff_dashboard.items_page": {"leader", "agency_admin", "admin"},  # drill-down (issue 16 item 12)
    # --- Sign-in security (issue 9 items 5, 10): the two-step sign-in policy and an administrator's reset of
    # one member's two-step sign-in (tests/accounts/test_admin_two_factor.py).
    "accounts_admin.security": {"admin"},
    "accounts_admin.account_two_factor": {"agency_admin", "admin"},
    # --- end of sign-in security
    # API keys for the Open311 interface (issue 12): the province administrator only (tests/apikeys/).
    "apikeys_admin.keys": {"admin"},
    "apikeys_admin.issue": {"admin"},
    "apikeys_admin.revoke": {"admin"},
    # The dossier export for other government systems (issue 12 item 6): leaders and administrators.
    "exports_staff.dossiers_for_staff": {"leader", "agency_admin", "admin"},
    # Personal data (issue 10 item 4): a restricted dossier opens only for its agency's leader and the province
    # admin, each opening logged (tests/privacy/test_erasure.py).
    "privacy_staff.restricted": {"leader", "admin"},
    # The rest of its agency is only told that it is restricted, with no personal data (the dossier's page
    # sends them there instead of a bare 404).
    "privacy_staff.restricted_notice": ALL,
    # Everyday expressions for the catalogue search (issue 18 item 8): the province administrator.
    "catalog_admin.synonyms": {"admin"},
    "catalog_admin.delete_synonym": {"admin"},
    # Communes' hotlines shown with the emergency numbers (issue 18 item 4): agency and province admins.
    "feedback_admin.hotlines": {"agency_admin", "admin"},
    "feedback_admin.set_hotline": {"agency_admin", "admin"},
    # Village intermediaries (issue 13): named and revoked by the agency's administrator; the province admin
    # sees and revokes them (tests/intermediaries). An intermediary passes no staff door.
    "intermediaries_admin.intermediaries": {"agency_admin", "admin"},
    "intermediaries_admin.granted": {"agency_admin", "admin"},
    # The disaster clock (issue 14 item 1; tests/disasters): leaders declare and change, the desk drafts and
    # issues the form 04 letters, every case worker sees the events and the items they moved.
    "disasters.index": ALL - {"agency_admin"},
    "disasters.declare": {"leader", "admin"},
    "disasters.event": ALL - {"agency_admin"},
    "disasters.change": {"leader", "admin"},
    "disasters.draft_letters": DESK,
    "disasters.issue_letters": DESK,
    "privacy_staff.restricted_file": {"leader", "admin"},
    # A conduct complaint's reporter (issue 14 item 4): revealed by a leader of the handling agency or the
    # province admin, each reveal with a reason in the event log (tests/steering/test_conduct.py).
    "steering_staff.reveal": {"leader", "admin"},
}
ACCOUNTS = {
    "receptionist": "receptionist",
    "processor": "processor",
    "leader": "leader",
    "agency_admin": "agency_admin",
    "admin": "admin",
    "citizen": "citizen",
    "finance": "finance",
}


def staff_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")),
        key=lambda rule: rule.rule,
    )


def test_every_staff_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in staff_rules(app)} == set(EXPECTED)


def fill(rule) -> str:
    feedback = db.session.scalar(select(Feedback).where(Feedback.agency.has(slug="ubnd-phuong-to-hieu")))
    dossier = db.session.scalar(select(Dossier).where(Dossier.agency.has(slug="ubnd-phuong-to-hieu")))
    payment = db.session.scalar(select(Payment))
    values = {
        "code": feedback.code if rule.endpoint.startswith("feedback") else dossier.code,
        "action": "note",
        "reference": payment.reference,
        "row_id": "1",
        "kind": "feedback",
        "item_id": str(feedback.id),
        "file_id": "1",
        "form_id": "1",
        "fmt": "json",
        "event_id": "1",
    }
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
    return path


@pytest.mark.parametrize("role", ["anonymous", *ACCOUNTS])
def test_matrix(app, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, ACCOUNTS[role])
    for rule in staff_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(fill(rule), method=method)
        status = response.status_code
        response.close()
        if role == "anonymous":
            assert status == 302 and "/login" in response.headers["Location"], (rule.endpoint, status)
        elif role in EXPECTED[rule.endpoint]:
            assert status != 403, (rule.endpoint, role, status)
        else:
            assert status == 403, (rule.endpoint, role, status)


def test_a_village_intermediary_passes_no_staff_door(app):
    """The intermediary role (issue 13) is not staff: every staff route is 403 for it. What it sees of the
    cases it filed (its own, while open) is tested in tests/intermediaries."""
    from tests.support.factories import make_account

    client = app.test_client()
    sign_in(client, make_account("intermediary", agency="ubnd-phuong-to-hieu"))
    for rule in staff_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(fill(rule), method=method)
        assert response.status_code == 403, (rule.endpoint, response.status_code)
        response.close()


@pytest.mark.parametrize("role", ["anonymous", *ACCOUNTS])
def test_the_intermediary_pages_open_to_intermediaries_only(app, role):
    """/intermediary (reports and dossiers filed for villagers, issue 13): every other role is refused (403),
    an anonymous visitor is sent to sign in. What an intermediary sees there is tested in tests/intermediaries."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.agency.has(slug="ubnd-phuong-to-hieu")))
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, ACCOUNTS[role])
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("intermediaries.")]
    assert {"intermediaries.file_dossier", "intermediaries.dossier_slip"} <= {rule.endpoint for rule in rules}
    for rule in rules:
        path = rule.rule.replace("<code>", dossier.code).replace("<procedure_code>", dossier.procedure.code)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        response.close()
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.endpoint
        else:
            assert response.status_code == 403, (rule.endpoint, role, response.status_code)


# Routes whose <code> is a commune's code, not a dossier's or report's: their refusal is by role (403).
CODE_IS_NOT_AN_ITEM = {"feedback_admin.set_hotline"}


def test_staff_of_another_agency_see_nothing_of_this_one(app):
    create_account(
        email="yte@example.vn",
        password="Mat-khau-rat-dai-2026",
        full_name="Cán bộ Sở Y tế",
        role="leader",
        agency_slug="so-y-te",
    )
    db.session.flush()
    client = app.test_client()
    client.post("/login", data={"email": "yte@example.vn", "password": "Mat-khau-rat-dai-2026"})
    for rule in staff_rules(app):
        if rule.endpoint in CODE_IS_NOT_AN_ITEM:
            continue
        if "<code>" in rule.rule or "<reference>" in rule.rule:
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(fill(rule), method=method)
            assert response.status_code == 404, (rule.endpoint, response.status_code)
            response.close()


# --- payments: the public pages, and data scope ------------------------------------------------------------
#
# Who may see and do what on a payment is decided in portal/payments/policy.py. The public pages are reached by
# the reference alone (a bearer secret): they open for anyone and show no personal data. The e-receipt names the
# payer: the dossier's agency (and the province admin) only; for everybody else it does not exist (404).
TO_HIEU_STAFF = {"receptionist", "processor", "leader", "agency_admin"}
PUBLIC_PAYMENT_PAGES = {  # path suffix -> roles that get 200 (all others: 404); "anonymous" is a role here
    "": ALL | {"finance", "citizen", "anonymous"},
    "/qr.png": ALL | {"finance", "citizen", "anonymous"},
    "/qr.svg": ALL | {"finance", "citizen", "anonymous"},
    ".json": ALL | {"finance", "citizen", "anonymous"},
    "/receipt": TO_HIEU_STAFF | {"admin"},
}
CHIENG_AN = "ubnd-phuong-chieng-an"
OTHER = {
    "receptionist": "tiepnhan.ca@example.vn",
    "processor": "xuly.ca@example.vn",
    "leader": "lanhdao.ca@example.vn",
}


def signed_in(app, role: str):
    """A client signed in as a demo account's role, or as "other <role>" of Chiềng An (fixture chieng_an)."""
    client = app.test_client()
    if role != "anonymous":
        other = role.startswith("other ")
        email = OTHER[role.removeprefix("other ")] if other else ACCOUNTS[role]
        password = "Mat-khau-rat-dai-2026" if other else None
        sign_in(client, email, password)
    return client


def call(client, method: str, url: str, **kwargs) -> int:
    response = client.open(url, method=method, **kwargs)
    response.close()
    return response.status_code


def snapshot() -> dict:
    from portal.events.models import Event
    from portal.payments.models import BankTransaction

    db.session.expire_all()
    return {
        "payments": db.session.execute(
            select(Payment.reference, Payment.status, Payment.received_vnd, Payment.method).order_by(
                Payment.id
            )
        ).all(),
        "credits": db.session.execute(
            select(
                BankTransaction.bank_transaction_id, BankTransaction.state, BankTransaction.payment_id
            ).order_by(BankTransaction.id)
        ).all(),
        "dossiers": db.session.execute(select(Dossier.code, Dossier.status).order_by(Dossier.id)).all(),
        "events": db.session.execute(select(Event.action).where(Event.action != "viewed").order_by(Event.id))
        .scalars()
        .all(),
    }


@pytest.fixture
def chieng_an():
    """A receptionist, a processor and a leader of UBND Phường Chiềng An, another agency than the demo ward's."""
    for role, email in OTHER.items():
        create_account(
            email=email,
            password="Mat-khau-rat-dai-2026",
            full_name=f"Cán bộ Chiềng An ({role})",
            role=role,
            agency_slug=CHIENG_AN,
        )
    db.session.flush()


def test_every_public_payment_route_is_in_the_table(app):
    public = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/payments/")}
    assert public == {f"/payments/<reference>{suffix}" for suffix in PUBLIC_PAYMENT_PAGES}


@pytest.mark.parametrize("role", ["anonymous", *ACCOUNTS])
def test_public_payment_pages(app, role):
    paid = payment_of("Quàng Thị Nga")  # a paid fee of Phường Tô Hiệu: it has a receipt
    assert paid.paid_at is not None
    pending = payment_of("Hà Văn Nam")  # its QR is still shown: a paid fee's is gone (404 for everybody)
    assert pending.status == "pending"
    client = signed_in(app, role)
    for suffix in ("/qr.png", "/qr.svg"):
        assert call(client, "GET", f"/payments/{paid.reference}{suffix}") == 404, (suffix, role)
    for suffix, allowed in PUBLIC_PAYMENT_PAGES.items():
        payment = pending if suffix.startswith("/qr") else paid
        response = client.get(f"/payments/{payment.reference}{suffix}")
        body = response.get_data().decode("utf-8", "replace")
        response.close()
        assert response.status_code == (200 if role in allowed else 404), (suffix, role, response.status_code)
        if suffix != "/receipt" and response.status_code == 200:
            # The reference is all a public page knows: no name, phone, e-mail or address; what the fee is
            # for (the dossier's code) only for those who may open the dossier anyway (issue 18 item 7).
            dossier = payment.dossier
            privates = [dossier.applicant_name, dossier.phone, dossier.email, dossier.address]
            if role not in TO_HIEU_STAFF | {"admin"}:
                privates.append(dossier.code)
            for private in privates:
                assert not private or private not in body, (suffix, role, private)


@pytest.mark.usefixtures("chieng_an")
@pytest.mark.parametrize("role", list(OTHER))
def test_staff_of_another_agency_get_404_for_every_payment_of_this_one(app, role):
    """Chiềng An's desk, by URL: every route that names a Tô Hiệu payment answers 404 and changes nothing."""
    client = signed_in(app, f"other {role}")
    before = snapshot()
    for name in ("Hà Văn Nam", "Quàng Thị Nga", "Sồng A Chứ"):  # pending, paid, underpaid
        reference = payment_of(name).reference
        assert call(client, "GET", f"/staff/payments/{reference}/counter") == 404, (role, name)
        assert call(client, "GET", f"/payments/{reference}/receipt") == 404, (role, name)
        status = call(
            client, "POST", f"/staff/payments/{reference}/confirm", data={"method": "cash", "note": "x"}
        )
        assert status == (404 if role in DESK else 403), (role, name, status)
    assert snapshot() == before
    if role in DESK:  # and the flagged list does not show them
        response = client.get("/staff/payments")
        page = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200
        for name in ("Hà Văn Nam", "Sồng A Chứ"):
            assert payment_of(name).reference not in page


@pytest.mark.usefixtures("chieng_an")
def test_a_leader_of_another_agency_cannot_pay_this_agency_fee_with_a_statement(app):
    """Issue 9 item 1: Chiềng An's leader imported a statement naming Tô Hiệu's reference, and Tô Hiệu's fee
    became paid (dossier 6 → 4). Statements of the provincial account are the province finance role's now."""
    import io

    payment = payment_of("Hà Văn Nam")
    assert (payment.status, payment.dossier.status) == ("pending", 6)
    line = f"ST-CA-1,2026-11-23,{payment.amount_vnd},CT {payment.reference}\n"
    client = signed_in(app, "other leader")
    before = snapshot()
    status = call(
        client,
        "POST",
        "/staff/payments/statement",
        content_type="multipart/form-data",
        data={
            "statement": (
                io.BytesIO(("transaction_id,date,amount,description\n" + line).encode()),
                "sao-ke.csv",
            )
        },
    )
    assert status == 403
    assert snapshot() == before
    db.session.expire_all()
    assert (payment.status, payment.dossier.status) == ("pending", 6)


@pytest.mark.usefixtures("chieng_an")
def test_a_leader_of_another_agency_neither_sees_nor_attaches_the_province_credits(app):
    """Issue 9 item 1: the unmatched list showed every payer's name to every desk, and a leader could attach a
    credit meant for another agency to a reference of their own."""
    from portal.agencies.models import Agency
    from tests.support.payments import signed

    meant_for = payment_of("Hà Văn Nam")  # Tô Hiệu's
    own = payment_of("Sồng A Chứ")
    own.dossier.agency_id = db.session.scalar(
        select(Agency.id).where(Agency.slug == CHIENG_AN)
    )  # now Chiềng An's
    db.session.flush()
    body, headers = signed(
        {
            "transaction_id": "FT-CA-LOST",
            "amount": meant_for.amount_vnd,
            "description": "NOP LE PHI HO SO CUA HA VAN NAM TO HIEU",
        }
    )
    bank = app.test_client()
    response = bank.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "unmatched"
    response.close()
    from portal.payments.models import BankTransaction

    credit = db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == "FT-CA-LOST")
    )
    client = signed_in(app, "other leader")
    response = client.get("/staff/payments")
    page = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200 and "HA VAN NAM" not in page and "FT-CA-LOST" not in page
    before = snapshot()
    status = call(
        client, "POST", f"/staff/payments/unmatched/{credit.id}/resolve", data={"reference": own.reference}
    )
    assert status == 403
    assert snapshot() == before
    # The province's finance officer sees it and attaches it where it belongs, in any agency.
    finance = signed_in(app, "finance")
    response = finance.get("/staff/payments")
    assert "FT-CA-LOST" in response.get_data(as_text=True)
    response.close()
    assert (
        call(
            finance,
            "POST",
            f"/staff/payments/unmatched/{credit.id}/resolve",
            data={"reference": meant_for.reference},
        )
        == 302
    )
    db.session.expire_all()
    assert (credit.state, credit.payment_id, meant_for.status) == ("resolved", meant_for.id, "paid")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/queue",
        "/staff/dossiers",
        "/staff/feedback",
        "/staff/audit",
        "/staff/admin/",
        "/staff/dashboard",
    ],
)
def test_finance_sees_no_agency_work(app, path):
    """finance has no agency: it must never fall into the province-wide (agency None) branch of a queue."""
    client = signed_in(app, "finance")
    assert call(client, "GET", path) in (403, 404), path


def test_finance_sees_the_account_work_and_no_counter(app):
    client = signed_in(app, "finance")
    response = client.get("/staff/payments")
    page = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200 and 'action="/staff/payments/statement"' in page
    assert "/counter" not in page  # the counter and cash confirmation are the agency desk's
    reference = payment_of("Hà Văn Nam").reference
    assert call(client, "GET", f"/staff/payments/{reference}/counter") == 403
    assert call(client, "POST", f"/staff/payments/{reference}/confirm", data={"method": "cash"}) == 403
