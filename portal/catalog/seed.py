"""Load the starter catalogue shipped with the package (shared/data/procedures.csv, copied)."""

from importlib.resources import files

from sqlalchemy import select

from portal.extensions import db

from .importer import ImportReport, import_procedures
from .models import Procedure

# Results signed by the People's Committee's chairman: a leader approves before "result ready".
# A starting point for the demo; agency administrators set the flag per procedure.
APPROVAL_AREAS = ("Đất đai", "Hoạt động xây dựng", "Bảo trợ xã hội")


def seed_procedures() -> ImportReport:
    text = files("portal.catalog").joinpath("data/procedures.csv").read_text(encoding="utf-8")
    report = import_procedures(text)
    if report.errors:  # the shipped file is ours: a bad row is a bug, not user input
        raise RuntimeError(f"shipped procedures.csv is invalid: {report.errors}")
    if report.created:  # first load only: never undo an administrator's choice
        for procedure in db.session.scalars(select(Procedure).where(Procedure.area.in_(APPROVAL_AREAS))):
            procedure.needs_approval = True
        db.session.flush()
    return report
