"""Dossier queries: one dossier, a citizen's list, the agency queue, finding a scanned code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Text, bindparam, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from portal import pagination
from portal.agencies.models import Agency
from portal.catalog.models import Procedure, RequiredDocument
from portal.domain import dossier_status
from portal.domain.codes import InvalidCode, parse_dossier_code
from portal.extensions import db
from portal.search import every_term
from portal.tracking import page_cache
from portal.uploads.reconcile import StoredRow

from .models import Dossier, DossierFile

OPEN_STATUSES = tuple(sorted(int(status) for status in dossier_status.OPEN))


def by_code(code: str) -> Dossier | None:
    return db.session.scalar(
        select(Dossier)
        .where(Dossier.code == code.strip().upper())
        .options(
            selectinload(Dossier.files).joinedload(DossierFile.required_document),
            selectinload(Dossier.pauses),
        )
    )


def for_status_page(code: str) -> Dossier | None:
    """The dossier of the citizen's status page with everything the page shows, in one statement: its
    agency and procedure (joined by the model), files (with the required document each answers), pauses,
    apology letters, payments and the rating. The joined collections multiply rows (files x pauses x letters x
    payments); a dossier has a handful of each."""
    return (
        db.session.scalars(
            select(Dossier)
            .where(Dossier.code == code.strip().upper())
            .options(
                joinedload(Dossier.files).joinedload(DossierFile.required_document),
                joinedload(Dossier.pauses),
                joinedload(Dossier.apologies),
                joinedload(Dossier.payments),
                joinedload(Dossier.rating),
            )
        )
        .unique()
        .one_or_none()
    )


_DOSSIERS, _AGENCIES, _PROCEDURES = Dossier.__table__.c, Agency.__table__.c, Procedure.__table__.c
_FILES, _DOCUMENTS = DossierFile.__table__.c, RequiredDocument.__table__.c


class joined_lines(FunctionElement):  # noqa: N801 - reads like the SQL aggregate it stands for
    """The aggregate of text values as one string, a line each, in the database's order (for a key). Not
    SQLAlchemy's aggregate_strings: its separator is a literal rendered at execution, which page_cache's raw
    read of a key does not do."""

    type = Text()
    name = "joined_lines"
    inherit_cache = True


@compiles(joined_lines)
def _joined_lines_sqlite(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(10))"


@compiles(joined_lines, "postgresql")
def _joined_lines_postgresql(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(10))"


# The names of the required documents the dossier's files answer (the page labels each file with its own):
# the catalogue may rename or remove one without the dossier changing.
_FILE_DOCUMENTS = (
    select(joined_lines(_DOCUMENTS.name))
    .select_from(
        DossierFile.__table__.join(RequiredDocument.__table__, _DOCUMENTS.id == _FILES.required_document_id)
    )
    .where(_FILES.dossier_id == _DOSSIERS.id)
    .scalar_subquery()
)
# Core columns, built once: no ORM entity to load, and the statement's compiled form is reused.
_STATUS_KEY = (
    select(
        _DOSSIERS.id,
        _DOSSIERS.code,
        _DOSSIERS.page_version,
        _DOSSIERS.account_id,
        _DOSSIERS.agency_id,
        _DOSSIERS.restricted_at,
        _AGENCIES.name.label("agency"),
        _AGENCIES.name_en.label("agency_en"),
        _PROCEDURES.name.label("procedure"),
        _FILE_DOCUMENTS.label("documents"),
    )
    .join(Agency.__table__, _AGENCIES.id == _DOSSIERS.agency_id)
    .join(Procedure.__table__, _PROCEDURES.id == _DOSSIERS.procedure_id)
    .where(_DOSSIERS.code == bindparam("code"))
)


def status_page_key(code: str) -> Any:
    """What the status page needs before its kept part: the access check's columns, the page version and
    the names the page shows from other tables (id, code, page_version, account_id, agency_id,
    restricted_at, agency, agency_en, procedure, documents: the names of the required documents its files
    answer). One indexed look-up by code (page_cache.read_key: a row with these columns as attributes, or
    None)."""
    return page_cache.read_key(_STATUS_KEY, {"code": code.strip().upper()})


def by_form_nonce(stored: str) -> Dossier | None:
    """The dossier an online or counter form already created (`stored` as in portal/form_nonce.py)."""
    return db.session.scalar(select(Dossier).where(Dossier.form_nonce == stored))


def for_account(account_id: int) -> list[Dossier]:
    return list(
        db.session.scalars(
            select(Dossier)
            .where(Dossier.account_id == account_id, Dossier.restricted_at.is_(None))
            .order_by(Dossier.id.desc())
            .limit(200)
        )
    )


PAGE_SIZE = 100


def agency_queue(
    agency_id: int | None,
    status: int | None = None,
    query: str = "",
    limit: int | None = None,
    after: tuple[date | None, int] | None = None,
):
    """One page of the agency's dossiers in appointment order (no date last), and the key of the next page
    (appointment date or None, id) or None: keyset pagination, so page 50 costs what page 1 costs."""
    limit = limit or PAGE_SIZE
    statement = select(Dossier).where(Dossier.restricted_at.is_(None))  # portal/privacy: restricted
    if agency_id is not None:
        statement = statement.where(Dossier.agency_id == agency_id)
    statement = (
        statement.where(Dossier.status == status)
        if status
        else statement.where(Dossier.status.in_(OPEN_STATUSES))
    )
    statement = statement.where(*every_term(Dossier.search_key, query))
    if after is not None:
        after_due, after_id = after
        if after_due is None:  # among the dossiers without a date, the last ones
            statement = statement.where(Dossier.appointment_on.is_(None), Dossier.id > after_id)
        else:
            statement = statement.where(
                or_(
                    Dossier.appointment_on.is_(None),
                    tuple_(Dossier.appointment_on, Dossier.id) > tuple_(after_due, after_id),
                )
            )
    statement = statement.order_by(Dossier.appointment_on.is_(None), Dossier.appointment_on, Dossier.id)
    # The page shows each dossier's timeliness, which reads its pauses: one query for all of them.
    rows = db.session.scalars(statement.options(selectinload(Dossier.pauses)).limit(limit + 1))
    return pagination.page(list(rows), limit, lambda dossier: (dossier.appointment_on, dossier.id))


_TRACK_PATH = re.compile(r"/dossiers/t/([^/]+)/[0-9a-f]+/?$")


def code_from_scan(text: str) -> str | None:
    """A USB scanner types either the receipt QR's URL or the bare code; return the dossier code."""
    text = text.strip()
    if "://" in text or text.startswith("/"):
        match = _TRACK_PATH.search(urlsplit(text).path)
        text = unquote(match[1]) if match else ""
    try:
        parse_dossier_code(text)
    except InvalidCode:
        return None
    return text.upper()


def stored_files():
    """The dossier files the upload store must hold (registered with `flask check-files`, see wiring.py)."""
    for row_id, code, name in db.session.execute(
        select(DossierFile.id, Dossier.code, DossierFile.stored_name).join(Dossier)
    ):
        yield StoredRow("dossier_files", row_id, code, name)
