"""Load the starter catalogue shipped with the package (shared/data/procedures.csv, copied)."""

from importlib.resources import files

from sqlalchemy import select

from portal.extensions import db

from .importer import ImportReport, import_procedures
from .models import Procedure

# Results signed by the People's Committee's chairman: a leader approves before "result ready".
# A starting point for the demo; agency administrators set the flag per procedure.
APPROVAL_AREAS = ("Đất đai", "Hoạt động xây dựng", "Bảo trợ xã hội")
# Decree 63/2024/NĐ-CP's linked procedures count a filing after 15:00 from the next working day, whatever
# their duration (VIETNAM.md §2.3 item 4): those whose legal basis cites the decree get the cut-off.
CUTOFF_LEGAL_BASIS = "63/2024"


def seed_procedures() -> ImportReport:
    text = files("portal.catalog").joinpath("data/procedures.csv").read_text(encoding="utf-8")
    report = import_procedures(text)
    if report.errors:  # the shipped file is ours: a bad row is a bug, not user input
        raise RuntimeError(f"shipped procedures.csv is invalid: {report.errors}")
    if report.created:  # first load only: never undo an administrator's choice
        for procedure in db.session.scalars(select(Procedure).where(Procedure.area.in_(APPROVAL_AREAS))):
            procedure.needs_approval = True
        cutoff = select(Procedure).where(Procedure.legal_basis.contains(CUTOFF_LEGAL_BASIS, autoescape=True))
        for procedure in db.session.scalars(cutoff):
            procedure.afternoon_cutoff = True
        db.session.flush()
    return report
