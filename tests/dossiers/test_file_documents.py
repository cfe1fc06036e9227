"""Each file of a dossier says which required document (thành phần hồ sơ) it answers, by the catalogue's name,
on the citizen's status page and on the officer's dossier page (a walk-through: the files were listed by
name only, although each one's required document is stored). A file sent under none of the procedure's
documents is "another document"; the name follows the catalogue when it is renamed."""

from __future__ import annotations

import html
import re

import pytest

from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.support.clients import signed_in
from tests.support.dossiers import DECLARATION, document_field, opened_form, post_form, procedure
from tests.support.files import PDF, jpeg_bytes

WORDS = {  # the page's words around the catalogue's name, in each language
    "vi": ("Thành phần hồ sơ:", "Giấy tờ khác"),
    "en": ("Required document:", "Other document"),
}


def files_listed(page: str) -> dict[str, str]:
    """Each file of the page's list, as the reader sees its line."""
    listed = re.search(r"<h2>(?:Tệp|Files)</h2>\s*<ul[^>]*>(.*?)</ul>", page, re.S)
    assert listed, page
    lines = [
        html.unescape(" ".join(re.sub(r"<[^>]+>", " ", item).split()))
        for item in re.findall(r"<li>(.*?)</li>", listed[1], re.S)
    ]
    return {line.split(" ")[0]: line for line in lines}


@pytest.fixture
def sent(client):
    """A dossier sent online with the declaration (CT01) and a photo among the other documents."""
    files = {
        document_field(DECLARATION): [(PDF, "to-khai.pdf")],
        "doc-other": [(jpeg_bytes(), "hop-dong.jpg")],
    }
    answer = post_form(client, opened_form(client), files)
    assert answer.status_code == 302
    code = answer.headers["Location"].split("/")[-2]
    return db.session.query(Dossier).filter_by(code=code).one()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_citizen_sees_which_document_each_file_answers(client, sent, lang):
    answered, other = WORDS[lang]
    lines = files_listed(client.get(f"/dossiers/{sent.code}?lang={lang}").get_data(as_text=True))
    assert f"{answered} {DECLARATION}" in lines["to-khai.pdf"]
    assert other in lines["hop-dong.jpg"] and answered not in lines["hop-dong.jpg"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_officer_sees_it_too(app, sent, lang):
    answered, other = WORDS[lang]
    page = signed_in(app, "processor").get(f"/staff/dossiers/{sent.code}?lang={lang}").get_data(as_text=True)
    lines = files_listed(page)
    assert f"{answered} {DECLARATION}" in lines["to-khai.pdf"]
    assert other in lines["hop-dong.jpg"]
    assert '<span lang="vi">' + html.escape(DECLARATION, quote=False) in page  # read out as Vietnamese


def test_the_name_follows_the_catalogue(client, sent):
    first = client.get(f"/dossiers/{sent.code}").get_data(as_text=True)  # the page's main part is kept
    assert DECLARATION in files_listed(first)["to-khai.pdf"]
    renamed = "Tờ khai thay đổi thông tin cư trú (mẫu CT01 mới)"
    procedure().documents[0].name = renamed  # as the catalogue's administrator saves it
    db.session.commit()
    lines = files_listed(client.get(f"/dossiers/{sent.code}").get_data(as_text=True))
    assert f"Thành phần hồ sơ: {renamed}" in lines["to-khai.pdf"]
