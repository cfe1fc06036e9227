"""Demo dossiers, one or more in each of the 10 statuses, some with fees; and the demo payments of those fees:
one pending, one paid by VietQR transfer, one underpaid (flagged for staff)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.catalog.models import Procedure
from portal.db_types import utcnow
from portal.demo_history import history_moments
from portal.domain.dossier_status import DossierAction as A
from portal.extensions import db
from portal.payments import operations as payments
from portal.payments.models import BankTransaction, Payment

from . import intake, operations
from .models import Dossier, DossierTemplate

DEMO_DOMAIN = "@demo.sonla.vn"
# A minimal, valid one-page PDF standing in for a scanned form.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
# (procedure code, applicant, days ago, staff path: (action, who, note))
PLAN = (
    ("1.004194", "Lò Văn Thắng", 0, ()),  # 1 Mới đăng ký
    ("1.004222", "Cầm Thị Lan", 1, (("receive", "desk", ""),)),  # 2
    (
        "1.001193",
        "Quàng Văn Minh",
        2,
        (("refuse", "desk", "Hồ sơ không thuộc thẩm quyền giải quyết của phường."),),
    ),
    ("1.010038", "Tòng Văn Hải", 3, (("receive", "desk", ""), ("start", "processor", ""))),  # 4
    (
        "1.002755",
        "Lường Thị Hoa",
        4,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("request_supplement", "processor", "Bổ sung bản sao giấy tờ chứng minh chỗ ở hợp pháp."),
        ),
    ),  # 5
    (
        "1.004222",
        "Hà Văn Nam",
        5,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("request_fee", "processor", "Nộp lệ phí đăng ký thường trú."),
        ),
    ),  # 6
    ("1.004194", "Lò Thị Mơ", 2, (("receive", "desk", ""), ("withdraw", "desk", "Công dân xin rút hồ sơ."))),
    (
        "1.010038",
        "Cầm Văn Sơn",
        6,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("stop", "leader", "Công dân chuyển nơi cư trú, dừng giải quyết."),
        ),
    ),  # 8
    (
        "1.004194",
        "Vì Thị Thu",
        6,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("finish", "processor", "Kết quả nhận tại Bộ phận một cửa."),
        ),
    ),  # 9
    (
        "1.004222",
        "Quàng Thị Nga",
        4,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("request_fee", "processor", "Nộp lệ phí đăng ký thường trú."),
        ),
    ),  # → paid
    (
        "1.002755",
        "Sồng A Chứ",
        3,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("request_fee", "processor", "Nộp lệ phí gia hạn tạm trú."),
        ),
    ),  # → underpaid
    (
        "1.003677",
        "Lò Văn Duy",
        8,
        (
            ("receive", "desk", ""),
            ("start", "processor", ""),
            ("finish", "processor", ""),
            ("return_result", "desk", ""),
        ),
    ),  # 10
)


# Response templates of the demo ward, one per purpose (issue 16 item 10).
TEMPLATES = (
    (
        "supplement",
        "Thiếu bản sao giấy tờ tùy thân",
        "Đề nghị ông/bà bổ sung bản sao Căn cước công dân của người nộp hồ sơ (bản chụp rõ nét hai mặt)."
        " Ông/bà có thể nộp trực tuyến từ trang theo dõi hồ sơ hoặc tại Bộ phận Tiếp nhận và Trả kết quả.",
    ),
    (
        "refusal",
        "Không thuộc thẩm quyền giải quyết",
        "Hồ sơ không thuộc thẩm quyền giải quyết của UBND phường. Đề nghị ông/bà nộp hồ sơ tại cơ quan có"
        " thẩm quyền theo quy định.",
    ),
    (
        "result",
        "Kết quả sẵn sàng tại Bộ phận một cửa",
        "Kết quả giải quyết hồ sơ đã sẵn sàng. Đề nghị ông/bà mang theo giấy tiếp nhận và Căn cước công dân"
        " khi đến nhận kết quả.",
    ),
)


def seed_demo_dossiers() -> int:
    """Add the demo dossiers once (recognised by their demo e-mail addresses). Returns dossiers added."""
    if db.session.scalar(select(func.count(Dossier.id)).where(Dossier.email.like(f"%{DEMO_DOMAIN}"))):
        return 0
    found = {
        key: db.session.scalar(select(Account).where(Account.email == f"{name}{DEMO_DOMAIN}"))
        for key, name in (("desk", "tiepnhan"), ("processor", "xuly"), ("leader", "lanhdao"))
    }
    staff = {key: account for key, account in found.items() if account is not None}
    if len(staff) < len(found):
        return 0
    for purpose, title, body in TEMPLATES:
        db.session.add(
            DossierTemplate(agency_id=staff["desk"].agency_id, purpose=purpose, title=title, body=body)
        )
    added = 0
    for number, (procedure_code, name, days_ago, path) in enumerate(PLAN, 1):
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        if procedure is None or not procedure.is_online:
            continue
        now = utcnow()
        when = now - timedelta(days=days_ago)
        applicant = intake.Applicant(
            name=name,
            id_number=f"0141900{number:05d}",
            birth_date=None,
            phone=f"+8498876{number:04d}",
            email=f"congdan{number}{DEMO_DOMAIN}",
            address=f"Tổ {number}",  # the commune is shown after it
            admin_unit_code="03646",
        )
        dossier = intake.submit_online(
            procedure, applicant, [intake.Upload(DEMO_PDF, "to-khai.pdf")], None, "vi", now=when
        )
        for moment, (action, who, note) in zip(history_moments(when, now, len(path)), path, strict=True):
            operations.staff_act(dossier, A(action), staff[who], note=note, now=moment)
        added += 1
    db.session.flush()
    return added


def seed_demo_payments() -> int:
    """Settle two of the demo dossiers' fee requests with bank credits, once. Returns credits added."""
    if db.session.scalar(
        select(func.count(BankTransaction.id)).where(BankTransaction.bank_transaction_id.like("DEMO-%"))
    ):
        return 0
    names = ("Quàng Thị Nga", "Sồng A Chứ")
    owed = {
        dossier.applicant_name: payment
        for payment, dossier in db.session.execute(
            select(Payment, Dossier)
            .join(Dossier)
            .where(Dossier.applicant_name.in_(names), Dossier.email.like("%@demo%"))
        )
    }
    added = 0
    for number, (name, share) in enumerate(((names[0], 1.0), (names[1], 0.5)), 1):
        payment = owed.get(name)
        if payment is None:
            continue
        amount = int(payment.amount_vnd * share)
        payments.record_credit(
            payments.Credit(
                bank_transaction_id=f"DEMO-{number:04d}",
                amount_vnd=amount,
                description=f"MBVCB.{number}.{payment.reference}.CT tu {name}",
                occurred_at=utcnow(),
            ),
            "webhook",
        )
        added += 1
    return added
