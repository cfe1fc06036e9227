"""/my-data/correct as the walk-through found it: an error under the field it is about, what needs no code
saved all the same, and an empty phone field removing the number (the portal cannot send codes here: no
mail server configured in the tests, no SMS gateway)."""

from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.extensions import db
from portal.privacy.models import ContactChange
from tests.privacy.support import make_citizen, national


def test_a_code_that_cannot_be_sent_is_said_under_the_phone_and_the_new_name_is_kept(client, login):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post(
        "/my-data/correct", data={"name": "Quàng Thị Mới", "email": me.email, "phone": "0977 111 222"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="phone-error"' in page and 'id="email-error"' not in page
    assert "Cổng hiện chưa gửi được mã" in page
    assert "Họ tên của bạn đã được lưu" in page  # and the page says so
    account = db.session.get(Account, me.account.id)
    db.session.refresh(account)
    assert account.full_name == "Quàng Thị Mới" and account.phone == me.phone
    assert not db.session.scalar(select(func.count(ContactChange.id)))  # no code waits that was never sent


def test_an_email_that_cannot_get_its_code_is_said_under_the_email(client, login):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post(
        "/my-data/correct", data={"name": me.name, "email": "moi@example.com", "phone": national(me.phone)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="email-error"' in page and 'id="phone-error"' not in page


def test_an_empty_phone_field_removes_the_number_and_says_what_follows(client, login):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post("/my-data/correct", data={"name": me.name, "email": me.email, "phone": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-data")
    account = db.session.get(Account, me.account.id)
    db.session.refresh(account)
    assert account.phone is None and account.phone_verified_at is None
    report, handled = me.feedback[0], me.dossiers[1]
    db.session.refresh(report)
    db.session.refresh(handled)
    assert report.phone == "" and handled.phone == ""  # no more text messages about them
    page = client.get("/my-data").get_data(as_text=True)
    assert f"Đã xóa số điện thoại di động {national(me.phone)[:4]}" in page and "tin nhắn" in page


def test_a_phone_only_account_keeps_its_number(client, login):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    me.account.email = None  # signed up with the phone (signed in before, with the e-mail the test needs)
    db.session.commit()
    response = client.post("/my-data/correct", data={"name": me.name, "email": "", "phone": ""})
    assert response.status_code == 400 and 'id="phone-error"' in response.get_data(as_text=True)
    db.session.refresh(me.account)
    assert me.account.phone == me.phone
