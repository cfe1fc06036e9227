"""The "my data" page lists every record of the citizen and who at which agency viewed or changed it
(issue 10 item 1)."""

from portal.extensions import db
from portal.feedback import operations
from tests.privacy.support import make_citizen
from tests.support.factories import make_account
from tests.support.feedback import publish


def test_my_data_lists_records_files_consents_and_the_officers_who_touched_them(client, login):
    me = make_citizen("a")
    officer = make_account("processor", full_name="Cán bộ Xử Lý Một")
    publish(me.feedback[0], processor=officer)
    other = make_citizen("b", phone="+84987000222", cccd="014190000888")
    db.session.commit()
    login(me.account)
    page = client.get("/my-data").get_data(as_text=True)
    for record in (*me.feedback, *me.dossiers):
        assert record.code in page
    assert me.dossiers[0].payments[0].reference in page
    assert f"files/feedback/{me.feedback[0].code}-1.jpg" in page
    assert "Thông báo xử lý dữ liệu cá nhân" in page  # the notice consent
    # Who at which agency: the officer's name, role and agency.
    assert "Cán bộ Xử Lý Một" in page and "Cán bộ xử lý" in page and "Tô Hiệu" in page
    for theirs in (other.name, other.email, other.cccd, *(f.code for f in other.feedback)):
        assert theirs not in page


def test_an_anonymous_reporter_sees_only_the_report_of_their_link(client, create_feedback):
    mine = create_feedback(contact_name="Người Ẩn Danh", phone="+84933000555")
    theirs = create_feedback(contact_name="Người Khác", phone="+84933000666")
    mine.token_hash = operations.hash_token("tok-" + "m" * 20)
    db.session.commit()
    assert client.get("/my-data/t/" + "n" * 24).status_code == 404
    client.get("/my-data/t/tok-" + "m" * 20)
    page = client.get("/my-data").get_data(as_text=True)
    assert mine.code in page and "Người Ẩn Danh" in page
    assert theirs.code not in page and "Người Khác" not in page
    client.post("/my-data/leave")
    assert client.get("/my-data").status_code == 302
