"""Every staff route × every role (plus a citizen and an anonymous visitor) against a hand-written table.

A staff route missing from the table fails the test, so a new route must be placed in the matrix on
purpose. Routes are closed by default (portal.staff.access): this checks the doors, not the actions
behind them (those have their own tests).
"""
import pytest
from sqlalchemy import select

from portal.accounts.operations import create_account
from portal.demo import DEMO_PASSWORD
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.payments.models import Payment

ALL = {"receptionist", "processor", "leader", "agency_admin", "admin"}
DESK = {"receptionist", "leader", "admin"}
# endpoint -> roles that may pass the door (written from the issue, not read from the code)
EXPECTED = {
    "staff.home": ALL,
    "staff.queue": ALL,
    "staff.claim": ALL - {"agency_admin"},
    "staff.release": ALL - {"agency_admin"},
    "staff.take_next": ALL - {"agency_admin"},
    "dossiers_staff.queue": ALL,
    "dossiers_staff.item": ALL,
    "dossiers_staff.act": ALL,
    "dossiers_staff.intake": DESK,
    "feedback_staff.queue": ALL,
    "feedback_staff.item": ALL,
    "feedback_staff.act": ALL,
    "payments_staff.index": DESK,
    "payments_staff.counter": DESK | {"processor"},
    "payments_staff.confirm": DESK,
    "payments_staff.import_statement": {"leader", "admin"},
    "payments_staff.resolve": {"leader", "admin"},
    # Administration: agency admins inside their agency, the province admin everywhere (tests/admin).
    "admin.index": {"agency_admin", "admin"},
    "admin.agencies": {"admin"},
    "admin.agency": {"admin"},
    "admin.agency_active": {"admin"},
    "admin.categories": {"agency_admin", "admin"},
    "admin.category": {"agency_admin", "admin"},
    "admin.procedures": {"agency_admin", "admin"},
    "admin.procedure": {"agency_admin", "admin"},
    "admin.accounts": {"agency_admin", "admin"},
    "admin.account_new": {"agency_admin", "admin"},
    "admin.account": {"agency_admin", "admin"},
    "admin.account_role": {"agency_admin", "admin"},
    "admin.account_enabled": {"agency_admin", "admin"},
    "admin.account_password": {"agency_admin", "admin"},
    "admin.calendar": {"admin"},
    "admin.calendar_remove": {"admin"},
    "admin.templates": {"agency_admin", "admin"},
    "admin.template_new": {"agency_admin", "admin"},
    "admin.template": {"agency_admin", "admin"},
    "admin.template_active": {"agency_admin", "admin"},
    "admin.bank": {"admin"},
    "staff_audit.audit": {"leader", "admin"},
    # Dashboard of figures and Decision 766 points, and its CSV export (tests/staff/test_dashboard.py).
    "staff_dashboard.dashboard_page": {"leader", "agency_admin", "admin"},
    "staff_dashboard.export_csv": {"leader", "agency_admin", "admin"},
    # --- Sign-in security (issue 9 items 5, 10): the two-step sign-in policy and an administrator's reset of
    # one member's two-step sign-in (tests/accounts/test_admin_two_factor.py).
    "admin.security": {"admin"},
    "admin.account_two_factor": {"agency_admin", "admin"},
    # --- end of sign-in security
}
ACCOUNTS = {
    "receptionist": "tiepnhan@demo.sonla.vn", "processor": "xuly@demo.sonla.vn", "leader": "lanhdao@demo.sonla.vn",
    "agency_admin": "quantri.xa@demo.sonla.vn", "admin": "admin@demo.sonla.vn", "citizen": "congdan@demo.sonla.vn",
}


def staff_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/staff")),
                  key=lambda rule: rule.rule)


def test_every_staff_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in staff_rules(app)} == set(EXPECTED)


def fill(rule) -> str:
    feedback = db.session.scalar(select(Feedback).where(Feedback.agency.has(slug="ubnd-phuong-to-hieu")))
    dossier = db.session.scalar(select(Dossier).where(Dossier.agency.has(slug="ubnd-phuong-to-hieu")))
    payment = db.session.scalar(select(Payment))
    values = {"code": feedback.code if rule.endpoint.startswith("feedback") else dossier.code,
              "action": "note", "reference": payment.reference, "row_id": "1", "kind": "feedback",
              "item_id": str(feedback.id)}
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
    return path


@pytest.mark.parametrize("role", ["anonymous", *ACCOUNTS])
def test_matrix(app, role):
    client = app.test_client()
    if role != "anonymous":
        assert client.post("/login", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD}).status_code == 302
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


def test_staff_of_another_agency_see_nothing_of_this_one(app):
    create_account(email="yte@example.vn", password="Mat-khau-rat-dai-2026", full_name="Cán bộ Sở Y tế",
                   role="leader", agency_slug="so-y-te")
    db.session.flush()
    client = app.test_client()
    client.post("/login", data={"email": "yte@example.vn", "password": "Mat-khau-rat-dai-2026"})
    for rule in staff_rules(app):
        if "<code>" in rule.rule or "<reference>" in rule.rule:
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(fill(rule), method=method)
            assert response.status_code == 404, (rule.endpoint, response.status_code)
            response.close()
