"""Load the starter catalogue shipped with the package (shared/data/procedures.csv, copied)."""
from importlib.resources import files

from .importer import ImportReport, import_procedures


def seed_procedures() -> ImportReport:
    text = files("portal.catalog").joinpath("data/procedures.csv").read_text(encoding="utf-8")
    report = import_procedures(text)
    if report.errors:  # the shipped file is ours: a bad row is a bug, not user input
        raise RuntimeError(f"shipped procedures.csv is invalid: {report.errors}")
    return report
