"""Translation catalogs (STYLE.md §3.5): the committed template matches the code, and the Vietnamese
catalog is complete, not fuzzy, and keeps every placeholder and tag."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "translations" / "messages.pot"
PO = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# The same options as `make extract-messages`.
EXTRACT = [
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--add-comments=Translators:",
    "--add-location=never",
    "--no-wrap",
    "--sort-output",
    "--project=portal",
    "--version=0.1",
    "--msgid-bugs-address=portal@localhost",
    "--copyright-holder=Sơn La portal",
]


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def keys(catalog) -> set[tuple]:
    """(context, msgid, plural msgid) of every message except the header."""
    return {
        (message.context, *(message.id if isinstance(message.id, tuple) else (message.id, None)))
        for message in catalog
        if message.id
    }


def entries():
    catalog = read(PO)
    assert not catalog.fuzzy, "a fuzzy header makes pybabel compile skip the catalog"
    for message in catalog:
        if not message.id:
            continue  # header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield message, ids, strings


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("pot") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", *EXTRACT, "-o", str(output), "portal"]
    result = subprocess.run(
        command,
        cwd=ROOT,  # noqa: S603 - our own interpreter and arguments
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return output


def describe(label: str, items: set[tuple]) -> str:
    return f"{label}:\n" + "\n".join(
        f"  {item[1]!r}" + (f" / {item[2]!r}" if item[2] else "") for item in sorted(items, key=str)
    )


def test_vietnamese_header():
    catalog = read(PO)
    assert not catalog.fuzzy, "a fuzzy header makes pybabel compile skip the catalog"
    assert str(catalog.locale) == "vi"
    assert catalog.num_plurals == 1


def test_template_has_no_creation_date():
    assert "POT-Creation-Date" not in POT.read_text(encoding="utf-8"), "run `make extract-messages`"


def test_template_matches_the_code(extracted):
    committed, fresh = keys(read(POT)), keys(read(extracted))
    problems = []
    if fresh - committed:
        problems.append(describe("in the code but not in translations/messages.pot", fresh - committed))
    if committed - fresh:
        problems.append(describe("in translations/messages.pot but no longer in the code", committed - fresh))
    assert not problems, "run `make update-catalogs`\n" + "\n".join(problems)


def test_every_template_message_is_in_the_vietnamese_catalog():
    missing = keys(read(POT)) - keys(read(PO))
    assert not missing, "run `make update-catalogs`\n" + describe("missing from vi/messages.po", missing)


def test_vietnamese_catalog_has_no_leftover_messages():
    leftover = keys(read(PO)) - keys(read(POT))
    assert not leftover, "run `make update-catalogs`\n" + describe("not in messages.pot", leftover)


def test_vietnamese_is_complete():
    missing = [ids[0] for message, ids, strings in entries() if message.fuzzy or not all(strings)]
    assert missing == [], f"{len(missing)} untranslated or fuzzy message(s)"


def test_placeholders_and_tags_survive_translation():
    # Vietnamese has one plural form: it stands for every n, so it follows the plural msgid.
    broken = [
        (ids[-1], text)
        for _message, ids, strings in entries()
        for text in strings
        if text
        for pattern in (PLACEHOLDER, TAG)
        if sorted(pattern.findall(ids[-1])) != sorted(pattern.findall(text))
    ]
    assert broken == []


def test_the_checks_see_broken_translations():
    """The patterns really catch a dropped placeholder and a changed tag."""
    assert sorted(PLACEHOLDER.findall("Result due: %(date)s {code}")) == ["%(date)s", "{code}"]
    assert PLACEHOLDER.findall("Hạn trả kết quả: %(ngay)s") != PLACEHOLDER.findall("Result due: %(date)s")
    assert TAG.findall("<strong>Free</strong>") != TAG.findall("<b>Miễn phí</b>")
