"""/staff/admin/accounts: staff accounts (create, change role and agency, enable or disable, set a password).
The province administrator manages every staff account; an agency administrator the staff of their own agency
(another agency's answer 404). Closed by default (portal.auth.access); opened per view. Every change writes an
Event (portal.accounts.admin_operations). The sign-in policy and two-step resets: routes_admin_security."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal import pagination
from portal.admin.changes import Invalid
from portal.admin.forms import ToggleForm
from portal.admin.views import ADMINS, PAGE, admin_blueprint, fail, form_status, id_or_none, province, save
from portal.agencies import queries as agencies
from portal.auth.access import allow, protect
from portal.choices import options
from portal.domain.roles import STAFF_ROLES, Role
from portal.domain.text import clean
from portal.events.models import Event
from portal.extensions import db
from portal.forms import required
from portal.search import contains

from . import admin_operations as operations
from .admin_forms import ROLES, AccountCreateForm, PasswordForm, RoleForm
from .models import Account
from .two_factor import is_enrolled

bp = protect(admin_blueprint("accounts_admin", __name__))


def _account(row_id: int) -> Account:
    row = db.session.get(Account, row_id)
    if row is None or not operations.can_manage_account(current_user, row):
        abort(404)
    return row


def _role_choices() -> list:
    return options((role, ROLES[role]) for role in operations.assignable_roles(current_user))


def _staff_agency_choices(current: int | None = None) -> list:
    if province():
        none = _("None (province-wide roles: administrator, finance)")
        return options([("", none)] + agencies.choices(current))
    return options(agencies.single_choice(current_user.agency_id, current_user.agency))


@bp.get("/accounts")
@allow(*ADMINS)
def accounts():
    query = clean(request.args.get("q", ""))[:100].lower()
    after = pagination.decode(request.args.get("after", ""), pagination.text(254))
    statement = select(Account).where(Account.role.in_(STAFF_ROLES))
    if not province():
        statement = statement.where(Account.agency_id == current_user.agency_id, Account.role != Role.ADMIN)
    if query:
        statement = statement.where(
            or_(contains(Account.email, query), contains(Account.full_name, query, True))
        )
    if after:
        statement = statement.where(Account.email > after[0])
    rows, next_key = pagination.page(
        db.session.scalars(statement.order_by(Account.email).limit(PAGE + 1)).all(),
        PAGE,
        lambda row: row.email,
    )
    next_url = pagination.next_url(".accounts", "after", next_key, q=query or None)
    return render_template(
        "accounts/admin/accounts.html", accounts=rows, query=query, next_url=next_url, roles=ROLES
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow(*ADMINS)
def account_new():
    form = AccountCreateForm()
    form.role.choices = options([("", _("Choose…"))]) + _role_choices()
    form.agency.choices = _staff_agency_choices()
    if request.method == "GET" and not province():
        form.agency.data = str(current_user.agency_id)
    if form.validate_on_submit():
        try:
            created = operations.create_staff(
                current_user,
                email=required(form.email),
                full_name=required(form.full_name),
                role=form.role.data,
                agency_id=id_or_none(form.agency.data),
                password=form.password.data,
            )
        except Invalid as error:
            fail(form, error)
        else:
            db.session.commit()
            flash(_("Account created. Give the person the initial password in a safe way."), "success")
            return redirect(url_for(".account", row_id=created.id))
    return render_template("accounts/admin/account_new.html", form=form), form_status()


def _account_page(row: Account, status: int = 200, *, role_form=None, password_form=None, toggle=None):
    if role_form is None:
        role_form = RoleForm(formdata=None, role=row.role, agency=str(row.agency_id or ""))
        role_form.role.choices = _role_choices()
        role_form.agency.choices = _staff_agency_choices(row.agency_id)
    events = db.session.scalars(
        select(Event)
        .where(Event.subject_type == "account", Event.subject_id == row.id)
        .order_by(Event.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "accounts/admin/account.html",
        account=row,
        roles=ROLES,
        events=events,
        two_factor_on=is_enrolled(row),
        role_form=role_form,
        password_form=password_form or PasswordForm(formdata=None),
        toggle=toggle or ToggleForm(formdata=None),
    ), status


@bp.get("/accounts/<int:row_id>")
@allow(*ADMINS)
def account(row_id: int):
    return _account_page(_account(row_id))


@bp.post("/accounts/<int:row_id>/role")
@allow(*ADMINS)
def account_role(row_id: int):
    row = _account(row_id)
    form = RoleForm()
    form.role.choices = _role_choices()
    form.agency.choices = _staff_agency_choices(row.agency_id)
    done = save(
        form,
        lambda: operations.change_role(
            row, current_user, role=form.role.data, agency_id=id_or_none(form.agency.data)
        ),
        url_for(".account", row_id=row.id),
    )
    return done or _account_page(row, 400, role_form=form)


@bp.post("/accounts/<int:row_id>/enabled")
@allow(*ADMINS)
def account_enabled(row_id: int):
    row = _account(row_id)
    form = ToggleForm()
    done = save(
        form,
        lambda: operations.set_enabled(row, current_user, form.active.data == "1"),
        url_for(".account", row_id=row.id),
    )
    return done or _account_page(row, 400, toggle=form)


@bp.post("/accounts/<int:row_id>/password")
@allow(*ADMINS)
def account_password(row_id: int):
    row = _account(row_id)
    form = PasswordForm()
    if form.validate_on_submit():
        operations.reset_password(row, current_user, form.password.data)
        db.session.commit()
        if row.id == current_user.id:
            flash(_("Your password was changed. Please sign in again."), "success")
            return redirect(url_for("accounts.login"))
        flash(_("Password set. Every session of this account has ended."), "success")
        return redirect(url_for(".account", row_id=row.id))
    return _account_page(row, 400, password_form=form)


from . import routes_admin_security  # noqa: E402,F401  (the sign-in policy and 2FA resets join this blueprint)
