"""Procedures with a leader approval step: the processor proposes, only a leader makes the result ready."""

from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.dossiers.test_flow import staff
from tests.support.dossiers import applicant
from tests.support.files import pdf_file

BUILDING_PERMIT = "SL-025"  # Hoạt động xây dựng: seeded with the approval step


def test_processor_proposes_leader_approves(client, app):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == BUILDING_PERMIT))
    assert procedure.needs_approval
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [pdf_file()]
    response = client.post(
        f"/dossiers/apply/{BUILDING_PERMIT}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    code = dossier.code
    desk, processor, leader = (staff(app, role) for role in ("receptionist", "processor", "leader"))
    desk.post(f"/staff/dossiers/{code}/receive")
    processor.post(f"/staff/dossiers/{code}/start")
    processor.post(f"/staff/dossiers/{code}/finish")  # refused: this procedure needs approval
    db.session.refresh(dossier)
    assert dossier.status == 4
    assert processor.post(f"/staff/dossiers/{code}/approve").status_code == 403
    processor.post(f"/staff/dossiers/{code}/propose_result")
    db.session.refresh(dossier)
    assert dossier.result_proposed and dossier.status == 4
    assert "approve" in leader.get(f"/staff/dossiers/{code}").get_data(as_text=True)
    leader.post(f"/staff/dossiers/{code}/approve")
    db.session.refresh(dossier)
    assert dossier.status == 9 and dossier.finished_at is not None
