"""Administration of feedback categories (answer deadline, urgency, the agency that receives new reports) and
of response templates (ready-made answers for officers; portal.response_templates). The province
administrator edits them all, an agency administrator those of their agency. Audited through
portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from portal.admin.changes import Actor, Forbidden, Invalid, administers, is_province_admin, record_change
from portal.agencies.models import Agency
from portal.domain.fix_check import MAX_DAYS, FixCheck
from portal.extensions import db
from portal.response_templates.operations import TemplateKind

from .models import Feedback, FeedbackCategory, ResponseTemplate, queue_rank


def can_edit_category(actor: Actor, category: FeedbackCategory) -> bool:
    return administers(actor, category.default_agency_id)


def update_category(
    category: FeedbackCategory,
    actor: Actor,
    *,
    name: str,
    name_en: str,
    response_days: int,
    is_urgent: bool,
    subject: str,
    default_agency_id: int | None,
    is_active: bool,
    protects_reporter: bool | None = None,
    after_photo_required: bool | None = None,
    fix_check: str | None = None,
    fix_check_days: int | None = None,
) -> bool:
    if not can_edit_category(actor, category):
        raise Forbidden
    if not 1 <= response_days <= 60:
        raise Invalid("response_days", _l("Enter a number of working days from 1 to 60."))
    if subject not in ("rule", "conduct"):
        raise Invalid("subject", _l("Choose what the reports are about."))
    if fix_check is not None and fix_check not in tuple(FixCheck):
        raise Invalid("fix_check", _l("Choose one answer."))
    if fix_check_days is not None and not 1 <= fix_check_days <= MAX_DAYS:
        raise Invalid("fix_check_days", _l("Enter a number of working days from 1 to 30."))
    if not is_province_admin(actor):
        # An agency administrator edits their agency's categories; handing one to another agency is
        # the province's decision.
        default_agency_id = category.default_agency_id
        protects_reporter = None  # the reporter's protection is the province's decision too (steering)
    elif default_agency_id is not None:
        agency = db.session.get(Agency, default_agency_id)
        if agency is None or (not agency.is_active and agency.id != category.default_agency_id):
            raise Invalid("receiving_agency", _l("Choose an active agency."))
    was_urgent = category.is_urgent
    changed = record_change(
        "feedback_category",
        category,
        {
            "name": name,
            "name_en": name_en,
            "response_days": response_days,
            "is_urgent": is_urgent,
            "subject": subject,
            "default_agency_id": default_agency_id,
            "is_active": is_active,
            "protects_reporter": category.protects_reporter
            if protects_reporter is None
            else protects_reporter,
            # Closure the citizen can verify (issue 14 item 5); None: unchanged.
            "after_photo_required": category.after_photo_required
            if after_photo_required is None
            else after_photo_required,
            "fix_check": category.fix_check if fix_check is None else fix_check,
            "fix_check_days": fix_check_days if fix_check is not None else category.fix_check_days,
        },
        "category_updated",
        actor,
    )
    if category.is_urgent != was_urgent:  # the category's items move to (or from) the top of the queues
        db.session.execute(
            update(Feedback)
            .where(Feedback.category_id == category.id, Feedback.queue_rank.is_not(None))
            .values(queue_rank=queue_rank(category.is_urgent))
            .execution_options(synchronize_session="fetch")
        )
    return changed


TEMPLATES = TemplateKind("response_template", ResponseTemplate)
