"""Templates hold no untranslated text: every word a visitor reads goes through _() / ngettext / trans.

The template source is tokenized with the app's own Jinja lexer; what remains of the literal `data`
between tags, once markup, entities, punctuation and digits are removed, must be empty. Text inside
{% trans %} blocks is translated and skipped. Attributes a visitor reads or hears (placeholder, title,
aria-label, alt, ...) may hold only expressions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import build_app

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for path in (ROOT / "portal").rglob("*")
    if path.suffix in (".html", ".txt") and "templates" in path.relative_to(ROOT / "portal").parts
)
# Nothing is allowed through: brand marks, if any, belong in images or in a translated string.
ALLOWED: frozenset[str] = frozenset()

EXPRESSION = "\x00"  # stands for every {{ }} / {% %} in the joined text
COMMENT = re.compile(r"<!--.*?-->", re.S)
HIDDEN_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
WORD = re.compile(r"[^\W\d_]+")  # a run of letters, any script
READABLE_ATTRIBUTE = re.compile(
    r"""\s(placeholder|title|alt|label|aria-label|aria-description|aria-placeholder|aria-roledescription"""
    r"""|aria-valuetext)"""
    r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.I,
)


@pytest.fixture(scope="module")
def jinja_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates-app")
    return build_app(folder, f"sqlite:///{folder / 'unused.sqlite3'}").jinja_env


def literal_text(env, source: str) -> str:
    """The template's literal data; each Jinja construct becomes EXPRESSION; {% trans %} bodies dropped."""
    parts: list[str] = []
    in_trans = False
    expect_tag_name = False
    for _line, kind, value in env.lex(source):
        if kind == "block_begin":
            expect_tag_name = True
            continue
        if expect_tag_name and kind == "name":
            expect_tag_name = False
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
            continue
        if kind == "data" and not in_trans:
            parts.append(value)
        elif kind in ("variable_begin", "block_end") and not in_trans:
            parts.append(EXPRESSION)
    return "".join(parts)


def untranslated_text(env, source: str) -> list[str]:
    text = HIDDEN_BLOCK.sub(" ", COMMENT.sub(" ", literal_text(env, source)))
    text = ENTITY.sub(" ", TAG.sub(" ", text))
    found = []
    for chunk in re.split(rf"[\n{EXPRESSION}]+", text):
        words = [word for word in WORD.findall(chunk) if word not in ALLOWED]
        if words:
            found.append(" ".join(chunk.split()))
    return found


def untranslated_attributes(env, source: str) -> list[str]:
    text = COMMENT.sub(" ", literal_text(env, source))
    found = []
    for match in READABLE_ATTRIBUTE.finditer(text):
        value = match[2] if match[2] is not None else match[3]
        if [word for word in WORD.findall(value.replace(EXPRESSION, " ")) if word not in ALLOWED]:
            found.append(f'{match[1]}="{value.replace(EXPRESSION, "{{…}}")}"')
    return found


def test_templates_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in TEMPLATES}
    assert {"portal/templates/base.html", "portal/catalog/templates/catalog/index.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.relative_to(ROOT / "portal").as_posix())
def test_no_untranslated_text(jinja_env, path):
    source = path.read_text(encoding="utf-8")
    assert untranslated_text(jinja_env, source) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.relative_to(ROOT / "portal").as_posix())
def test_no_untranslated_attributes(jinja_env, path):
    source = path.read_text(encoding="utf-8")
    assert untranslated_attributes(jinja_env, source) == []


# The checker itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<h1>Thủ tục hành chính</h1>", ["Thủ tục hành chính"]),
        ("<p>{{ _('Fee') }}: Free</p>", [": Free"]),
        ("<button>{{ _('Search') }}</button> Search", ["Search"]),
        ("{% if x %}Back{% endif %}", ["Back"]),
        ("<p>{{ count }} procedures</p>", ["procedures"]),
        ("<p>&copy; 2026 UBND</p>", ["2026 UBND"]),
    ],
)
def test_checker_finds_literal_text(jinja_env, source, found):
    assert untranslated_text(jinja_env, source) == found


@pytest.mark.parametrize(
    "source",
    [
        "<!doctype html><html lang=\"{{ locale_code() }}\"><title>{{ _('Home') }}</title></html>",
        "<h1>{{ _('Sơn La public services') }}</h1> · {{ ngettext('%(num)d day', '%(num)d days', n) }}",
        '<option value="{{ area }}"{% if selected %} selected{% endif %}>{{ area }}</option>',
        '<details class="more"{% if open %} open{% endif %}><summary>{{ _("Filters") }}</summary></details>',
        "{% trans %}Hello {{ name }}, welcome{% endtrans %}",
        "{% trans count=n %}One dossier{% pluralize %}{{ count }} dossiers{% endtrans %}",
        "<p>&nbsp;&mdash; 12/2026 — (3) «»</p><!-- a developer's note -->",
        "<script>window.portal = {ready: true};</script><style>body { color: red }</style>",
        "{# a Jinja comment with words #}",
    ],
)
def test_checker_accepts_translated_templates(jinja_env, source):
    assert untranslated_text(jinja_env, source) == []
    assert untranslated_attributes(jinja_env, source) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('<input placeholder="e.g. birth registration">', ['placeholder="e.g. birth registration"']),
        ("<img src=\"x.png\" alt='Logo'>", ['alt="Logo"']),
        ('<nav aria-label="Main {{ x }}">', ['aria-label="Main {{…}}"']),
        ('<a title="Xem chi tiết" href="#">{{ _("More") }}</a>', ['title="Xem chi tiết"']),
    ],
)
def test_checker_finds_literal_attributes(jinja_env, source, found):
    assert untranslated_attributes(jinja_env, source) == found


def test_checker_accepts_expression_attributes(jinja_env):
    source = (
        '<input placeholder="{{ _(\'e.g. birth registration\') }}" title="{{ t }}">'
        '<img alt="" src="{{ url }}"><nav aria-label="{{ _(\'Main\') }}">'
    )
    assert untranslated_attributes(jinja_env, source) == []
