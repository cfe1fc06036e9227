"""Every GET route of the application (read from app.url_map) as every kind of visitor (anonymous, a citizen,
each staff role, the province admin), in Vietnamese and in English (issue 11 item 13).

No page answers 5xx. No Vietnamese page shows a message of the catalogue in English (the visible text,
attributes people read included, is compared with the catalogue's msgids), and no page in either language
shows a raw code (`payment_received`, `login`, a role or status name, "4 → 9"), an English month or weekday
in Vietnamese, or money in another form than Babel's (`20.000 ₫` / `20,000 ₫`).

URL parameters are filled from the seeded demo data and from objects made here (a citizen's dossier that
went through a fee payment, a feedback item, a payment), so the pages render with content, not only their
404s. A route whose parameter is not known below fails the test: add a value for it to `values`.

Text inside an element marked `translate="no"` (codes shown on purpose: a dossier code, the audit log's
event code) or in another language (`lang="en"` on the language switch, `lang="vi"` on a procedure's name
in English pages) is not checked.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import Account
from portal.catalog.models import Procedure
from portal.domain.dossier_status import DossierAction as DA
from portal.domain.dossier_status import DossierStatus
from portal.domain.feedback_status import FeedbackAction, FeedbackStatus
from portal.domain.roles import ROLES
from portal.dossiers import intake
from portal.dossiers import operations as dossier_operations
from portal.dossiers.intake import Upload
from portal.dossiers.models import Dossier, DossierTemplate
from portal.events.registry import registry
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackCategory, FeedbackPhoto, ResponseTemplate
from portal.payments import operations as payment_operations
from portal.payments.labels import STATUS as PAYMENT_STATUS
from portal.payments.models import Payment
from tests.support.clients import fresh_client, sign_in
from tests.support.dossiers import PROCEDURE, person, procedure
from tests.support.factories import TO_HIEU, agency_by_slug, fresh
from tests.support.feedback import make_item
from tests.support.files import PDF

PO = Path(__file__).resolve().parents[2] / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
VISITORS = ("anonymous", "citizen", "receptionist", "processor", "leader", "agency_admin", "admin", "finance")
LANGUAGES = ("vi", "en")
HTML = "text/html"

# --- reading a page --------------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN = {"script", "style", "template", "noscript", "svg"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# A word is a run of letters standing alone: the letters inside a code such as the payment reference
# SL8HY0N5A6QM ("N", "A") are not the words of "N/A".
WORD = re.compile(r"(?<![^\W_])[^\W\d_]+(?:'[^\W\d_]+)?(?![^\W_])")


class VisibleText(HTMLParser):
    """The text nodes and read attributes of a page, without those in hidden, untranslatable (translate="no")
    or other-language elements."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        skip = (
            self.skipping
            or tag in HIDDEN
            or values.get("translate") == "no"
            or values.get("lang", self.language) not in (self.language, "")
        )
        if not skip:
            self.texts.extend(values[name] for name in READ_ATTRIBUTES if values.get(name))
            if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
                self.texts.append(values["value"] or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skipping:
            self.texts.append(text)


def visible_texts(body: str, language: str) -> list[str]:
    parser = VisibleText(language)
    parser.feed(body)
    parser.close()
    return parser.texts


# --- what counts as English left in a Vietnamese page ------------------------------------------------------
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text))


class Catalogue:
    """Phrases of the English msgids that a Vietnamese page must not show.

    A msgid's literal parts (split at its placeholders) are its phrases. A phrase counts only if one of its
    words is not Vietnamese, i.e. appears in no translation of the catalogue ("Sơn La", "VietQR", "PDF" do
    not count), and only if the translation does not contain it. A one-word phrase counts only when it is
    a whole text, so "Email" inside a sentence does not.
    """

    def __init__(self) -> None:
        with PO.open("rb") as handle:
            catalog = read_po(handle)
        vietnamese: set[str] = set()
        messages = []
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                vietnamese.update(word.casefold() for word in words(text))
            messages.append((ids, " ".join(strings)))
        self.whole: dict[tuple[str, ...], str] = {}
        self.by_start: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
        for ids, translation in messages:
            for msgid in ids:
                for part in PLACEHOLDER.split(msgid):
                    phrase = words(part)
                    if not phrase or words(translation) == phrase:
                        continue
                    if all(word.casefold() in vietnamese for word in phrase):
                        continue
                    if " ".join(phrase) in " ".join(words(translation)):
                        continue
                    if len(phrase) == 1:
                        self.whole.setdefault(phrase, msgid)
                    else:
                        self.by_start.setdefault(phrase[:2], []).append((phrase, msgid))

    def english_in(self, text: str) -> str | None:
        found = words(text)
        if found in self.whole:
            return self.whole[found]
        for start in range(len(found) - 1):
            for phrase, msgid in self.by_start.get(found[start : start + 2], ()):
                if found[start : start + len(phrase)] == phrase:
                    return msgid
        return None


# --- raw codes, dates and money ----------------------------------------------------------------------------
SNAKE = re.compile(r"(?<![\w.@/:=-])[a-z]+(?:_[a-z0-9]+)+(?![\w.@/(-])")
TRANSITION = re.compile(r"^\d{1,2} → \d{1,2}$|^[a-z_]+ → [a-z_]+$")
ENGLISH_DATES = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
# A sign written by hand beside an amount ("20.000 đ", "1.500.000 VNĐ" in a fee note): the printed forms'
# sign, where the pages write ₫ (walk-through of the demo); "đồng", a word, is not a sign.
HAND_WRITTEN_SIGN = r"|\d\s*(?:đ|VNĐ)(?![^\W\d_])"
MONEY = {
    "vi": re.compile(r"₫\s*\d|\d,\d{3}(?:\D{0,2})₫|\bVND\b" + HAND_WRITTEN_SIGN),  # 20.000 ₫ only
    "en": re.compile(r"₫\s*\d|\d\.\d{3}(?:\D{0,2})₫|\bVND\b" + HAND_WRITTEN_SIGN),  # 20,000 ₫ only
}


def raw_codes() -> set[str]:
    """One-word codes that must never be a page's whole text: roles, actions, statuses."""
    codes = set(ROLES) | {status.value for status in FeedbackStatus} | set(PAYMENT_STATUS)
    for labels in registry().actions.values():
        codes.update(labels)
    return {code for code in codes if code.isidentifier() and code.islower()}


def problems_of(body: str, language: str, catalogue: Catalogue, codes: set[str]) -> list[str]:
    found = []
    for text in visible_texts(body, language):
        if language == "vi" and (msgid := catalogue.english_in(text)):
            found.append(f"English message {msgid!r} in {text!r}")
        if language == "vi" and ENGLISH_DATES.search(text):
            found.append(f"English month or weekday in {text!r}")
        if text in codes or SNAKE.search(text) or TRANSITION.match(text):
            found.append(f"raw code in {text!r}")
        if MONEY[language].search(text):
            found.append(f"money not in the {language} form in {text!r}")
    return found


# --- the data the URLs are filled from --------------------------------------------------------------------
def make_world() -> dict[str, str]:
    """Objects for the URL parameters, made in this test's transaction; returns the parameter values."""
    for who in VISITORS[1:]:  # the factory names people after their role ("Người thử processor")
        fresh(who).full_name = "Lò Văn Thử"
    citizen = fresh("citizen")
    processor = fresh("processor")
    receptionist = fresh("receptionist")
    dossier = intake.counter_intake(
        procedure(PROCEDURE), person(), [Upload(PDF, "to-khai.pdf")], receptionist, "counter", "vi"
    )
    dossier.account_id = citizen.id
    dossier_operations.staff_act(dossier, DA.START, processor)
    dossier_operations.staff_act(dossier, DA.REQUEST_FEE, processor)
    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    assert payment is not None
    payment_operations.apply_credit(payment, payment.amount_vnd, dossier.submitted_at + timedelta(hours=1))
    unpaid = intake.submit_online(procedure(PROCEDURE), person(), [Upload(PDF, "don.pdf")], citizen, "vi")
    dossier_operations.staff_act(unpaid, DA.RECEIVE, receptionist)
    dossier_operations.staff_act(unpaid, DA.START, processor)
    dossier_operations.staff_act(unpaid, DA.REQUEST_FEE, processor)
    owed = db.session.scalar(select(Payment).where(Payment.dossier_id == unpaid.id))
    assert owed is not None
    item = make_item(citizen=citizen)
    from portal.feedback import operations as feedback_operations

    feedback_operations.staff_act(item, FeedbackAction.ACCEPT, processor)
    published = db.session.scalar(select(Feedback).where(Feedback.is_published).limit(1))
    photo = db.session.scalar(select(FeedbackPhoto).limit(1))
    db.session.flush()
    apology = dossier.apologies[0].id if dossier.apologies else 1
    dossier_template = DossierTemplate(purpose="supplement", title="Thiếu giấy tờ", body="Đề nghị bổ sung.")
    db.session.add(dossier_template)
    db.session.flush()
    from portal.calendar.queries import local_now
    from portal.disasters import operations as disaster_operations

    today = local_now().date()
    declared = disaster_operations.Declared(
        "landslide", [dossier.admin_unit_code], today, today, "applicant", "Quyết định số 12/QĐ-UBND"
    )
    event = disaster_operations.declare(fresh("leader"), declared)
    return {
        "dossier_template_id": str(dossier_template.id),
        "event_id": str(event.id),
        "dossier": dossier.code,
        "dossier_token": dossier_operations.secret_token(dossier),
        "file_id": str(dossier.files[0].id),
        "apology_id": str(apology),
        "feedback": item.code,
        "published": published.code if published else item.code,
        "photo": photo.stored_name if photo else "none.jpg",
        "reference": owed.reference,
        "paid_reference": payment.reference,
        "procedure": PROCEDURE,
        "procedure_id": str(db.session.scalar(select(Procedure.id).where(Procedure.code == PROCEDURE))),
        "agency_id": str(agency_by_slug(TO_HIEU).id),
        "account_id": str(processor.id),
        "category_id": str(db.session.scalar(select(FeedbackCategory.id).limit(1))),
        "category_slug": db.session.scalar(select(FeedbackCategory.slug).limit(1)),
        "template_id": str(db.session.scalar(select(ResponseTemplate.id).limit(1)) or 1),
        "citizen_email": citizen.email,
    }


def values(endpoint: str, name: str, world: dict[str, str]) -> list[str] | None:
    """The values to try for the URL parameter `name` of `endpoint` (None: not known, add it here)."""
    if name == "code":
        if endpoint.startswith("catalog"):
            return [world["procedure"]]
        if endpoint.startswith("feedback"):
            return [world["feedback"], world["published"]]
        if (
            endpoint.startswith(("dossiers", "papers", "privacy_staff"))
            or endpoint == "privacy.erase_dossier"
        ):
            return [world["dossier"]]
        if endpoint.startswith("intermediaries.dossier"):  # an intermediary's dossier (another's: 404)
            return [world["dossier"]]
        if endpoint.startswith("intermediaries."):  # an intermediary's case (another's: 404)
            return [world["feedback"]]
        if endpoint == "open311.request_detail":  # a service_request_id: the feedback code
            return [world["published"], world["feedback"]]
        if endpoint == "open311.service_definition":  # a service_code: the category's slug
            return [world["category_slug"]]
        return None
    if name == "fmt":
        return ["json", "csv"] if endpoint.startswith("exports") else ["json", "xml"]
    table = {
        "procedure_code": [world["procedure"]],
        "apology_id": [world["apology_id"]],
        "file_id": [world["file_id"]],
        "reference": [world["reference"], world["paid_reference"]],
        "name": [world["photo"]],
        "pause_id": ["1"],
        "form_id": ["1"],  # a blank form (the demo's, on birth registration): the download, or its redirect
        "tag": ["x"],
        "event_id": [world["event_id"]],
        "rest": ["no-such-resource"],
        "filename": ["css/site.css" if Path("static/css/site.css").exists() else "favicon.svg"],
        "token": [world["dossier_token"]] if endpoint.startswith("dossiers") else ["x" * 43],
    }
    if name == "row_id":
        by_endpoint = {
            "accounts_admin.account": "account_id",
            "agencies_admin.agency": "agency_id",
            "feedback_admin.category": "category_id",
            "catalog_admin.procedure": "procedure_id",
            "feedback_admin.template": "template_id",
            "dossiers_admin.template": "dossier_template_id",
        }
        return [world[by_endpoint[endpoint]]] if endpoint in by_endpoint else None
    return table.get(name)


# Pages whose content appears only with a query: the audit log shows nothing until it is filtered.
EXTRA = (
    "/staff/audit?subject_type=dossier&subject={dossier}",
    "/staff/audit?subject_type=feedback&subject={feedback}",
    "/staff/audit?subject_type=account&subject={citizen_email}",
    "/staff/audit?since=2020-01-01",
    "/feedback?q=đường",
    "/procedures?q=khai+sinh",
    # The dashboard's drill-down lists (issue 16 item 12): dossiers, and feedback ratings.
    "/staff/dashboard/items?figure=handled&from=2020-01-01",
    "/staff/dashboard/items?figure=feedback_received&from=2025-01-01",
)


def urls(app: Flask, world: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every GET route with its parameters filled (all combinations of the values), and the unknown ones."""
    found, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in (rule.methods or ()):
            continue
        paths = [rule.rule]
        for argument in sorted(rule.arguments):
            options = values(rule.endpoint, argument, world)
            if options is None:
                unknown.append(f"{rule.endpoint} <{argument}>")
                paths = []
                break
            paths = [
                re.sub(rf"<(?:[a-z]+:)?{argument}>", option, path) for path in paths for option in options
            ]
        found.extend(paths)
    found.extend(extra.format(**world) for extra in EXTRA)
    return found, unknown


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue()


def visitor(app: Flask, who: str, number: int):
    client = fresh_client(app, remote_addr=f"10.11.0.{number + 1}")
    if who != "anonymous":
        sign_in(client, fresh(who))
    return client


# Papers handed to a villager are in Vietnamese whatever the page's language (issue 13 item 2: paper slips).
VIETNAMESE_ONLY = re.compile(r"/slip(\?|$)")


@pytest.mark.parametrize("who", VISITORS)
def test_every_page_in_both_languages_shows_no_english_no_raw_code_and_no_5xx(app, who, catalogue):
    world = make_world()
    addresses, unknown = urls(app, world)
    assert not unknown, f"URL parameters with no value in tests/i18n/test_crawl.py `values`: {unknown}"
    codes = raw_codes()
    client = visitor(app, who, VISITORS.index(who))
    problems: list[str] = []
    for language in LANGUAGES:
        client.set_cookie("portal_lang", language)
        for address in addresses:
            response = client.get(address, follow_redirects=True)
            status = response.status_code
            if status >= 500:
                problems.append(f"{language} {address}: {status}")
            if response.mimetype == HTML:
                body = response.get_data(as_text=True)
                # A redirected address (an intermediary's slip, anonymous: the sign-in page) shows where it lands.
                slip = VIETNAMESE_ONLY.search(address) and not response.history
                shown = "vi" if status == 200 and slip else language
                page = f'<html lang="{shown}"'
                if page not in body and status != 304:
                    problems.append(f"{language} {address}: not a {language} page ({status})")
                problems.extend(
                    f"{language} {address}: {problem}"
                    for problem in problems_of(body, shown, catalogue, codes)
                )
            response.close()
    assert not problems, f"{who}: {len(problems)} problems:\n" + "\n".join(sorted(set(problems)))


def test_the_crawl_sees_the_pages_it_means_to(app):
    """The filled URLs cover every GET route, and the pages the defects were on are among them."""
    world = make_world()
    addresses, unknown = urls(app, world)
    assert not unknown
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    assert len(addresses) >= len(routes)
    for page in ("/staff/audit", "/staff/admin/calendar", f"/dossiers/{world['dossier']}", "/login"):
        assert any(address.startswith(page) for address in addresses), page
    assert db.session.get(Account, int(world["account_id"])) is not None
    assert db.session.scalar(select(Dossier).where(Dossier.code == world["dossier"])).status == (
        DossierStatus.PROCESSING
    )


# --- the checks themselves, on known text (so that a silent checker cannot pass the crawl) ----------------
@pytest.mark.parametrize(
    ("html", "language", "expected"),
    [
        ("<p>Please log in to access this page.</p>", "vi", "English message"),
        ("<p>Trang chủ</p><button>Search</button>", "vi", "English message"),
        ('<input type="submit" value="Apply filters">', "vi", "English message"),
        ("<p>Dòng 3: the amount is not a whole number of dong.</p>", "vi", "English message"),
        ("<li>payment_received</li>", "vi", "raw code"),
        ("<li>login</li>", "en", "raw code"),
        ("<span>4 → 9</span>", "vi", "raw code"),
        ("<span>processor</span>", "vi", "raw code"),
        ("<p>Tuesday, November 24, 2026</p>", "vi", "English month"),
        ("<p>₫20,000</p>", "en", "money"),
        ("<p>20,000 ₫</p>", "vi", "money"),
        ("<p>20.000 đ nộp trực tiếp</p>", "vi", "money"),  # a fee note's sign (walk-through of the demo)
        ("<p>2.000đ/trang</p>", "vi", "money"),
        ("<p>Fee 20,000 đ</p>", "en", "money"),
    ],
)
def test_the_checks_find_what_they_look_for(app, catalogue, html, language, expected):
    with app.app_context():
        found = problems_of(html, language, catalogue, raw_codes())
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ("<p>Trang chủ</p><p>Sơn La</p><p>20.000 ₫</p>", "vi"),
        ("<p>Kinh phí 1.500.000 đồng, Điều 5 điểm đ</p>", "vi"),  # "đồng" is a word, not a sign
        ('<span translate="no">payment_received</span>', "vi"),
        ('<a lang="en" href="?lang=en">English</a>', "vi"),
        ("<p>20,000 ₫</p><p>Signed in</p>", "en"),
        ("<p>nguyen_van@example.vn, to_khai.pdf</p>", "vi"),
        ("<script>var a_b = 1;</script>", "vi"),
    ],
)
def test_the_checks_leave_correct_text_alone(app, catalogue, html, language):
    with app.app_context():
        assert problems_of(html, language, catalogue, raw_codes()) == []
