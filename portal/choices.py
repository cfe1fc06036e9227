"""Options for WTForms select and radio fields (WTForms 3.3's SelectChoice instead of tuples), and selects
whose options' HTML is built once (`PreparedChoices`, `PreparedSelectField`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from markupsafe import Markup
from wtforms import SelectField

# SelectChoice and Choice are new in WTForms 3.3; types-WTForms (3.2) does not declare them yet.
from wtforms.fields.choices import Choice, SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import ValidationError
from wtforms.widgets import Select, html_params


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """[(value, label), …] -> SelectChoice objects; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]


class PreparedChoices:
    """A select's options with each option's HTML rendered once, as WTForms' Select renders it, both
    unselected and selected: a page then joins strings instead of rendering dozens of options (the
    submission form's 75 communes). Immutable once built, so it can be kept per language and list
    (portal/fragments.py) and shared by every request; what differs per request, the field's value, only
    picks which option carries `selected`."""

    def __init__(self, pairs: Sequence[tuple[object, object]], coerce: Callable[[Any], object]) -> None:
        self.choices = options((value, str(label)) for value, label in pairs)
        render: Any = Select.render_option  # WTForms 3.3's signature: render_option(choice)
        self.plain = tuple(str(render(Choice(c.value, c.label, False, {}))) for c in self.choices)
        self.selected = tuple(str(render(Choice(c.value, c.label, True, {}))) for c in self.choices)
        self.coerce = coerce
        self.positions: dict[object, list[int]] = {}
        for position, choice in enumerate(self.choices):
            self.positions.setdefault(coerce(choice.value), []).append(position)

    def chosen(self, data: object) -> list[int]:
        """The options WTForms marks selected for `data` (coerce(value) == data)."""
        try:
            return self.positions.get(data, [])
        except TypeError:  # unhashable data: compare one by one, as WTForms does
            return [i for i, c in enumerate(self.choices) if self.coerce(c.value) == data]

    def html(self, data: object) -> str:
        chosen = self.chosen(data)
        if not chosen:
            return "".join(self.plain)
        parts = list(self.plain)
        for position in chosen:
            parts[position] = self.selected[position]
        return "".join(parts)


class PreparedSelect(Select):
    """Select widget that uses the field's PreparedChoices when it has some (same HTML)."""

    def __call__(self, field, **kwargs):
        prepared = getattr(field, "prepared", None)
        if prepared is None or field.choices is not prepared.choices:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        select_params = html_params(name=field.name, **kwargs)
        return Markup(f"<select {select_params}>{prepared.html(field.data)}</select>")  # noqa: S704


class PreparedSelectField(SelectField):
    """A SelectField that can take PreparedChoices (`use`); otherwise an ordinary SelectField."""

    widget = PreparedSelect()
    prepared: PreparedChoices | None = None

    def use(self, prepared: PreparedChoices) -> None:
        self.choices = prepared.choices
        self.prepared = prepared

    def pre_validate(self, form):
        prepared = self.prepared
        if prepared is None or self.choices is not prepared.choices or self.process_errors:
            return super().pre_validate(form)
        if self.validate_choice and not prepared.chosen(self.data):
            message = getattr(self, "invalid_choice_message", None)  # WTForms 3.3 (not in the stubs)
            raise ValidationError(message or self.gettext("Not a valid choice."))
        return None
