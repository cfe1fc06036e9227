"""Form 05, the processing control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ): each hand-over of
the dossier as a row, who handed it over, who took it, when, and the final result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal.dossiers.labels import EVENT

from .queries import Step

# The actions that move the dossier from one party to another (internal notes and reads do not).
HANDOVERS = (
    "receive",
    "assign",
    "start",
    "request_supplement",
    "supplement",
    "request_fee",
    "confirm_fee",
    "propose_result",
    "approve",
    "finish",
    "apologise",
    "return_result",
    "refuse",
    "stop",
    "withdraw",
)
# What the citizen sees of these notes on the paper too; an internal note is never printed.
NOTED = ("request_supplement", "apologise", "refuse", "stop", "withdraw", "finish", "approve")


@dataclass(frozen=True)
class Row:
    number: int
    label: str
    handed_by: str
    taken_by: str
    at: datetime
    note: str


def _parties(step: Step, applicant: str) -> tuple[str, str]:
    desk = _("Reception and results desk")
    officer = step.actor or _("the portal")
    match step.action:
        case "receive":
            return applicant, f"{desk}: {officer}"
        case "assign":
            return officer, step.note
        case "start":
            return desk, officer
        case "request_supplement" | "request_fee" | "refuse" | "stop" | "apologise":
            return officer, applicant
        case "supplement" | "confirm_fee" | "withdraw":
            return applicant, officer if step.actor else _("the portal")
        case "propose_result":
            return officer, _("Leader (approval)")
        case "approve" | "finish":
            return officer, desk
        case _:  # return_result
            return f"{desk}: {officer}", applicant


def control_rows(steps: list[Step], applicant: str) -> list[Row]:
    rows: list[Row] = []
    for step in steps:
        if step.action not in HANDOVERS:
            continue
        handed_by, taken_by = _parties(step, applicant)
        note = step.note if step.action in NOTED else ""
        rows.append(Row(len(rows) + 1, str(EVENT[step.action]), handed_by, taken_by, step.at, note))
    return rows
