"""Options for WTForms select and radio fields (WTForms 3.3's SelectChoice instead of tuples)."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """[(value, label), …] -> SelectChoice objects; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]
