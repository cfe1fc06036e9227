"""A mobile number field (portal/forms.py MobilePhoneField) keeps what the person typed for the page the form
comes back to, while its data is the number normalised for storage; every field checked by valid_mobile is
one (a walk-through: "0912345678" came back as "+84912345678" after an error elsewhere in the form)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.fields.core import UnboundField

from portal.forms import MobilePhoneField, PortalForm, mobile_phone_field, valid_mobile


class Contact(Form):
    phone = mobile_phone_field()
    name = StringField()


def test_the_field_shows_the_number_as_typed_and_holds_it_normalised():
    form = Contact(MultiDict({"phone": "0912 345 678", "name": ""}))
    assert form.validate()
    assert form.phone.data == "+84912345678"  # what is stored (VIETNAM.md: +84 then the 9 digits)
    assert 'value="0912 345 678"' in form.phone()


def test_a_form_shown_without_a_post_shows_its_data():
    form = Contact(data={"phone": "+84912345678"})
    assert 'value="+84912345678"' in form.phone()


def _form_classes():
    found, todo = [], [PortalForm]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_field_checked_as_a_mobile_number_is_a_mobile_phone_field(app):
    """`app`: built, so every feature's routes and forms are imported."""
    checked = []
    for cls in _form_classes():
        for name in dir(cls):
            field = getattr(cls, name, None)
            if isinstance(field, UnboundField) and valid_mobile in field.kwargs.get("validators", ()):
                checked.append((cls.__name__, name, field.field_class))
    assert checked, "no form found: the walk over the forms is broken"
    assert [c for c in checked if not issubclass(c[2], MobilePhoneField)] == []
