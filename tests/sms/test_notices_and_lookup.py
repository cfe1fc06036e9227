"""Notices texted when a case moves (after the commit), and the status look-up by text message."""

from sqlalchemy import select

from portal.extensions import db
from portal.jobs.models import OutboxJob
from tests.support.feedback import by_code, receipt_code, web_submit
from tests.support.jobs import run_jobs
from tests.support.sms import LOOKUP_NUMBER, signed


def test_a_report_sent_on_the_web_texts_its_code_to_the_phone(app, gateway):
    client = app.test_client()
    assert web_submit(client).status_code == 302
    code = receipt_code(client)
    assert db.session.scalar(select(OutboxJob).where(OutboxJob.key.like("sms:feedback:%:submitted:%")))
    run_jobs(app)
    [text] = gateway.to("0912345678")
    assert code in text.content and f"{code} gui {LOOKUP_NUMBER}" in text.content
    assert text.content.isascii() and len(text.content) <= 160


def test_no_text_without_a_gateway(app):
    client = app.test_client()
    web_submit(client)
    assert db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "sms")) is None


def test_a_request_for_information_is_texted(app, gateway):
    from portal.domain.feedback_status import FeedbackAction as A
    from portal.feedback import operations

    client = app.test_client()
    web_submit(client)
    item = by_code(receipt_code(client))
    db.session.commit()
    run_jobs(app)
    gateway.received.clear()
    with app.test_request_context():
        from portal.accounts.models import Account

        leader = db.session.scalar(select(Account).where(Account.role == "admin"))
        operations.staff_act(item, A.ACCEPT, leader)
        operations.staff_act(item, A.REQUEST_INFO, leader, note="Xin ảnh chụp rõ hơn")
        db.session.commit()
    run_jobs(app)
    assert [t.content for t in gateway.received] == [
        f"Cong thong tin Son La: phan anh {item.code} can ong/ba bo sung thong tin."
    ]


def test_the_code_texted_to_the_lookup_number_gets_the_status_and_date(app, gateway):
    client = app.test_client()
    web_submit(client)
    item = by_code(receipt_code(client))
    db.session.commit()
    run_jobs(app)
    gateway.received.clear()
    raw, headers = signed({"from": "0987654321", "to": LOOKUP_NUMBER, "text": f"tc {item.code.lower()}"})
    response = app.test_client().post("/sms/inbound", data=raw, headers=headers)
    assert response.status_code == 200 and response.json == {"status": "answered"}
    assert gateway.received == []  # answered by the worker, after the commit
    run_jobs(app)
    [answer] = gateway.to("0987654321")
    due = item.due_on.strftime("%d/%m/%Y")
    assert answer.content == f"{item.code}: Cho tiep nhan. Ngay: {due}."
    assert "Pom" not in answer.content and "0912" not in answer.content  # no personal data


def test_an_unknown_code_is_answered_without_detail(app, gateway):
    raw, headers = signed({"from": "0987654321", "text": "PA-990101-0001"})
    assert app.test_client().post("/sms/inbound", data=raw, headers=headers).json == {"status": "answered"}
    run_jobs(app)
    assert gateway.to("0987654321")[0].content.startswith("Khong tim thay")


def test_inbound_refuses_a_bad_or_stale_signature(app, gateway):
    raw, headers = signed({"from": "0987654321", "text": "x"}, secret="wrong-" + "x" * 32)
    assert app.test_client().post("/sms/inbound", data=raw, headers=headers).status_code == 401
    raw, headers = signed({"from": "0987654321", "text": "x"}, timestamp=1_000_000)
    assert app.test_client().post("/sms/inbound", data=raw, headers=headers).status_code == 401
    raw, headers = signed({"text": "x"})
    assert app.test_client().post("/sms/inbound", data=raw, headers=headers).status_code == 400


def test_lookups_are_limited_per_sender(app, gateway):
    client = app.test_client()
    answers = []
    for _ in range(7):
        raw, headers = signed({"from": "0987654321", "text": "PA-990101-0001"})
        answers.append(client.post("/sms/inbound", data=raw, headers=headers).json["status"])
    assert answers == ["answered"] * 5 + ["not_answered"] * 2
    raw, headers = signed({"from": "0911111111", "text": "PA-990101-0001"})
    assert client.post("/sms/inbound", data=raw, headers=headers).json["status"] == "answered"
