"""portal/i18n.py's dates in a sentence (`long_date`): as each language writes them.

Found by a walk-through of the demo (07/12/2026): the citizen's dossier page read "Thứ Ba, 8 tháng 12, 2026"
(Babel's "full" pattern for vi), which a Vietnamese reader takes for a list; Vietnamese writes "Thứ Ba,
ngày 8 tháng 12 năm 2026" (VIETNAM.md §10: "ngày … tháng … năm …"). English kept Babel's US month-first
order, where the portal's other English dates put the day first."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from portal.i18n import long_date


@pytest.mark.parametrize(
    ("language", "day", "expected"),
    [
        ("vi", date(2026, 12, 8), "Thứ Ba, ngày 8 tháng 12 năm 2026"),  # 08/12/2026 is a Tuesday
        ("vi", date(2027, 1, 4), "Thứ Hai, ngày 4 tháng 1 năm 2027"),
        ("vi", date(2026, 11, 29), "Chủ Nhật, ngày 29 tháng 11 năm 2026"),
        ("en", date(2026, 12, 8), "Tuesday, 8 December 2026"),
    ],
)
def test_a_date_in_a_sentence(app, language, day, expected):
    with app.test_request_context(), force_locale(language):
        assert long_date(day) == expected
