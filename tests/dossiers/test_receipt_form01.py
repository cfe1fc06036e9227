"""Form 01 ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", Circular 01/2018/TT-VPCP) is issued when the desk
receives a dossier (VIETNAM.md §5), and a reprint is the same receipt.

Was: printed straight after an online submission, the receipt already said "No.: 2 … register number 2" (the
code's daily counter), and became 11 once the desk received it; reprinted while the dossier waited for its
fee it said "to be announced when the dossier is complete" although the desk had given a date.

Now an online dossier not yet received gets a provisional acknowledgement with no register number; from
receipt on, the number and the appointment printed are the ones given then. Expected values follow the
rules: the register's book starts at 1 each year for each agency; the procedure (1.004194) takes 3 working
days, day 1 being the working day after the day received.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from tests.support.dossiers import make_dossier
from tests.support.factories import account

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int = 9) -> datetime:
    return datetime(2027, 1, day, hour, tzinfo=VN)


def receipt(client, code: str) -> str:
    response = client.get(f"/dossiers/{code}/receipt?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def paper(body: str) -> str:
    """The printed form's words (the article), tags removed and spaces collapsed."""
    article = re.search(r"<article class=\"paper-form.*?</article>", body, re.S)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", article).split())


def test_an_online_dossier_not_yet_received_gets_an_acknowledgement_without_a_register_number(
    app, client, login
):
    dossier = make_dossier(now=local(4))  # online, Monday 4 January 2027
    login("receptionist")
    body = receipt(client, dossier.code)
    text = paper(body)
    assert 'data-form="submission"' in body and 'data-form="01"' not in body
    assert "ACKNOWLEDGEMENT OF ONLINE SUBMISSION" in text
    assert "RECEIPT OF DOSSIER AND APPOINTMENT FOR RESULTS" not in text
    assert "No.:" not in text and "dossier register" not in text
    assert "Provisional: the desk has not yet received this dossier." in text
    assert dossier.code in text and "Lò Thị Xuân" in text  # still the citizen's proof of what was sent
    # Mon 4 Jan + 3 working days: Tue 5, Wed 6, Thu 7, marked provisional.
    assert re.search(r"before \d\d:\d\d on 07/01/2027 \(provisional", text), text


def test_once_received_the_receipt_keeps_its_number_and_appointment(app, client, login):
    dossier = make_dossier(now=local(4))
    desk, officer = account("receptionist"), account("processor")
    operations.staff_act(dossier, A.RECEIVE, desk, now=local(5))  # Tuesday 5 January 2027
    login("receptionist")

    def printed() -> tuple[str, str, str]:
        text = paper(receipt(client, dossier.code))
        number = re.search(r"No\.: (\d+)", text)[1]
        line = re.search(r"Entered in the dossier register, book (\d+), number (\d+)\.", text)
        appointment = re.search(r"Results returned: (.*?) Fees and charges", text)[1]
        return number, f"{line[1]}/{line[2]}", appointment

    # The first line of the agency's 2027 book; Tue 5 + 3 working days: Wed 6, Thu 7, Fri 8.
    first = ("1", "2027/1", "before 17:00 on 08/01/2027")
    assert printed() == first
    body = receipt(client, dossier.code)
    assert 'data-form="01"' in body and "RECEIPT OF DOSSIER AND APPOINTMENT FOR RESULTS" in body
    assert "Received at:" in paper(body)

    later = make_dossier(now=local(5))  # the desk receives another: its line is the next one
    operations.staff_act(later, A.RECEIVE, desk, now=local(5, 10))
    assert later.register_number == 2

    operations.staff_act(dossier, A.START, officer, now=local(6))
    operations.staff_act(dossier, A.REQUEST_FEE, officer, now=local(6, 10))
    assert dossier.status == 6 and dossier.appointment_on is None  # the clock waits for the fee
    assert printed() == first  # not "to be announced": the date given at receipt
    assert "The appointment has changed since this receipt was issued" in receipt(client, dossier.code)

    operations.staff_act(dossier, A.CONFIRM_FEE, desk, payment_method="cash", now=local(11))
    assert dossier.status == 4 and dossier.appointment_on > date(2027, 1, 8)  # the pause moved it on
    assert printed() == first
