"""Reading a bank statement CSV (README "Bank statement import"): every line is checked, then stored."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from . import amounts
from .operations import Credit, bank_instant

COLUMNS = ("transaction_id", "date", "amount", "description")
# Banks print day first; ISO 8601 (with "T", with or without an offset or seconds) is read by fromisoformat.
DATE_PATTERNS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y")


ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # the day
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?"  # time, offset
)


class NotAStatement(ValueError):
    """Not UTF-8, or without the four columns."""


@dataclass
class Statement:
    credits: list[Credit] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def parse_date(text: str) -> datetime | None:
    """A statement's date as a UTC instant. Without an offset it is Vietnam's local time (Asia/Ho_Chi_Minh),
    however it is written: "2026-11-23T23:30:00" was refused before, and is 16:30 UTC."""
    text = text.strip()
    if ISO.fullmatch(text):
        try:
            return bank_instant(datetime.fromisoformat(text.replace(" ", "T", 1)))
        except ValueError:
            return None
    for pattern in DATE_PATTERNS:
        try:
            value = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return bank_instant(value)
    return None


def _problem(row: dict) -> str | None:
    if not (row.get("transaction_id") or "").strip():
        return "transaction_id"
    if parse_date(row.get("date") or "") is None:
        return "date"
    try:
        amounts.from_statement(row.get("amount") or "")
    except amounts.AmountError as error:
        return f"amount_{error.reason}"
    return None


def parse(data: bytes) -> Statement:
    """The credits of a statement, or its problems line by line (then nothing may be imported)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAStatement from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or any(column not in reader.fieldnames for column in COLUMNS):
        raise NotAStatement
    statement = Statement()
    for row in reader:
        problem = _problem(row)
        if problem is not None:
            statement.problems.append((reader.line_num, problem))
            continue
        statement.credits.append(
            Credit(
                row["transaction_id"].strip()[:80],
                amounts.from_statement(row["amount"]),
                row.get("description") or "",
                occurred_at=parse_date(row["date"]),
            )
        )
    return statement
