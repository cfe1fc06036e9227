"""Options for WTForms select and radio fields (WTForms 3.3's SelectChoice instead of tuples)."""

from collections.abc import Iterable

# SelectChoice is new in WTForms 3.3; types-WTForms (3.2) does not declare it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """[(value, label), …] -> SelectChoice objects; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]
