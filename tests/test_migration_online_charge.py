"""Migration 50baf4de2598 fills the catalogue's online charges (Circular 75/2022/TT-BTC) and lets the open
online dossiers that were charged the counter's amount, and not yet asked to pay, owe the online one; on
SQLite and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.operations import open_payment
from tests.support.dossiers import make_dossier, procedure
from tests.support.factories import account

SCRIPT = next((Path(__file__).resolve().parents[1] / "migrations/versions").glob("*_50baf4de2598_*.py"))
PERMANENT = "1.004222"  # 20.000 đ at the counter, 10.000 đ online
TEMPORARY = "1.004194"  # 15.000 đ at the counter, 7.000 đ online


def migration():
    spec = importlib.util.spec_from_file_location("online_charge", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fee_requested(dossier: Dossier) -> Dossier:
    operations.staff_act(dossier, A.RECEIVE, account("receptionist"))
    operations.staff_act(dossier, A.START, account("processor"))
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"))
    return dossier


def test_the_catalogue_and_the_open_online_dossiers_get_the_online_charge(app):
    permanent, temporary = procedure(PERMANENT), procedure(TEMPORARY)
    # The database before the revision: no online charge; an administrator had changed one counter charge.
    permanent.online_charge_vnd = temporary.online_charge_vnd = None
    temporary.charge_vnd = 18_000
    db.session.flush()
    waiting = make_dossier(PERMANENT)  # online, status 1
    received = make_dossier(PERMANENT)
    operations.staff_act(received, A.RECEIVE, account("receptionist"))  # status 2
    asked = fee_requested(make_dossier(PERMANENT))  # status 6: a payment reference for 20.000 đ exists
    counter = make_dossier(PERMANENT, received=True)
    withdrawn = make_dossier(PERMANENT)
    operations.citizen_withdraw(withdrawn, "Tôi đã chuyển nơi ở.")
    edited = make_dossier(TEMPORARY)
    db.session.flush()
    assert {d.fee_vnd for d in (waiting, received, asked, counter, withdrawn)} == {20_000}
    versions = {d.id: d.page_version for d in (waiting, received, asked, counter)}

    script = migration()
    connection = db.session.connection()
    script.fill_catalogue(connection)
    script.reprice_open_online_dossiers(connection)
    db.session.expire_all()

    assert procedure(PERMANENT).online_charge_vnd == 10_000
    assert procedure(TEMPORARY).online_charge_vnd is None  # the administrator's amount is left alone
    assert (waiting.fee_vnd, received.fee_vnd) == (10_000, 10_000)
    assert waiting.page_version != versions[waiting.id] and received.page_version != versions[received.id]
    assert asked.fee_vnd == open_payment(asked).amount_vnd == 20_000  # asked for already: kept
    assert asked.page_version == versions[asked.id]
    assert (counter.fee_vnd, withdrawn.fee_vnd, edited.fee_vnd) == (20_000, 20_000, 18_000)
