"""procedures.online_charge_vnd: the charge of a dossier submitted online, where the law sets a lower one

Revision ID: 50baf4de2598
Revises: 7c1d2e9f4a60
Create Date: 2026-12-07 12:00:00

- procedures.online_charge_vnd (lệ phí when submitted online; NULL: the same as at the counter), read by
  portal/domain/fees.py `amount_for`. Filled for the shipped catalogue's procedures whose charge the law
  lowers online (portal/catalog/data/SOURCE.md), where the row still holds the counter charge the CSV
  has and no online charge: an administrator's own amounts are left alone.
- Open online dossiers of those procedures whose fee was not yet requested (statuses 1, 2, 4 and 5, no
  payment reference, no amount entered by an officer) were charged the counter's amount at submission:
  they now owe the online one. A dossier with a payment reference keeps the amount it was asked for, as do
  closed ones. Their page version changes with the amount (portal/tracking/versions.py).

The downgrade drops the column; the dossiers keep their corrected amounts.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "50baf4de2598"
down_revision = "7c1d2e9f4a60"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# (code, counter charge, online charge), as portal/catalog/data/procedures.csv has them at this revision.
ONLINE_CHARGES = (
    ("1.004222", 20000, 10000),  # Đăng ký thường trú (Circular 75/2022/TT-BTC)
    ("1.004194", 15000, 7000),  # Đăng ký tạm trú
    ("1.002755", 15000, 7000),  # Gia hạn tạm trú
    ("1.010038", 10000, 5000),  # Tách hộ
    ("SL-024", 50000, 0),  # Đăng ký thành lập công ty TNHH một thành viên (Circular 47/2019/TT-BTC)
)
NOT_YET_ASKED = (1, 2, 4, 5)  # submitted, received, processing, documents requested

procedures = sa.table(
    "procedures",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("charge_vnd", MONEY),
    sa.column("fee_vnd", MONEY),
    sa.column("online_charge_vnd", MONEY),
)
dossiers = sa.table(
    "dossiers",
    sa.column("id", sa.Integer),
    sa.column("procedure_id", sa.Integer),
    sa.column("channel", sa.String),
    sa.column("status", sa.Integer),
    sa.column("fee_vnd", MONEY),
    sa.column("fee_basis", sa.Text),
    sa.column("page_version", sa.BigInteger),
)
payments = sa.table("payments", sa.column("dossier_id", sa.Integer))


def fill_catalogue(connection) -> None:
    for code, counter, online in ONLINE_CHARGES:
        connection.execute(
            procedures.update()
            .where(
                procedures.c.code == code,
                procedures.c.charge_vnd == counter,
                procedures.c.online_charge_vnd.is_(None),
            )
            .values(online_charge_vnd=online)
        )


def reprice_open_online_dossiers(connection) -> None:
    p = procedures.alias("p")
    fee = sa.func.coalesce(p.c.fee_vnd, 0)
    counter_amount = sa.func.coalesce(p.c.charge_vnd, 0) + fee
    charged_the_counter = sa.exists().where(
        p.c.id == dossiers.c.procedure_id,
        p.c.online_charge_vnd.is_not(None),
        dossiers.c.fee_vnd == counter_amount,
        dossiers.c.fee_vnd != p.c.online_charge_vnd + fee,
    )
    online_amount = (
        sa.select(p.c.online_charge_vnd + fee).where(p.c.id == dossiers.c.procedure_id).scalar_subquery()
    )
    connection.execute(
        dossiers.update()
        .where(
            dossiers.c.channel == "online",
            dossiers.c.status.in_(NOT_YET_ASKED),
            dossiers.c.fee_basis == "",
            dossiers.c.fee_vnd > 0,
            charged_the_counter,
            ~sa.exists().where(payments.c.dossier_id == dossiers.c.id),
        )
        .values(fee_vnd=online_amount, page_version=secrets.randbits(62))
    )


def upgrade():
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("online_charge_vnd", MONEY, nullable=True))
        batch_op.create_check_constraint(
            "online_charge_positive", "online_charge_vnd IS NULL OR online_charge_vnd >= 0"
        )
    connection = op.get_bind()
    fill_catalogue(connection)
    reprice_open_online_dossiers(connection)


def downgrade():
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_procedures_online_charge_positive"), type_="check")
        batch_op.drop_column("online_charge_vnd")
