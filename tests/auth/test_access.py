"""The app-wide staff guards (portal/auth/access.py): declared roles only, agency scope fails closed."""

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from portal.auth.access import agency_scope, allow, can_see_agency


def test_allow_refuses_a_role_that_does_not_exist():
    with pytest.raises(ValueError, match="unknown staff roles"):
        allow("processor", "janitor")


def test_allow_marks_the_view_with_its_roles():
    @allow("leader", "admin")
    def view():
        return "ok"

    assert view.allowed_roles == frozenset({"leader", "admin"})


def test_agency_scope_is_the_officers_agency_and_everything_for_the_admin(app, people):
    with app.test_request_context():
        login_user(people.processor)
        assert agency_scope() == people.processor.agency_id
        assert can_see_agency(people.processor.agency_id)
        assert not can_see_agency(people.processor.agency_id + 1) and not can_see_agency(None)
    with app.test_request_context():
        login_user(people.admin)
        assert agency_scope() is None and can_see_agency(None)


def test_an_officer_without_an_agency_has_no_queue(app, people):
    with app.test_request_context():
        login_user(people.finance)
        with pytest.raises(Forbidden):
            agency_scope()
