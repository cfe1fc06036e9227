"""The report form's choices, and its blank page served without building the form (routes.py `submit`).

A blank form page (a GET by a visitor who is not signed in: nothing to prefill, no error, no photo) is the
same for everyone in a language but for two hidden fields, the CSRF token and the form's nonce. Building
the WTForms form of 18 fields on every such GET only to render those two inputs was a quarter of the
page's CPU, and rendering the rest of feedback/new.html's blocks (headings, the emergency numbers, the
fields, the scripts) another sixth. So `blank_page` keeps those blocks' HTML, rendered from a real form
once per language and choice lists and cut where the hidden fields go, and writes the two inputs itself,
as the form's `hidden_tag()` does (same order, same markup). The layout around them (base.html: the
language links, the menu, flash messages) is rendered per request, except for a visitor whom the layout
shows nothing of their own (page_cache.same_layout_for_everyone: nobody signed in, no flash message, not in
shared-phone mode, as for the status pages and the feed): that page is kept whole, as bytes, with slots
where this request's nonce and CSRF token go (rendering base.html around the blocks was a third of the
page's CPU; bench/notes/submit6.md). tests/feedback/test_form_page.py compares the pages.
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf import csrf
from markupsafe import Markup, escape

from portal import form_nonce, fragments
from portal.choices import PreparedChoices
from portal.i18n import locale_code
from portal.places import queries as places
from portal.tracking import page_cache

from . import queries
from .forms import SubmitForm


def choices() -> tuple[PreparedChoices, PreparedChoices]:
    """The active categories and the communes, their options' HTML prepared once per language and list."""
    categories, units = queries.categories(), places.choices()

    def category_choices() -> PreparedChoices:
        en = locale_code() == "en"
        ordered = queries.categories_in_order(categories, locale_code())
        active = [(c.id, c.name_en if en else c.name) for c in ordered if c.is_active]
        return PreparedChoices([(-1, _("Choose…")), *active], int)

    return (
        fragments.remembered("feedback-form-categories", categories, category_choices),
        fragments.remembered(
            "feedback-form-communes", units, lambda: PreparedChoices([("", _("Choose…")), *units], str)
        ),
    )


def fill_choices(form: SubmitForm, prepared: tuple[PreparedChoices, PreparedChoices] | None = None) -> None:
    """The form's category and commune options: `prepared` (from `choices()`), else looked up now."""
    category, commune = prepared or choices()
    form.category.use(category)
    form.commune.use(commune)


def blank_fields(form: SubmitForm) -> Markup:
    """An untouched form's fields, rendered once per language and choice lists."""
    key = (form.category.prepared, form.commune.prepared)
    return fragments.rendered(
        "feedback-form", key, lambda: render_template("feedback/_new_fields.html", form=form)
    )


_CUT = "\x00hidden-fields\x00"  # where the hidden fields go in the kept content (never in a template)


class _Cut:
    """A form whose hidden fields render as the cut mark (the kept parts are rendered with it)."""

    def hidden_tag(self) -> str:
        return _CUT


class _Parts(NamedTuple):
    title: Markup
    before: Markup  # the content block up to the hidden fields
    after: Markup
    scripts: Markup


def _parts(form: SubmitForm) -> _Parts:
    """feedback/new.html's blocks for the blank form, rendered as that template renders them."""
    template = current_app.jinja_env.get_template("feedback/new.html")
    values = {
        "form": _Cut(),
        "fields": blank_fields(form),
        "photo_drafts": [],
        "personal_details": [],
        "report_help": None,
    }
    current_app.update_template_context(values)
    context = template.new_context(values)
    title, content, scripts = (
        "".join(template.blocks[name](context)) for name in ("title", "content", "scripts")
    )
    before, after = content.split(_CUT)
    return _Parts(*(Markup(part) for part in (title, before, after, scripts)))  # noqa: S704 - rendered HTML


def _hidden_input(name: str, value: str) -> str:
    # As WTForms' HiddenInput writes it through portal.forms.html_params (attributes sorted, value escaped).
    return f'<input id="{name}" name="{name}" type="hidden" value="{escape(value)}">'


# Unguessable, so no text anyone writes can contain it; where a kept whole page's nonce goes (its CSRF token
# goes in page_cache's slot).
_NONCE_SLOT = f"nonce-slot-{secrets.token_hex(16)}"
_NONCE_SLOT_BYTES = _NONCE_SLOT.encode("ascii")


def blank_page() -> str | bytes:
    """The blank form page: its kept blocks around this request's hidden fields, in the layout."""

    def build() -> _Parts:
        form = SubmitForm()
        fill_choices(form)
        return _parts(form)

    parts = fragments.remembered("feedback-form-page", choices(), build)
    with_csrf = current_app.config.get("WTF_CSRF_ENABLED", True)
    if page_cache.same_layout_for_everyone():
        address = (request.path, request.query_string)
        whole = fragments.remembered(
            "feedback-form-whole",
            (parts, with_csrf, address),
            lambda: _render(parts, _NONCE_SLOT, page_cache.CSRF_SLOT if with_csrf else None).encode("utf-8"),
        )
        # The token first, then the nonce, as below.
        page = page_cache.with_csrf_token(whole) if with_csrf else whole
        return page.replace(_NONCE_SLOT_BYTES, str(escape(form_nonce.issue())).encode("ascii"))
    # The form's order: its own nonce field, then the CSRF token Flask-WTF adds last. The token is made
    # first, as building the form makes it (it is written to the session the first time).
    # Looked up when called: portal.security installs its cheaper, identical generate_csrf there (a name bound
    # at import would keep Flask-WTF's own when this module is imported before the app is made).
    csrf_token = csrf.generate_csrf() if with_csrf else None
    return _render(parts, form_nonce.issue(), csrf_token)


def _render(parts: _Parts, nonce: str, csrf_token: str | None) -> str:
    hidden = [_hidden_input("nonce", nonce)]
    if csrf_token is not None:
        hidden.append(_hidden_input(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), csrf_token))
    return render_template(
        "feedback/new_blank.html",
        parts=parts,
        hidden=Markup("\n".join(hidden)),  # noqa: S704 - escaped by _hidden_input
    )
