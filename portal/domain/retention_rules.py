"""How long the province must keep a dossier (archive duty), and so whether an erasure request deletes it or
only restricts it (Law 91/2025 Art. 14: data under a legal retention duty is restricted, not deleted, until
the duty ends). Pure: standard library only.

The rules are a table: which procedure areas (lĩnh vực) a rule covers, how many years after the dossier is
finished it must be kept (None: permanently), and its legal basis as the citizen is told it. The years are
configurable per rule code (`with_overrides`, fed from PORTAL_RETENTION_YEARS through portal.settings);
the README lists the defaults. The bases are as reported in the province's archive list and must be
confirmed by its archive office (Circular 10/2022/TT-BNV sets the retention periods of records).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True)
class RetentionRule:
    code: str  # stable name, used in settings and recorded with each restriction
    areas: tuple[str, ...]  # procedure areas covered (a substring of Procedure.area); () = the default rule
    years: int | None  # kept this many years after the dossier is finished; None = permanently
    basis: str  # the legal basis, as shown to the citizen


DEFAULT = RetentionRule(
    "tthc-default", (), 10, "Thông tư 10/2022/TT-BNV: hồ sơ giải quyết thủ tục hành chính, 10 năm"
)
RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "civil-status",
        ("Hộ tịch",),
        None,
        "Luật Hộ tịch 2014, Điều 58; Thông tư 10/2022/TT-BNV: hồ sơ hộ tịch lưu trữ vĩnh viễn",
    ),
    RetentionRule(
        "land",
        ("Đất đai",),
        None,
        "Luật Đất đai 2024; Thông tư 10/2022/TT-BNV: hồ sơ địa chính lưu trữ vĩnh viễn",
    ),
    RetentionRule(
        "residence",
        ("cư trú", "Cư trú", "Căn cước"),
        20,
        "Thông tư 10/2022/TT-BNV: hồ sơ đăng ký cư trú, căn cước, 20 năm",
    ),
    DEFAULT,
)


def rule_for(area: str, rules: Iterable[RetentionRule] = RULES) -> RetentionRule:
    """The first rule one of whose areas appears in the procedure's area; else the default rule."""
    listed = tuple(rules)
    for rule in listed:
        if any(covered in area for covered in rule.areas):
            return rule
    return next((rule for rule in listed if not rule.areas), DEFAULT)


def kept_until(rule: RetentionRule, finished_on: date) -> date | None:
    """The first day the duty no longer holds (None: never). 29 February + N years falls on 28 February."""
    if rule.years is None:
        return None
    year = finished_on.year + rule.years
    try:
        return finished_on.replace(year=year)
    except ValueError:  # 29 February into a common year
        return date(year, 2, 28)


def under_archive_duty(rule: RetentionRule, finished_on: date, today: date) -> bool:
    until = kept_until(rule, finished_on)
    return until is None or today < until


def with_overrides(
    overrides: Mapping[str, int | None], rules: Iterable[RetentionRule] = RULES
) -> tuple[RetentionRule, ...]:
    """The table with some rules' years replaced (None: permanently). An unknown code is an error."""
    listed = tuple(rules)
    unknown = set(overrides) - {rule.code for rule in listed}
    if unknown:
        raise ValueError(f"unknown retention rules: {sorted(unknown)}")
    return tuple(
        replace(rule, years=overrides[rule.code]) if rule.code in overrides else rule for rule in listed
    )


def parse_overrides(text: str) -> dict[str, int | None]:
    """ "tthc-default=15,land=permanent" -> {"tthc-default": 15, "land": None}."""
    found: dict[str, int | None] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        code, _, value = part.partition("=")
        value = value.strip()
        found[code.strip()] = None if value == "permanent" else int(value)
        if found[code.strip()] is not None and found[code.strip()] < 0:  # type: ignore[operator]
            raise ValueError(f"negative retention years for {code}")
    return found
