"""A report's POST read without building the WTForms form (portal/feedback/posted_form.py; bench/notes/submit4.md):
whatever it reads, the real form validates with the same data; anything else is left to the real form, so
every error and page is WTForms' own."""

from __future__ import annotations

import random
import re

import pytest
from flask import g
from werkzeug.datastructures import MultiDict

from portal.feedback import form_page, operations, posted_form
from portal.feedback.forms import SubmitForm
from tests.support.clients import fresh_client
from tests.support.feedback import by_code, form_data, receipt_code, web_submit

VARIANTS: dict[str, list[str | None]] = {
    "category": [None, "", "abc", "-1", "0", "999999", "1.0", " {id} ", "{id}"],
    "title": [None, "", "   ", "a", "x" * 200, "x" * 201, "\u200b", " Đèn  đường ", "\x00abc", "A\u0301"],
    "description": [
        None,
        "",
        "short",
        "x" * 9,
        "x" * 10,
        "x" * 5000,
        "x" * 5001,
        "dòng một\r\n\r\ndòng hai, đủ dài",
        "\u200b" * 20,
        " a \n b \n c d e f g ",
    ],
    "commune": [None, "", " ", "03670", "99999", "03670 "],
    "address": [None, "", "  ", "x" * 300, "x" * 301, " \u200b ", "Bản Mòng"],
    "latitude": [None, "", " ", "21.3", "abc", "nan", "25"],
    "longitude": [None, "", " ", "104.1", "-", "inf"],
    "precise_pin": [None, "", "y", "false", "0", "False"],
    "show_name": [None, "", "y", "false"],
    "shared_phone": [None, "", "y", "false"],
    "consent": [None, "", "y", "false", "n"],
    "contact_name": [None, "", "x" * 120, "x" * 121, " Lò  Văn Pọm "],
    "phone": [None, "", " ", "0912 345 678", "+84912345678", "12345", "0912345678x", "84912345678"],
    "email": [None, "", " ", "a@b.vn", "bad"],
    "website": [None, "", " ", "http://x"],
    "nonce": [None, "", "abc"],
}
EXTRA = [{}, {"check": "1"}, {"remove_photo": "1"}, {"commune_search": "Tô"}, {"pii_ack": "1"}, {"zzz": "1"}]


def base(category: str) -> dict[str, str]:
    data = form_data(email="", category=category)
    data.pop("photos", None)
    return data


def compare(app, data: MultiDict) -> bool:
    """Whether the post was read without the form; if it was, the real form validates to the same data."""
    with app.test_request_context("/feedback/new", method="POST", data=data):
        choices = form_page.choices()
        light = posted_form.read(choices)
        form = SubmitForm()
        form_page.fill_choices(form)
        valid = form.validate_on_submit()
        if light is None:
            return False
        assert valid, (dict(data), form.errors)
        for name in posted_form._NAMES:
            if name != "photos":
                assert getattr(light, name).data == getattr(form, name).data, (name, dict(data))
        return True


def test_the_names_are_the_forms_fields(app):
    with app.test_request_context("/feedback/new"):
        fields = {field.name for field in SubmitForm()} - {"csrf_token"}
    assert set(posted_form._NAMES) == fields


# What posted_form.read applies of each field's rules: a validator or filter added to SubmitForm must be taught
# to it first (or the field left to the form), and then listed here.
KNOWN_RULES = {
    "category": ["InputRequired"],
    "title": ["DataRequired", "Length", "filter:cleaned"],
    "description": ["DataRequired", "Length", "filter:cleaned_multiline"],
    "commune": ["DataRequired"],
    "address": ["Optional", "Length", "filter:cleaned"],
    "latitude": ["Optional", "NumberRange"],  # a position is left to the form
    "longitude": ["Optional", "NumberRange"],
    "precise_pin": [],
    "photos": [],
    "contact_name": ["Optional", "Length", "filter:cleaned"],
    "phone": ["DataRequired", "valid_mobile"],
    "email": ["Optional", "Email", "Length"],  # an address is left to the form
    "show_name": [],
    "shared_phone": [],
    "consent": ["DataRequired"],
    "website": ["Optional"],
    "nonce": [],
}


def _rules(name: str) -> list[str]:
    unbound = getattr(SubmitForm, name)
    validators = [
        getattr(rule, "__name__", type(rule).__name__) for rule in unbound.kwargs.get("validators", ())
    ]
    return validators + [f"filter:{rule.__name__}" for rule in unbound.kwargs.get("filters", ())]


def test_every_rule_of_the_form_is_one_the_reader_applies():
    assert {name: _rules(name) for name in posted_form._NAMES} == KNOWN_RULES


def test_the_length_limits_are_the_forms():
    """Read from forms.py, not restated: a limit changed there changes what is read without the form."""
    assert posted_form._LIMITS == {
        "title": (-1, 200),
        "description": (10, 5000),
        "address": (-1, 300),
        "contact_name": (-1, 120),
    }


def test_each_value_of_each_field(app):
    with app.test_request_context("/"):
        category = str(form_data()["category"])
    read = 0
    assert compare(app, MultiDict(base(category)))
    for name, values in VARIANTS.items():
        for value in values:
            data = base(category)
            data.pop(name, None)
            if value is not None:
                data[name] = value.replace("{id}", category)
            read += compare(app, MultiDict(data))
    assert read >= 40  # the test would prove nothing if hardly any post were read


def test_mixed_values_extra_names_and_repeated_fields(app):
    with app.test_request_context("/"):
        category = str(form_data()["category"])
    pick = random.Random(17)
    read = 0
    for _ in range(400):
        data = base(category)
        for name in pick.sample(list(VARIANTS), 3):
            value = pick.choice(VARIANTS[name])
            data.pop(name, None)
            if value is not None:
                data[name] = value.replace("{id}", category)
        data.update(pick.choice(EXTRA))
        items = list(data.items())
        if pick.random() < 0.1:
            items.append((pick.choice(list(VARIANTS)), "again"))
        read += compare(app, MultiDict(items))
    assert read >= 30


def test_with_csrf_on_only_a_post_whose_token_was_checked_is_read(app, monkeypatch):
    with app.test_request_context("/"):
        category = str(form_data()["category"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context("/feedback/new", method="POST", data=base(category)):
        assert posted_form.read(form_page.choices()) is None  # the form would check the token
        g.csrf_valid = True  # as portal.security's check leaves it
        assert posted_form.read(form_page.choices()) is not None


def test_a_photo_is_left_to_the_form(app):
    from io import BytesIO

    with app.test_request_context("/"):
        category = str(form_data()["category"])
    data = {**base(category), "photos": (BytesIO(b"x"), "a.jpg")}
    with app.test_request_context("/feedback/new", method="POST", data=data):
        assert posted_form.read(form_page.choices()) is None


@pytest.fixture
def forms_built(monkeypatch):
    built: list[int] = []
    real = SubmitForm.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(SubmitForm, "__init__", counted)
    return built


def test_a_plain_report_is_sent_without_the_form(app, forms_built):
    client = fresh_client(app, remote_addr="198.51.100.90")
    assert web_submit(client, phone="0912345390", email="").status_code == 302
    assert forms_built == []
    assert by_code(receipt_code(client)).phone == "+84912345390"


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "Gọi tôi số 0912 345 391 nhé, đèn vẫn hỏng."},  # the personal-details warning
        {"commune": "03670", "category": "-1"},  # "Choose…": refused by the operation, not by the form
        {"refused": "commune"},  # a commune no agency answers for: the operation refuses it
        {"refused": "category"},
    ],
)
def test_a_page_shown_again_is_the_one_the_form_gives(app, monkeypatch, forms_built, fields):
    """The same post, read without the form and with it: the same page (the nonce masked), status and
    values, the form built from the post only to show it."""
    refused = fields.pop("refused", None)
    if refused:

        def refuse(*_args, **_kwargs):
            raise operations.FeedbackError(refused)

        monkeypatch.setattr(operations, "submit", refuse)
    pages = []
    for n, light in ((92, True), (93, False)):
        if not light:
            monkeypatch.setattr(posted_form, "read", lambda choices: None)
        client = fresh_client(app, remote_addr=f"198.51.100.{n}")
        response = web_submit(client, phone="0912345391", email="", **fields)
        page = re.sub(r'(name="nonce"[^>]*value=")[^"]+', r"\1-", response.get_data(as_text=True))
        pages.append((response.status_code, page))
    assert pages[0] == pages[1] and pages[0][0] in (200, 400)
    assert len(forms_built) == 2
