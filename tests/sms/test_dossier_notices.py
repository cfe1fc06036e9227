"""A dossier's notices by SMS: sent, received with the date, documents requested, fee, apology with the new
date, result ready; each only after its transaction commits."""

from datetime import timedelta

from portal.calendar.queries import calendar_around, local_now
from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.extensions import db
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.jobs import run_jobs


def test_a_dossier_texts_each_step_to_the_applicant(app, gateway):
    with app.test_request_context():
        dossier = make_dossier()
        db.session.commit()
        run_jobs(app)
        desk = make_account("receptionist", agency=dossier.agency)
        processor = make_account("processor", agency=dossier.agency)
        operations.staff_act(dossier, A.RECEIVE, desk)
        operations.staff_act(dossier, A.START, processor)
        db.session.commit()
        run_jobs(app)
        today = local_now().date()
        new_date = calendar_around(today).next_working_day(
            max(dossier.appointment_on, today) + timedelta(days=1)
        )
        operations.staff_act(dossier, A.APOLOGISE, processor, note="Chờ xác minh.", new_date=new_date)
        operations.staff_act(dossier, A.REQUEST_SUPPLEMENT, processor, note="Giấy xác nhận chỗ ở.")
        db.session.rollback()  # rolled back: nothing is texted
        run_jobs(app)
        assert len(gateway.received) == 2
        operations.staff_act(dossier, A.APOLOGISE, processor, note="Chờ xác minh.", new_date=new_date)
        db.session.commit()
        run_jobs(app)
        operations.staff_act(dossier, A.FINISH, processor)  # a procedure without an approval step
        db.session.commit()
        run_jobs(app)
    texts = [t.content for t in gateway.to("0912345678")]
    code = dossier.code
    assert (
        texts[0]
        == f"Cong thong tin Son La: da gui ho so {code}, dang cho tiep nhan. Tra cuu: nhan {code} gui 8077."
    )
    assert texts[1].startswith(f"Cong thong tin Son La: da tiep nhan ho so {code}, hen tra ket qua ")
    assert texts[2] == (
        f"Cong thong tin Son La: xin loi ong/ba, ho so {code} bi cham; hen lai ngay {new_date.strftime('%d/%m/%Y')}."
    )
    assert texts[3] == f"Cong thong tin Son La: ho so {code} da co ket qua."
    assert all(len(text) <= 160 and text.isascii() for text in texts)
