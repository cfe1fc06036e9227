"""Archive duties of dossiers (portal/domain/retention_rules.py). Expected values worked out by hand from the
rule table: a duty of N years runs from the day the dossier was finished to the same day N years later."""

from datetime import date

import pytest

from portal.domain.retention_rules import (
    DEFAULT,
    kept_until,
    parse_overrides,
    rule_for,
    under_archive_duty,
    with_overrides,
)


@pytest.mark.parametrize(
    ("area", "rule"),
    [
        ("Hộ tịch", "civil-status"),  # civil status: its own rule
        ("Hộ tịch; Cư trú; BHYT", "civil-status"),  # the first rule that covers one of the areas wins
        ("Đất đai", "land"),
        ("Đăng ký, quản lý cư trú", "residence"),  # "cư trú" in lower case inside the area's name
        ("Căn cước", "residence"),
        ("Chứng thực", "tthc-default"),  # no rule names it: the default
        ("", "tthc-default"),
    ],
)
def test_rule_for_an_area(area, rule):
    assert rule_for(area).code == rule


@pytest.mark.parametrize(
    ("years", "finished", "until"),
    [
        (10, date(2020, 3, 1), date(2030, 3, 1)),  # ten years to the day
        (20, date(2026, 12, 6), date(2046, 12, 6)),
        (10, date(2024, 2, 29), date(2034, 2, 28)),  # 2034 is not a leap year: the last day of February
        (0, date(2026, 5, 1), date(2026, 5, 1)),  # no duty: it ends the day it starts
        (None, date(2000, 1, 1), None),  # permanently
    ],
)
def test_kept_until(years, finished, until):
    assert kept_until(with_overrides({"tthc-default": years})[-1], finished) == until


@pytest.mark.parametrize(
    ("finished", "today", "held"),
    [
        (date(2020, 3, 1), date(2030, 2, 28), True),  # the day before the tenth anniversary: still held
        (date(2020, 3, 1), date(2030, 3, 1), False),  # on the anniversary the duty has ended
        (date(2026, 11, 6), date(2026, 12, 6), True),  # finished a month ago
    ],
)
def test_under_archive_duty_of_the_default_ten_years(finished, today, held):
    assert under_archive_duty(DEFAULT, finished, today) is held


def test_a_permanent_rule_never_ends():
    assert under_archive_duty(rule_for("Đất đai"), date(1990, 1, 1), date(2990, 1, 1))


def test_overrides_are_parsed_and_unknown_rules_refused():
    assert parse_overrides("tthc-default=15, land=permanent") == {"tthc-default": 15, "land": None}
    assert rule_for("Chứng thực", with_overrides({"tthc-default": 15})).years == 15
    with pytest.raises(ValueError):
        with_overrides({"no-such-rule": 3})
    with pytest.raises(ValueError):
        parse_overrides("land=-1")
