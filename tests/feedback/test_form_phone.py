"""After a form error (or the personal-details warning) the report form shows the phone as the citizen typed
it ("0912345678"), not the stored form ("+84912345678")."""

from __future__ import annotations

from tests.support.clients import input_value
from tests.support.feedback import web_submit


def test_the_phone_comes_back_as_typed_after_an_error_elsewhere(client):
    answer = web_submit(client, title="", phone="0912345678")
    assert answer.status_code == 400
    assert input_value(answer.get_data(as_text=True), "phone") == "0912345678"


def test_the_phone_comes_back_as_typed_with_the_personal_details_warning(client):
    """A plain post read without the form (posted_form.py), shown again through the real form."""
    answer = web_submit(
        client, phone="0912345678", description="Gọi tôi theo số 0987 654 321 để chỉ đường vào bản."
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'name="pii_ack"' in body
    assert input_value(body, "phone") == "0912345678"
