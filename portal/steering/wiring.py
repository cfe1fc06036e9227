"""What the rest of the portal sees of portal.steering: the item pages' `score_effects_of` Jinja global."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from portal.calendar.queries import local_now
from portal.feedback import conduct

from . import effects


def score_effects_of(kind: str, item: Any) -> list[tuple[str, str, bool]]:
    return effects.item_hints(kind, item, local_now().date())


def may_reveal_reporter(item: Any) -> bool:
    return conduct.may_reveal(current_user, item)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(score_effects_of=score_effects_of, may_reveal_reporter=may_reveal_reporter)
