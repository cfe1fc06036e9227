"""The citizen withdraws a report not answered yet, from its private page; the timeline says so."""

from __future__ import annotations

from tests.support.feedback import by_code, events_of, make_item, publish, receipt_code, web_submit


def test_withdraw_an_unanswered_report(app, client):
    web_submit(client)
    code = receipt_code(client)
    page = client.get(f"/feedback/{code}/status").get_data(as_text=True)
    assert f"/feedback/{code}/withdraw" in page
    assert app.test_client().post(f"/feedback/{code}/withdraw").status_code == 404  # another browser
    response = client.post(f"/feedback/{code}/withdraw", data={"reason": "Đã tự sửa xong"})
    assert response.status_code == 302
    item = by_code(code)
    assert item.status == "closed" and item.queue_due is None
    [event] = [e for e in events_of(item) if e.action == "withdrawn"]
    assert event.is_public and event.note == "Đã tự sửa xong"
    page = client.get(f"/feedback/{code}/status").get_data(as_text=True)
    assert "Người dân đã rút phản ánh" in page and f"/feedback/{code}/withdraw" not in page


def test_an_answered_report_cannot_be_withdrawn(client):
    item = publish(make_item())
    with client.session_transaction() as session:
        session["feedback_access"] = [item.id]
    client.post(f"/feedback/{item.code}/withdraw")
    assert by_code(item.code).status == "answered"
