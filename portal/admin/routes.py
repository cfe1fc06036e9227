"""/staff/admin: agencies, feedback categories, procedures, staff accounts, announced days, response
templates and the VietQR bank account. Closed by default (portal.auth.access); opened per view.

Agency administrators work inside their own agency (another agency's rows answer 404); the province
administrator everywhere. Invalid input re-renders the form with translated errors (400) and changes
nothing; every change writes an Event (portal.admin.operations).
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from babel.dates import get_day_names
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.labels import EVENT as ACCOUNT_EVENTS
from portal.accounts.models import STAFF_ROLES, Account
from portal.accounts.two_factor import is_enrolled
from portal.agencies.models import Agency
from portal.auth.access import allow, protect
from portal.calendar.models import DAY_OFF, CalendarDay
from portal.calendar.queries import calendar_for, local_now
from portal.catalog.models import Procedure
from portal.choices import options
from portal.domain.text import clean
from portal.errors import render_error
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import FeedbackCategory, ResponseTemplate
from portal.i18n import locale_code
from portal.search import contains, every_term

from . import forms, operations
from .operations import Forbidden, Invalid

bp = protect(Blueprint("admin", __name__, url_prefix="/staff/admin", template_folder="templates"))
ADMINS = ("agency_admin", "admin")
PAGE = 50
CALENDAR_MONTHS = 4


def _province() -> bool:
    return current_user.role == "admin"


def _fail(form, error: Invalid) -> None:
    """Show an operation's refusal on its field (or above the form when the field is not shown)."""
    db.session.rollback()
    if error.field in form._fields:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _status() -> int:
    """A form sent back with errors answers 400; the page itself 200."""
    return 400 if request.method == "POST" else 200


def _agency_names(ids) -> dict[int, str]:
    name = Agency.name_en if locale_code() == "en" else Agency.name
    return dict(db.session.execute(select(Agency.id, name).where(Agency.id.in_(set(ids) - {None}))).all())


def _saved(changed: bool) -> None:
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "success")


def _agency_name(agency: Agency | None) -> str:
    if agency is None:
        return ""
    return agency.name_en if locale_code() == "en" and agency.name_en else agency.name


def _agency_choices(current: int | None = None) -> list[tuple[str, str]]:
    """Active agencies (and the current one even if inactive), for a select."""
    rows = db.session.scalars(
        select(Agency).where(or_(Agency.is_active, Agency.id == current)).order_by(Agency.kind, Agency.name)
    ).all()
    return [(str(agency.id), _agency_name(agency)) for agency in rows]


def _own_agency_choice() -> list[tuple[str, str]]:
    return [(str(current_user.agency_id), _agency_name(current_user.agency))]


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _toggle_wanted() -> bool | None:
    form = forms.ToggleForm()
    if not form.validate_on_submit():
        return None
    return form.active.data == "1"


@bp.get("")
@allow(*ADMINS)
def index():
    return render_template("admin/index.html")


# --------------------------------------------------------------------------------------------- agencies


def _agency(row_id: int) -> Agency:
    return db.session.get(Agency, row_id) or abort(404)


@bp.get("/agencies")
@allow("admin")
def agencies():
    rows = db.session.scalars(select(Agency).order_by(Agency.kind.desc(), Agency.name)).all()
    return render_template("admin/agencies.html", agencies=rows)


@bp.route("/agencies/<int:row_id>", methods=["GET", "POST"])
@allow("admin")
def agency(row_id: int):
    row = _agency(row_id)
    form = forms.AgencyForm(obj=row)
    if form.validate_on_submit():
        try:
            changed = operations.update_agency(
                row, current_user, name=form.name.data, name_en=form.name_en.data, code=form.code.data
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".agency", row_id=row.id))
    return render_template("admin/agency.html", agency=row, form=form), _status()


@bp.post("/agencies/<int:row_id>/active")
@allow("admin")
def agency_active(row_id: int):
    row = _agency(row_id)
    wanted = _toggle_wanted()
    if wanted is None:
        abort(400)
    _saved(operations.set_agency_active(row, current_user, wanted))
    return redirect(url_for(".agency", row_id=row.id))


# ---------------------------------------------------------------------------------- feedback categories


def _category(row_id: int) -> FeedbackCategory:
    row = db.session.get(FeedbackCategory, row_id)
    if row is None or not operations.can_edit_category(current_user, row):
        abort(404)
    return row


@bp.get("/categories")
@allow(*ADMINS)
def categories():
    statement = select(FeedbackCategory).order_by(FeedbackCategory.position, FeedbackCategory.id)
    if not _province():
        statement = statement.where(FeedbackCategory.default_agency_id == current_user.agency_id)
    rows = db.session.scalars(statement).all()
    return render_template(
        "admin/categories.html",
        categories=rows,
        agency_names=_agency_names(r.default_agency_id for r in rows),
    )


@bp.route("/categories/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def category(row_id: int):
    row = _category(row_id)
    form = forms.CategoryForm(obj=row, receiving_agency=str(row.default_agency_id or ""))
    if _province():
        form.receiving_agency.choices = options(
            [("", _("The People's Committee of the commune where the problem is"))]
            + _agency_choices(row.default_agency_id)
        )
    else:
        form.receiving_agency.choices = options(_own_agency_choice())
    if form.validate_on_submit():
        try:
            changed = operations.update_category(
                row,
                current_user,
                name=form.name.data,
                name_en=form.name_en.data,
                response_days=form.response_days.data,
                is_urgent=form.is_urgent.data,
                subject=form.subject.data,
                default_agency_id=_id_or_none(form.receiving_agency.data),
                is_active=form.is_active.data,
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".category", row_id=row.id))
    return render_template("admin/category.html", category=row, form=form), _status()


# ------------------------------------------------------------------------------------------- procedures


def _procedure(row_id: int) -> Procedure:
    row = db.session.get(Procedure, row_id)
    if row is None or not operations.can_edit_procedure(current_user, row):
        abort(404)
    return row


@bp.get("/procedures")
@allow(*ADMINS)
def procedures():
    query = clean(request.args.get("q", ""))[:200]
    after = clean(request.args.get("after", ""))[:20]
    statement = select(Procedure)
    if not _province():
        statement = statement.where(Procedure.agency_id == current_user.agency_id)
    statement = statement.where(*every_term(Procedure.search_key, query))
    if after:
        statement = statement.where(Procedure.code > after)
    rows = db.session.scalars(statement.order_by(Procedure.code).limit(PAGE + 1)).all()
    next_url = None
    if len(rows) > PAGE:
        next_url = url_for(".procedures", q=query or None, after=rows[PAGE - 1].code)
    return render_template("admin/procedures.html", procedures=rows[:PAGE], query=query, next_url=next_url)


@bp.route("/procedures/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def procedure(row_id: int):
    row = _procedure(row_id)
    form = forms.ProcedureForm(obj=row)
    if form.validate_on_submit():
        try:
            changed = operations.update_procedure(
                row,
                current_user,
                charge_vnd=form.charge_vnd.data,
                fee_vnd=form.fee_vnd.data,
                processing_days=form.processing_days.data,
                same_day=form.same_day.data,
                online_level=form.online_level.data,
                needs_approval=form.needs_approval.data,
                is_active=form.is_active.data,
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".procedure", row_id=row.id))
    return render_template("admin/procedure.html", procedure=row, form=form), _status()


# ------------------------------------------------------------------------------------------ staff accounts


def _account(row_id: int) -> Account:
    row = db.session.get(Account, row_id)
    if row is None or not operations.can_manage_account(current_user, row):
        abort(404)
    return row


def _role_choices() -> list:
    return options((role, forms.ROLES[role]) for role in operations.assignable_roles(current_user))


def _staff_agency_choices(current: int | None = None) -> list:
    if _province():
        none = _("None (province-wide roles: administrator, finance)")
        return options([("", none)] + _agency_choices(current))
    return options(_own_agency_choice())


@bp.get("/accounts")
@allow(*ADMINS)
def accounts():
    query = clean(request.args.get("q", ""))[:100].lower()
    after = clean(request.args.get("after", ""))[:254]
    statement = select(Account).where(Account.role.in_(STAFF_ROLES))
    if not _province():
        statement = statement.where(Account.agency_id == current_user.agency_id, Account.role != "admin")
    if query:
        statement = statement.where(
            or_(contains(Account.email, query), contains(Account.full_name, query, True))
        )
    if after:
        statement = statement.where(Account.email > after)
    rows = db.session.scalars(statement.order_by(Account.email).limit(PAGE + 1)).all()
    next_url = url_for(".accounts", q=query or None, after=rows[PAGE - 1].email) if len(rows) > PAGE else None
    return render_template(
        "admin/accounts.html", accounts=rows[:PAGE], query=query, next_url=next_url, roles=forms.ROLES
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow(*ADMINS)
def account_new():
    form = forms.AccountCreateForm()
    form.role.choices = options([("", _("Choose…"))]) + _role_choices()
    form.agency.choices = _staff_agency_choices()
    if request.method == "GET" and not _province():
        form.agency.data = str(current_user.agency_id)
    if form.validate_on_submit():
        try:
            created = operations.create_staff(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                agency_id=_id_or_none(form.agency.data),
                password=form.password.data,
            )
        except Invalid as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Account created. Give the person the initial password in a safe way."), "success")
            return redirect(url_for(".account", row_id=created.id))
    return render_template("admin/account_new.html", form=form), _status()


def _account_page(row: Account, status: int = 200, *, role_form=None, password_form=None, toggle=None):
    if role_form is None:
        role_form = forms.RoleForm(formdata=None, role=row.role, agency=str(row.agency_id or ""))
        role_form.role.choices = _role_choices()
        role_form.agency.choices = _staff_agency_choices(row.agency_id)
    events = db.session.scalars(
        select(Event)
        .where(Event.subject_type == "account", Event.subject_id == row.id)
        .order_by(Event.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/account.html",
        account=row,
        roles=forms.ROLES,
        events=events,
        event_labels=ACCOUNT_EVENTS,
        two_factor_on=is_enrolled(row),
        role_form=role_form,
        password_form=password_form or forms.PasswordForm(formdata=None),
        toggle=toggle or forms.ToggleForm(formdata=None),
    ), status


@bp.get("/accounts/<int:row_id>")
@allow(*ADMINS)
def account(row_id: int):
    return _account_page(_account(row_id))


@bp.post("/accounts/<int:row_id>/role")
@allow(*ADMINS)
def account_role(row_id: int):
    row = _account(row_id)
    form = forms.RoleForm()
    form.role.choices = _role_choices()
    form.agency.choices = _staff_agency_choices(row.agency_id)
    if form.validate_on_submit():
        try:
            changed = operations.change_role(
                row, current_user, role=form.role.data, agency_id=_id_or_none(form.agency.data)
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".account", row_id=row.id))
    return _account_page(row, 400, role_form=form)


@bp.post("/accounts/<int:row_id>/enabled")
@allow(*ADMINS)
def account_enabled(row_id: int):
    row = _account(row_id)
    form = forms.ToggleForm()
    if form.validate_on_submit():
        try:
            changed = operations.set_enabled(row, current_user, form.active.data == "1")
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".account", row_id=row.id))
    return _account_page(row, 400, toggle=form)


@bp.post("/accounts/<int:row_id>/password")
@allow(*ADMINS)
def account_password(row_id: int):
    row = _account(row_id)
    form = forms.PasswordForm()
    if form.validate_on_submit():
        operations.reset_password(row, current_user, form.password.data)
        db.session.commit()
        if row.id == current_user.id:
            flash(_("Your password was changed. Please sign in again."), "success")
            return redirect(url_for("accounts.login"))
        flash(_("Password set. Every session of this account has ended."), "success")
        return redirect(url_for(".account", row_id=row.id))
    return _account_page(row, 400, password_form=form)


# ------------------------------------------------------------------------------------------------ calendar


def _month_start(text: str, today: date) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(start: date, count: int, today: date) -> list[dict]:
    """Month grids (Monday first) with each day's state: working, weekend, holiday, announced off, make-up."""
    end = _add_months(start, count)
    cal = calendar_for(range(start.year, end.year + 1))
    language = "en_US" if locale_code() == "en" else "vi"
    names = holidays.country_holidays("VN", years=range(start.year, end.year + 1), language=language)
    announced = {
        row.day: row
        for row in db.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day < end)
        )
    }
    months = []
    first = start
    while first < end:
        following = _add_months(first, 1)
        weeks, week = [], [None] * first.weekday()
        day = first
        while day < following:
            row = announced.get(day)
            working = cal.is_working_day(day)
            if row is not None:
                kind, label = ("announced_off" if row.kind == DAY_OFF else "makeup"), row.reason
            elif day in names and not working:
                kind, label = "holiday", names.get(day)
            elif not working:
                kind, label = "weekend", ""
            else:
                kind, label = "work", names.get(day, "")  # a package holiday the table turned back
            week.append({"day": day, "working": working, "kind": kind, "label": label, "today": day == today})
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        months.append({"first": first, "title": format_date(first, "LLLL yyyy"), "weeks": weeks})
        first = following
    return months


def _calendar_page(form, status: int = 200):
    today = local_now().date()
    start = _month_start(request.args.get("start", ""), today)
    rows = db.session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(today.year - 1, 1, 1)).order_by(CalendarDay.day)
    ).all()
    day_names = get_day_names("abbreviated", locale=get_locale())
    return render_template(
        "admin/calendar.html",
        form=form,
        rows=rows,
        months=_months(start, CALENDAR_MONTHS, today),
        weekdays=[day_names[index] for index in range(7)],
        kinds=forms.KINDS,
        previous=_add_months(start, -CALENDAR_MONTHS).strftime("%Y-%m"),
        following=_add_months(start, CALENDAR_MONTHS).strftime("%Y-%m"),
        remove=forms.CalendarRemoveForm(formdata=None),
    ), status


@bp.route("/calendar", methods=["GET", "POST"])
@allow("admin")
def calendar():
    form = forms.CalendarDayForm()
    if form.validate_on_submit():
        try:
            operations.add_calendar_day(
                current_user,
                day=form.day.data,
                kind=form.kind.data,
                reason=form.reason.data,
                legal_reference=form.legal_reference.data or "",
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(True)
            return redirect(url_for(".calendar", start=form.day.data.strftime("%Y-%m")))
    return _calendar_page(form, _status())


@bp.post("/calendar/remove")
@allow("admin")
def calendar_remove():
    form = forms.CalendarRemoveForm()
    if form.validate_on_submit():
        try:
            operations.remove_calendar_day(current_user, form.day.data)
        except Invalid:
            db.session.rollback()
        else:
            _saved(True)
            return redirect(url_for(".calendar"))
    flash(_("This date is not listed."), "error")
    return _calendar_page(forms.CalendarDayForm(formdata=None), 400)


# -------------------------------------------------------------------------------------- response templates


def _template(row_id: int) -> ResponseTemplate:
    row = db.session.get(ResponseTemplate, row_id)
    if row is None or not operations.can_edit_template(current_user, row):
        abort(404)
    return row


def _template_agency_choices(current: int | None = None) -> list:
    if _province():
        return options([("", _("Every agency (province-wide)"))] + _agency_choices(current))
    return options(_own_agency_choice())


@bp.get("/templates")
@allow(*ADMINS)
def templates():
    statement = select(ResponseTemplate).order_by(
        ResponseTemplate.agency_id.is_not(None), ResponseTemplate.agency_id, ResponseTemplate.title
    )
    if not _province():
        # Their own (editable) and the province-wide ones their officers also see (read only).
        statement = statement.where(
            or_(ResponseTemplate.agency_id == current_user.agency_id, ResponseTemplate.agency_id.is_(None))
        )
    rows = db.session.scalars(statement).all()
    return render_template(
        "admin/templates.html",
        templates=rows,
        agency_names=_agency_names(r.agency_id for r in rows),
        can_edit=lambda row: operations.can_edit_template(current_user, row),
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@allow(*ADMINS)
def template_new():
    form = forms.TemplateForm()
    form.agency.choices = _template_agency_choices()
    if request.method == "GET":
        form.is_active.data = True
        if not _province():
            form.agency.data = str(current_user.agency_id)
    if form.validate_on_submit():
        try:
            created = operations.create_template(
                current_user,
                title=form.title.data,
                body=form.body.data,
                agency_id=_id_or_none(form.agency.data),
                is_active=form.is_active.data,
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(True)
            return redirect(url_for(".template", row_id=created.id))
    return render_template("admin/template.html", form=form, template=None), _status()


@bp.route("/templates/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def template(row_id: int):
    row = _template(row_id)
    form = forms.TemplateForm(obj=row)
    if request.method == "GET":
        form.agency.data = str(row.agency_id or "")
    form.agency.choices = _template_agency_choices(row.agency_id)
    if form.validate_on_submit():
        try:
            changed = operations.update_template(
                row,
                current_user,
                title=form.title.data,
                body=form.body.data,
                agency_id=_id_or_none(form.agency.data),
                is_active=form.is_active.data,
            )
        except Invalid as error:
            _fail(form, error)
        else:
            _saved(changed)
            return redirect(url_for(".template", row_id=row.id))
    return render_template("admin/template.html", form=form, template=row), _status()


@bp.post("/templates/<int:row_id>/active")
@allow(*ADMINS)
def template_active(row_id: int):
    row = _template(row_id)
    wanted = _toggle_wanted()
    if wanted is None:
        abort(400)
    _saved(operations.set_template_active(row, current_user, wanted))
    return redirect(url_for(".template", row_id=row.id))


# ------------------------------------------------------------------------------------------- bank account


@bp.route("/bank", methods=["GET", "POST"])
@allow("admin")
def bank():
    current, source = operations.effective_bank()
    form = forms.BankForm(data=current) if request.method == "GET" else forms.BankForm()
    if form.validate_on_submit():
        _saved(
            operations.save_bank(
                current_user,
                bank_bin=form.bank_bin.data,
                account_number=form.account_number.data,
                account_name=form.account_name.data,
            )
        )
        return redirect(url_for(".bank"))
    return render_template("admin/bank.html", form=form, current=current, source=source), _status()


@bp.errorhandler(Forbidden)
def forbidden(error):
    db.session.rollback()
    return render_error(403)


@bp.errorhandler(IntegrityError)
def conflict(error):
    """Two administrators saved the same thing at once (a code, an e-mail, a date, the bank row): the
    database refused the second; nothing of it was written."""
    db.session.rollback()
    flash(
        _("Someone else changed this at the same time, so nothing was saved. Check and try again."), "error"
    )
    return redirect(request.path)


from . import routes_security  # noqa: E402,F401  (the sign-in policy and 2FA resets join this blueprint)
