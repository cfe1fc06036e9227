"""Dossier response templates (issue 16 item 10): administrators keep texts for requests for documents,
refusals and result notes (audited); an officer starts the matching action's text from one of them; an
agency administrator edits only their agency's."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.domain.dossier_status import DossierStatus as S
from portal.dossiers.models import DossierTemplate
from portal.extensions import db
from tests.support.admin import ADMIN, body, events, health_admin, signed_in
from tests.support.dossiers import make_dossier


def test_an_admin_writes_a_template_and_the_officer_starts_from_it(app):
    admin = signed_in(app, ADMIN)
    response = admin.post(
        "/staff/admin/dossier-templates/new",
        data={
            "purpose": "supplement",
            "title": "Thiếu bản sao CCCD",
            "body": "Đề nghị ông/bà bổ sung bản sao Căn cước công dân.",
            "agency": "",
            "is_active": "y",
        },
    )
    assert response.status_code == 302, body(response)[:600]
    template = db.session.scalar(select(DossierTemplate).order_by(DossierTemplate.id.desc()))
    assert (template.purpose, template.agency_id) == ("supplement", None)
    [created] = events("dossier_template", template.id, "template_created")
    assert created.actor_id is not None
    assert "Thiếu bản sao CCCD" in body(admin.get("/staff/admin/dossier-templates"))

    dossier = make_dossier(received=True)
    dossier.status = S.PROCESSING.value
    db.session.commit()
    officer = signed_in(app, "processor")
    page = body(officer.get(f"/staff/dossiers/{dossier.code}"))
    offered = re.search(r'<textarea id="note-request_supplement"[^>]*>([^<]*)</textarea>', page)
    assert offered and offered[1] == ""
    assert f"template={template.id}" in page
    # A template of one purpose is offered for its own action only (not the refusal's, nor the note's).
    assert page.count(f"template={template.id}") == 1
    filled = body(officer.get(f"/staff/dossiers/{dossier.code}?template={template.id}"))
    offered = re.search(r'<textarea id="note-request_supplement"[^>]*>([^<]*)</textarea>', filled)
    assert offered[1] == template.body
    # Deactivated: no longer offered.
    template.is_active = False
    db.session.commit()
    assert f"template={template.id}" not in body(officer.get(f"/staff/dossiers/{dossier.code}"))


def test_another_agencys_administrator_cannot_edit_it(app):
    template = DossierTemplate(agency_id=None, purpose="refusal", title="Ngoài thẩm quyền", body="…")
    db.session.add(template)
    db.session.commit()
    outsider = health_admin(app)
    assert outsider.get(f"/staff/admin/dossier-templates/{template.id}").status_code == 404
    assert "Ngoài thẩm quyền" in body(outsider.get("/staff/admin/dossier-templates"))  # read only


def test_the_templates_an_officer_starts_from_are_in_vietnamese_order(app):
    """Byte order put "Ảnh" (U+1EA2) and "Đủ" (U+0110) after "Thiếu"; Vietnamese: a < b < đ < t."""
    from portal.domain.collation import sort_key
    from portal.dossiers.admin_operations import for_dossier

    titles = ["Thiếu giấy tờ", "Đủ điều kiện", "Bổ sung bản sao", "Ảnh không rõ"]
    db.session.add_all(
        DossierTemplate(agency_id=None, purpose="refusal", title=title, body="…") for title in titles
    )
    db.session.flush()
    shown = [row.title for row in for_dossier(0)["refusal"]]
    assert shown == sorted(shown, key=sort_key)
    assert shown.index("Ảnh không rõ") < shown.index("Bổ sung bản sao") < shown.index("Đủ điều kiện")
    assert shown.index("Đủ điều kiện") < shown.index("Thiếu giấy tờ")
