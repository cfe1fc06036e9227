"""portal.forms.html_params replaces WTForms' own (which formats every attribute through markupsafe's slow
escaping Formatter): the same markup for every kind of value, and installed where the widgets look it up."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import BooleanField, Form, StringField, SubmitField, TextAreaField
from wtforms.widgets import core

from portal.forms import ORIGINAL_HTML_PARAMS, html_params

CASES = [
    {},
    {"name": "code", "id": "code", "value": "PA-261122-0042"},
    {"class_": "wide", "for_": "x", "data_user_name": "a_b", "aria_describedby": "code-hint code-error"},
    {"value": "say \"hi\" <b>&amp;</b> 'quoted'"},
    {"value": Markup('<i>kept</i> "raw quote"')},
    {"checked": True, "readonly": False, "disabled": True, "maxlength": 60, "step": 0.5},
    {"value": None, "placeholder": "Tiếng Việt: Mã hồ sơ"},
    {"data_x": "1", "aria_label": "Nhãn", "autofocus": True, "autocomplete": "tel", "inputmode": "tel"},
]


def test_the_same_markup_as_wtforms_for_every_kind_of_value():
    for kwargs in CASES:
        ours, theirs = html_params(**kwargs), ORIGINAL_HTML_PARAMS(**kwargs)
        assert ours == theirs, kwargs
        assert isinstance(ours, Markup)


def test_the_widgets_use_it_and_render_the_same(app):
    assert core.Input.html_params is html_params
    assert core.html_params is html_params

    class Sample(Form):
        text = StringField(render_kw={"class_": "x", "data_hint": 'a "b"'})
        area = TextAreaField()
        flag = BooleanField()
        send = SubmitField("Gửi")

    form = Sample(data={"text": '<script>"x"</script>', "area": "a & b", "flag": True})
    ours = [str(field(aria_describedby="h e")) for field in form]
    core.html_params = ORIGINAL_HTML_PARAMS
    core.Input.html_params = staticmethod(ORIGINAL_HTML_PARAMS)
    try:
        theirs = [str(field(aria_describedby="h e")) for field in form]
    finally:
        core.html_params = html_params
        core.Input.html_params = staticmethod(html_params)
    assert ours == theirs
