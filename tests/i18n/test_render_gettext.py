"""Templates translate through the catalogue bound once per render (portal.i18n.jinja_translations): the
locale in force when the template is rendered (force_locale for an e-mail in the citizen's language
included), placeholders filled, and what a placeholder brings escaped as before."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale


def test_the_locale_in_force_at_render_time_is_the_one_used(app):
    with app.test_request_context("/?lang=vi"):
        assert render_template_string("{{ _('Home') }}") == "Trang chủ"
        with force_locale("en"):
            assert render_template_string("{{ _('Home') }}") == "Home"
        assert render_template_string("{{ _('Home') }}") == "Trang chủ"


def test_placeholders_are_filled_and_escaped_plurals_count(app):
    template = (
        "{{ _('Reason: %(reason)s', reason=reason) }}"
        "|{{ ngettext('%(num)d working day', '%(num)d working days', 3) }}"
    )
    with app.test_request_context("/?lang=en"):
        assert (
            render_template_string(template, reason="<b>x</b>")
            == "Reason: &lt;b&gt;x&lt;/b&gt;|3 working days"
        )
