"""The NAPAS bank list: the bank behind a VietQR BIN, for people (its name), never for the payload (the BIN).

Read once from data/napas_banks.csv (its source and why no logos are shipped: data/README.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "napas_banks.csv"


@dataclass(frozen=True)
class Bank:
    bin: str
    code: str  # NAPAS short code (VietQR.io)
    short_name: str  # what people call it: "Vietcombank"
    name: str  # full Vietnamese name
    scan_to_pay: bool


@cache
def _by_bin() -> dict[str, Bank]:
    with DATA.open(encoding="utf-8", newline="") as file:
        return {
            row["bin"]: Bank(
                row["bin"], row["code"], row["short_name"], row["name"], row["scan_to_pay"] == "yes"
            )
            for row in csv.DictReader(file)
        }


def by_bin(bin_: str) -> Bank | None:
    """The bank with this BIN, or None for a BIN the list does not know."""
    return _by_bin().get(bin_)


def all_banks() -> list[Bank]:
    return list(_by_bin().values())
