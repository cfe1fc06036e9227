"""Load the starter catalogue shipped with the package (shared/data/procedures.csv, copied); the demo's
blank form."""

from importlib.resources import files

from sqlalchemy import select

from portal.extensions import db
from portal.uploads import storage

from .form_files import check_form_file
from .importer import ImportReport, import_procedures
from .models import BlankForm, Procedure
from .sample_form import sample_pdf

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


# The demo's blank form: birth registration, the procedure people look up most (`flask seed-demo` only).
DEMO_FORM_PROCEDURE = "1.001193"


def seed_demo_blank_forms() -> int:
    """Attach a generated one-page demo tờ khai (portal.catalog.sample_form) to the birth registration
    procedure, once; checked and stored like an administrator's upload. The number of forms added."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == DEMO_FORM_PROCEDURE))
    if procedure is None or procedure.blank_forms:
        return 0
    checked = check_form_file(sample_pdf(procedure))
    procedure.blank_forms.append(
        BlankForm(
            position=1,
            title=f"Tờ khai {procedure.name[:1].lower()}{procedure.name[1:]} (mẫu demo)",
            original_name="to-khai-dang-ky-khai-sinh-mau-demo.pdf",
            content_type=checked.content_type,
            size_bytes=len(checked.data),
            stored_name=storage.store(checked.data, checked.suffix),
        )
    )
    db.session.flush()
    return 1
