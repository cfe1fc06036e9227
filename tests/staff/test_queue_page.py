"""The unified queue page on a fixed data set: the same items in the same order under every filter, the
agency's counts (cached, and right again after a write), a bounded number of SQL statements, no dossier
query for a feedback status, one form (one CSRF token) for every row's button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.calendar.queries import local_now
from portal.domain.indicators import is_overdue
from portal.dossiers.deadlines import facts_of
from portal.extensions import cache, db
from portal.feedback.models import Feedback
from portal.staff import queue_rows
from tests.support.clients import sign_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account, make_agency
from tests.support.feedback import make_item

FEEDBACK_PLAN = ("new", "accepted", "info_requested", "answered")  # answered: out of the queue
DOSSIER_PLAN = (1, 2, 4, 5, 6, 9, 10, 3)  # 10 (returned) and 3 (refused): out of the queue


@pytest.fixture(autouse=True)
def _empty_cache(app):
    """Counts cached by an earlier test (whose rows were rolled back) must not show here."""
    with app.app_context():
        cache.clear()


class Desk:
    """A fresh agency with 30 feedback items and 8 dossiers in known states, two officers, and a
    neighbouring agency whose open items must never show."""

    def __init__(self) -> None:
        self.agency, self.other = make_agency(), make_agency()
        self.officer = make_account("processor", agency=self.agency)
        self.colleague = make_account("processor", agency=self.agency)
        self.today = local_now().date()
        self.items: list[tuple[str, object]] = []
        for n in range(30):
            # Every sixth report is of an urgent category: urgent first, then by due date (issue 16 item 3).
            category = "sat-lo" if n % 6 == 0 else "giao-thong"
            item = make_item(agency=self.agency.slug, title=f"Phản ánh số {n}", category=category)
            item.status = FEEDBACK_PLAN[n % 4]
            item.due_on = self.today + timedelta(days=n % 7 - 3)  # ties on every date, some overdue
            item.assignee_id = (self.officer.id, self.colleague.id, None, None, None)[n % 5]
            self.items.append(("feedback", item))
        for n in range(8):
            dossier = make_dossier(name=f"Người nộp số {n}")
            dossier.agency_id = self.agency.id
            dossier.status = DOSSIER_PLAN[n]
            dossier.appointment_on = self.today + timedelta(days=n % 5 - 2)
            # received ten days ago with that legal due date: 2 (due yesterday) is overdue; 9 (result ready,
            # due two days ago) is not, whatever its date (issue 16 item 4: the queue used to mark it)
            dossier.original_appointment_on = dossier.appointment_on
            if dossier.status != 1:
                dossier.received_at = local_now() - timedelta(days=10)
            dossier.assignee_id = (None, self.officer.id, None, self.colleague.id)[n % 4]
            self.items.append(("dossier", dossier))
        self.foreign = []
        for n in range(3):
            item = make_item(agency=self.other.slug, title=f"Cơ quan khác {n}")
            self.foreign.append(item)
        dossier = make_dossier(name="Người nộp cơ quan khác")
        dossier.agency_id = self.other.id
        self.foreign.append(dossier)
        db.session.flush()

    def expected(self, keep=lambda kind, item: True) -> list[str]:
        """The open items of the agency that `keep` accepts, most urgent first: an urgent category's reports,
        then by (due, kind, id)."""
        rows = [(kind, item) for kind, item in self.items if item.queue_due is not None and keep(kind, item)]
        rows.sort(key=lambda row: (not urgent(row[0], row[1]), row[1].queue_due, row[0], row[1].id))
        return [item.code for _kind, item in rows]


def urgent(kind: str, item) -> bool:
    return kind == "feedback" and item.category.is_urgent


@pytest.fixture
def desk(app) -> Desk:
    return Desk()


def overdue(kind: str, item, today) -> bool:
    """Feedback past its due date; a dossier by the one definition (portal.domain.indicators.is_overdue)."""
    if kind == "feedback":
        return item.queue_due < today
    return is_overdue(facts_of(item), today)


def codes_of(body: str) -> list[str]:
    return re.findall(r'<span class="title">([^<]+)</span>', body)


def walk(client, url: str) -> list[str]:
    """Every code the queue shows for `url`, following the "next page" links."""
    seen: list[str] = []
    for _page in range(10):
        body = client.get(url).get_data(as_text=True)
        seen += codes_of(body)
        match = re.search(r'class="button secondary" href="(/staff/queue\?[^"]*after=[^"]+)"', body)
        if match is None:
            return seen
        url = match[1].replace("&amp;", "&")
    raise AssertionError("more pages than the data set has")


def test_same_items_in_the_same_order_under_every_filter(client, desk):
    sign_in(client, desk.officer)
    category = desk.items[0][1].category_id
    procedure = desk.items[-1][1].procedure_id
    today = desk.today
    cases = {
        "": lambda kind, item: True,
        "kind=feedback": lambda kind, item: kind == "feedback",
        "kind=dossier": lambda kind, item: kind == "dossier",
        "status=accepted": lambda kind, item: kind == "feedback" and item.status == "accepted",
        "status=info_requested": lambda kind, item: kind == "feedback" and item.status == "info_requested",
        "status=4": lambda kind, item: kind == "dossier" and item.status == 4,
        "status=4&kind=feedback": lambda kind, item: False,
        "status=no-such-status": lambda kind, item: False,
        "overdue=1": lambda kind, item: overdue(kind, item, today),
        "mine=1": lambda kind, item: item.assignee_id == desk.officer.id,
        "unassigned=1": lambda kind, item: item.assignee_id is None,
        f"category={category}": lambda kind, item: kind == "feedback" and item.category_id == category,
        f"procedure={procedure}": lambda kind, item: kind == "dossier" and item.procedure_id == procedure,
        f"category={category}&procedure={procedure}": lambda kind, item: False,
        "status=accepted&unassigned=1": lambda kind, item: (
            kind == "feedback" and item.status == "accepted" and item.assignee_id is None
        ),
    }
    for query, keep in cases.items():
        assert walk(client, f"/staff/queue?{query}") == desk.expected(keep), query
    assert len(desk.expected()) > 25  # the unfiltered walk crossed a page boundary


def test_staff_see_only_their_agency(client, desk):
    sign_in(client, desk.officer)
    shown = set(walk(client, "/staff/queue"))
    assert shown and not shown & {item.code for item in desk.foreign}
    foreign = desk.foreign[0]
    response = client.post("/staff/queue/act", data={"claim": f"feedback:{foreign.id}"})
    assert response.status_code == 409
    db.session.refresh(foreign)
    assert foreign.assignee_id is None


def counts_shown(body: str) -> dict[str, int]:
    nav = body[
        body.index('class="quick-filters"') : body.index("</nav>", body.index('class="quick-filters"'))
    ]
    # the first six quick filters (the seventh, "costs points this week", is tested in tests/steering)
    figures = [int(n) for n in re.findall(r"\((\d+)\)</a>", nav)][:6]
    return dict(zip(("all", "dossier", "feedback", "overdue", "mine", "unassigned"), figures, strict=True))


def expected_counts(desk: Desk) -> dict[str, int]:
    open_items = [(kind, item) for kind, item in desk.items if item.queue_due is not None]
    return {
        "all": len(open_items),
        "dossier": sum(kind == "dossier" for kind, _ in open_items),
        "feedback": sum(kind == "feedback" for kind, _ in open_items),
        "overdue": sum(overdue(kind, item, desk.today) for kind, item in open_items),
        "mine": sum(item.assignee_id == desk.officer.id for _, item in open_items),
        "unassigned": sum(item.assignee_id is None for _, item in open_items),
    }


def test_counts_are_right_and_stay_right_after_writes(client, desk):
    sign_in(client, desk.officer)
    assert counts_shown(client.get("/staff/queue?lang=en").get_data(as_text=True)) == expected_counts(desk)
    # A claim (an UPDATE outside the ORM's flush) from the page's own form.
    free = next(
        item
        for kind, item in desk.items
        if kind == "feedback" and item.queue_due and not item.assignee_id and item.status != "info_requested"
    )
    assert client.post("/staff/queue/act", data={"claim": f"feedback:{free.id}"}).status_code == 302
    db.session.refresh(free)
    assert free.assignee_id == desk.officer.id
    after_claim = counts_shown(client.get("/staff/queue?lang=en").get_data(as_text=True))
    assert after_claim == expected_counts(desk)
    # A new report and a closed one, written through the ORM elsewhere.
    desk.items.append(("feedback", make_item(agency=desk.agency.slug)))
    closing = next(
        item
        for kind, item in desk.items
        if kind == "feedback" and item.status == "accepted" and item.assignee_id is None
    )
    closing.status = "closed"
    db.session.flush()
    assert closing.queue_due is None
    after_writes = counts_shown(client.get("/staff/queue?lang=en").get_data(as_text=True))
    assert after_writes == expected_counts(desk)
    assert after_writes["feedback"] == after_claim["feedback"]  # one in, one out
    assert after_writes["unassigned"] == after_claim["unassigned"]  # the new one, minus the closed one


class Statements:
    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.note)
        return self.seen

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.note)

    def note(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's own
            self.seen.append(" ".join(statement.split()))


def test_a_warm_queue_page_runs_few_statements(client, desk):
    sign_in(client, desk.officer)
    client.get("/staff/queue")  # fills the agency's counts and the dropdowns
    queue_rows.clear()  # the page's rows read again: the page statement is what is measured
    with Statements(db.engine) as seen:
        assert client.get("/staff/queue").status_code == 200
    # The signed-in account (and the two sign-in checks of portal.accounts for a session without its
    # second step), then one query for the page: no count, no dropdown query, no second account load (the
    # old page ran 9 here). The page statement also reads the names of whoever holds the page's rows and
    # the calendar's version token (tests/staff/test_queue_statements.py: the bound for every filter).
    assert len(seen) <= 4, seen
    assert sum("calendar_version" in sql for sql in seen) <= 1, seen
    assert sum("feedback_items" in sql or "dossiers" in sql for sql in seen) == 1, seen
    assert not any("JOIN agencies" in sql for sql in seen), seen


def test_a_status_of_one_kind_queries_only_that_kind(client, desk):
    sign_in(client, desk.officer)
    client.get("/staff/queue")
    with Statements(db.engine) as seen:
        client.get("/staff/queue?status=accepted")
    assert any("feedback_items" in sql for sql in seen) and not any("dossiers" in sql for sql in seen), seen
    with Statements(db.engine) as seen:
        client.get("/staff/queue?status=4")
    assert any("dossiers" in sql for sql in seen) and not any("feedback_items" in sql for sql in seen), seen
    with Statements(db.engine) as seen:
        client.get("/staff/queue?status=nonsense")
    assert not any("dossiers" in sql or "feedback_items" in sql for sql in seen), seen


def test_one_form_and_one_token_for_a_full_page(app, client, desk, monkeypatch):
    sign_in(client, desk.officer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production, once signed in
    body = client.get("/staff/queue").get_data(as_text=True)
    assert len(codes_of(body)) == 25
    # Sign out, take next, and the list's one form: not a form (and a token) per row.
    assert body.count('name="csrf_token"') == 3
    assert body.count('<form method="post"') == 3
    buttons = re.findall(r'<button type="submit" name="(claim|release)" value="(\w+):(\d+)"', body)
    holders = {item.code: item.assignee_id for _kind, item in desk.items}
    statuses = {item.code: str(item.status) for _kind, item in desk.items}
    claimable = {"new", "accepted", "2", "4"}  # a processor's next steps (domain waiting_on)
    assert len(buttons) == sum(
        holders[code] == desk.officer.id or (holders[code] is None and statuses[code] in claimable)
        for code in codes_of(body)
    )
    kind, item_id = next((kind, int(item_id)) for action, kind, item_id in buttons if action == "claim")
    token = re.search(r'name="csrf_token" value="([^"]+)"', body)[1]
    assert client.post("/staff/queue/act", data={"claim": f"{kind}:{item_id}"}).status_code == 400
    response = client.post("/staff/queue/act", data={"claim": f"{kind}:{item_id}", "csrf_token": token})
    assert response.status_code == 302 and "/staff/" in response.headers["Location"]


def test_buttons_follow_who_holds_the_item(client, desk):
    sign_in(client, desk.officer)
    body = client.get("/staff/queue?kind=feedback").get_data(as_text=True)
    rows = re.findall(r"<li[^>]*>(.*?)</li>", body, re.S)
    held = {item.code: item.assignee_id for kind, item in desk.items if kind == "feedback"}
    statuses = {item.code: item.status for kind, item in desk.items if kind == "feedback"}
    for row in rows:
        code = codes_of(row)[0]
        if held[code] is None and statuses[code] == "info_requested":  # the citizen's turn: no claim
            assert "<button" not in row, code
        elif held[code] is None:
            assert 'name="claim"' in row, code
        elif held[code] == desk.officer.id:
            assert 'name="release"' in row, code
        else:  # a colleague's: a processor may neither claim nor release it
            assert "<button" not in row, code


@pytest.mark.parametrize(
    "value", ["", "feedback", "feedback:", "feedback:x", "payment:1", "feedback:123456789012"]
)
def test_a_malformed_action_is_a_bad_request(client, desk, value):
    sign_in(client, desk.officer)
    assert client.post("/staff/queue/act", data={"claim": value}).status_code == 400
    assert client.post("/staff/queue/act", data={}).status_code == 400


def test_release_from_the_page_form(client, desk):
    sign_in(client, desk.officer)
    mine = next(item for kind, item in desk.items if item.queue_due and item.assignee_id == desk.officer.id)
    kind = "feedback" if isinstance(mine, Feedback) else "dossier"
    response = client.post("/staff/queue/act", data={"release": f"{kind}:{mine.id}"})
    assert response.status_code == 302
    db.session.refresh(mine)
    assert mine.assignee_id is None
