"""The "my data" page lists every record of the citizen and who at which agency viewed or changed it
(issue 10 item 1)."""

import re

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
    assert me.feedback[0].code in page and "Ảnh 1" in page  # the photo, as the person knows it
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


def test_my_data_shows_labels_file_names_and_dates_not_stored_values(client, login):
    me = make_citizen("a")
    payment = me.dossiers[0].payments[0]
    payment.status = "paid"
    db.session.commit()
    login(me.account)
    page = client.get("/my-data").get_data(as_text=True)
    assert "Đã thanh toán" in page and "· paid" not in page
    assert "files/" not in page  # where the export puts them, not what the person knows
    shown = [file for dossier in me.dossiers for file in dossier.files]
    assert shown
    for file in shown:
        assert file.display_name in page
        assert file.required_document is None or file.required_document.name in page
    assert re.search(r"thông báo ngày \d{2}/\d{2}/\d{4}", page)
    assert not re.search(r"\d{4}-\d{2}-\d{2}\.[0-9a-f]{12}", page)  # no raw notice version
