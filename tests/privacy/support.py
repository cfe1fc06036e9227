"""A citizen with everything the portal can hold about a person, for the privacy tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import MetaData, select, text

from portal.accounts.models import Account
from portal.db_types import utcnow
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.payments.operations import create_for
from portal.uploads import storage
from tests.support.dossiers import make_dossier, person
from tests.support.factories import make_account
from tests.support.feedback import make_item
from tests.support.files import jpeg_bytes


@dataclass
class Citizen:
    account: Account
    name: str
    email: str
    phone: str  # E.164
    cccd: str
    feedback: list[Feedback]
    dossiers: list[Dossier]

    def stored_names(self) -> set[str]:
        names = {n for f in self.feedback for p in f.photos for n in (p.stored_name, p.thumbnail_name)}
        return names | {file.stored_name for d in self.dossiers for file in d.files}


def make_citizen(
    tag: str = "a", phone: str = "+84912000111", cccd: str = "014190000777", open_dossier: bool = True
) -> Citizen:
    """A citizen's account with two reports (one with a photo and the name published), a finished dossier
    with its fee and, unless open_dossier=False, one still being handled."""
    name = f"Quàng Thị Riêng {tag.upper()}"
    email = f"rieng-{tag}@example.com"
    account = make_account("citizen", email=email, full_name=name, phone=phone)
    feedback = [
        make_item(
            citizen=account,
            contact_name=name,
            phone=phone,
            email=email,
            show_name=True,
            photos=(jpeg_bytes(color=(10, 200, 30)),),
        ),
        make_item(citizen=account, contact_name=name, phone=phone, email=email),
    ]
    applicant = person(name=name, phone=phone, email=email, id_number=cccd)
    finished = make_dossier(applicant=applicant)
    finished.account_id = account.id
    create_for(finished)
    finished.status = 10  # returned: finished
    finished.returned_at = utcnow() - timedelta(days=30)
    dossiers = [finished]
    if open_dossier:
        dossier = make_dossier(applicant=applicant)
        dossier.account_id = account.id
        dossiers.append(dossier)
    db.session.flush()
    return Citizen(account, name, email, phone, cccd, feedback, dossiers)


def database_text() -> str:
    """Every row of every table, as text (to grep for personal data)."""
    metadata = MetaData()
    metadata.reflect(bind=db.session.connection())
    chunks = []
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        for row in db.session.execute(select(table)).all():
            chunks.append(" ".join(str(value) for value in row))
    return "\n".join(chunks)


def store_names() -> set[str]:
    return {entry.name for entry in storage.backend().entries()}


def national(phone: str) -> str:
    return "0" + phone.removeprefix("+84")


__all__ = ["Citizen", "database_text", "make_citizen", "national", "store_names", "text"]
