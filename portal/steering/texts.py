"""The words of each Decision 766 effect (portal.domain.score_effects) and its fix, in the reader's language."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import escape

from portal.domain.score_effects import Effect, Hint
from portal.i18n import local_date, locale_code

E = Effect
# Effect → (what it does to the score, the fix beside it). DUE_SOON's words depend on the days left.
# No fix here offers a form 04 letter: that one is in WITH_LETTER, chosen only when the rule the apology
# form obeys says a letter may still be sent today (Hint.letter, working_days.apology_refusal). Late without
# a letter, it never may: the letter goes before the legal due date, which has passed.
WORDS = {
    E.LATE_WITHOUT_LETTER: (
        _l("Late without an apology letter: counts as late in 2.1"),
        _l("Too late for an apology letter (form 04): finish it and return the result"),
    ),
    E.LATE: (_l("Overdue: counts as late in 2.1"), _l("Finish it and return the result")),
    E.TOO_MANY_REQUESTS: (
        _l("More than one supplement request: counts as late in 2.1"),
        _l("Finish it as soon as possible"),
    ),
    E.DUE_SOON: (None, _l("Finish it and return the result by the due date")),
    E.SECOND_REQUEST_LATE: (
        _l("A second supplement request will count as late"),
        _l("Ask for everything missing at once; phone the citizen first"),
    ),
    E.NO_E_RESULT: (_l("No electronic result: fails 4.1"), _l("Attach the scanned result")),
    E.FEE_NOT_ONLINE: (
        _l("Fee not payable online: fails 3.5"),
        _l("Turn on online payment for this procedure"),
    ),
    E.FEE_NOT_PAID_ONLINE: (
        _l("Fee not paid online yet: counts against 3.6"),
        _l("Send the citizen the VietQR payment link"),
    ),
    E.FEEDBACK_LATE: (_l("Answer overdue: counts as late in 5.2"), _l("Answer now")),
    E.FEEDBACK_REOPENED_LATE: (
        _l("A late answer was reopened as not fixed: counts as late in 5.2"),
        _l("Fix the problem and answer again"),
    ),
    E.FEEDBACK_INFO_LATE: (
        _l("The first request for information came after 5 working days: counts as late in 5.2"),
        _l("Answer as soon as possible; ask for information within 5 working days next time"),
    ),
    E.FEEDBACK_DUE_SOON: (None, _l("Answer before the due date")),
}
# The fix when a form 04 letter may still be sent today (Hint.letter).
WITH_LETTER = {E.DUE_SOON: _l("Finish it, or send an apology letter (form 04) before the due date")}
# The fix when a letter already sent moved the appointment and no other may follow (Hint.promised): from the
# legal due day the letter's new date stands.
PROMISED = _l(
    "Finish it and return the result by %(date)s, the new date of the apology letter (form 04) sent"
)


def _due_in(days: int) -> str:
    if days <= 0:
        return str(_l("Due today"))
    return ngettext("Due in %(num)d working day", "Due in %(num)d working days", days)


def words(hint: Hint) -> tuple[str, str]:
    """(effect, fix) of one hint, translated."""
    effect, fix = WORDS[hint.effect]
    if hint.letter and hint.effect in WITH_LETTER:
        fix = WITH_LETTER[hint.effect]
    elif hint.promised is not None:
        fix = str(PROMISED) % {"date": local_date(hint.promised)}
    return (str(effect) if effect is not None else _due_in(hint.days or 0)), str(fix)


@functools.lru_cache(maxsize=256)
def _html(locale: str, hints: tuple[Hint, ...]) -> str:
    """The hints as one escaped `<p>`: cached per language and set of hints (a page repeats a few sets)."""
    parts = []
    for hint in hints:
        effect, fix = words(hint)
        kind = "costs" if hint.costs else "warns"
        parts.append(
            f'<span class="effect {kind}" data-effect="{hint.effect.value}">{escape(effect)}'
            f' <span class="fix">→ {escape(fix)}</span></span>'
        )
    return f'<p class="meta score-effects">{" · ".join(parts)}</p>\n' if parts else ""


def html(hints: tuple[Hint, ...]) -> str:
    return _html(locale_code(), hints)
