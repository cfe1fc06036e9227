"""Demo feedback in every status, so a newcomer sees a living queue and a public feed, with one urgent report in
every urgent category, routed to Phường Tô Hiệu's People's Committee (whose demo staff work its queue)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.db_types import utcnow
from portal.demo_history import history_moments
from portal.domain.feedback_status import FeedbackAction as A
from portal.extensions import db

from . import operations
from .models import Feedback, FeedbackCategory, ResponseTemplate

DEMO_DOMAIN = "@demo.sonla.vn"
TEMPLATES = (
    (
        "Đã tiếp nhận, đang kiểm tra hiện trường",
        "Cảm ơn ông/bà đã phản ánh. UBND đã tiếp nhận và cử cán bộ kiểm tra hiện trường; kết quả sẽ được "
        "thông báo trong thời hạn quy định.",
    ),
    (
        "Đã khắc phục xong",
        "UBND đã phối hợp với đơn vị liên quan khắc phục xong sự việc ông/bà phản ánh. Trân trọng cảm ơn "
        "ông/bà đã đồng hành cùng chính quyền.",
    ),
)
# (category, title, description, days ago, actions taken by staff, citizen rating)
ITEMS = (
    # One urgent report in every urgent category: routed to the ward (its first responder), top of its queue.
    (
        "sat-lo",
        "Sạt lở taluy dương đường vào bản Hua La",
        "Sau trận mưa đêm qua, đất đá từ taluy dương sạt xuống lấp một nửa mặt đường, xe máy đi rất nguy hiểm.",
        1,
        (),
        None,
    ),
    (
        "lu-quet",
        "Lũ ống tràn qua ngầm suối Nậm La",
        "Nước suối dâng rất nhanh, tràn qua ngầm gần bản Cọ; nhiều người vẫn cố đi xe máy qua.",
        0,
        (),
        None,
    ),
    (
        "chay-rung",
        "Cháy rừng thông trên đồi sau tổ 3",
        "Khói và lửa bốc lên từ rừng thông trên đồi sau tổ 3, gió to, lửa đang lan về phía khu dân cư.",
        0,
        (),
        None,
    ),
    (
        "thien-tai",
        "Dông lốc làm tốc mái nhiều nhà tổ 7",
        "Trận dông lốc chiều nay làm tốc mái ít nhất năm nhà ở tổ 7, một cột điện bị nghiêng.",
        0,
        (),
        None,
    ),
    (
        "dien-chieu-sang",
        "Đèn đường tổ 5 không sáng",
        "Ba cột đèn đường ở tổ 5 đã không sáng hơn một tuần, buổi tối rất tối, học sinh đi học thêm về không an toàn.",
        3,
        (A.ACCEPT,),
        None,
    ),
    (
        "moi-truong",
        "Rác thải đổ bừa bãi cạnh suối Nậm La",
        "Có người đổ rác sinh hoạt xuống ven suối Nậm La đoạn gần cầu, mùi hôi và gây ô nhiễm nguồn nước.",
        6,
        (A.ACCEPT, A.REQUEST_INFO),
        None,
    ),
    (
        "cap-thoat-nuoc",
        "Mất nước sinh hoạt ba ngày",
        "Khu dân cư bản Noong Đúc mất nước sinh hoạt từ thứ Hai đến nay, chưa có thông báo của đơn vị cấp nước.",
        9,
        (A.ACCEPT, A.ANSWER),
        "satisfied",
    ),
    (
        "trat-tu-xay-dung",
        "Xây dựng lấn chiếm vỉa hè đường Tô Hiệu",
        "Một hộ gia đình đang xây bậc tam cấp và mái che lấn ra vỉa hè, người đi bộ phải xuống lòng đường.",
        12,
        (A.ACCEPT, A.ANSWER),
        None,
    ),
    (
        "khac",
        "Quảng cáo bán hàng",
        "Mua hàng giảm giá tại trang web của chúng tôi, liên hệ ngay để nhận ưu đãi lớn trong tháng này.",
        2,
        (A.REFUSE,),
        None,
    ),
)


def seed_demo_feedback() -> int:
    """Add the demo reports once (recognised by their demo e-mail addresses). Returns items added."""
    if db.session.scalar(select(func.count(Feedback.id)).where(Feedback.email.like(f"%{DEMO_DOMAIN}"))):
        return 0
    agency = db.session.scalar(select(Agency).where(Agency.slug == "ubnd-phuong-to-hieu"))
    processor = db.session.scalar(select(Account).where(Account.email == f"xuly{DEMO_DOMAIN}"))
    if agency is None or processor is None:
        return 0
    for title, body in TEMPLATES:
        db.session.add(ResponseTemplate(agency_id=agency.id, title=title, body=body))
    categories = dict(db.session.execute(select(FeedbackCategory.slug, FeedbackCategory.id)).all())
    for number, (slug, title, description, days_ago, actions, rating) in enumerate(ITEMS, 1):
        now = utcnow()
        sent = now - timedelta(days=days_ago)
        moments = history_moments(sent, now, len(actions) + (1 if rating else 0))
        item, _token = operations.submit(
            operations.Submission(
                category_id=categories[slug],
                title=title,
                description=description,
                admin_unit_code="03646",
                address="",
                latitude=None,
                longitude=None,
                contact_name=f"Người dân {number}",
                phone=f"+8498765{number:04d}",
                email=f"nguoidan{number}{DEMO_DOMAIN}",
                show_name=False,
                locale="vi",
            ),
            None,
            now=sent,
        )
        if item.agency_id != agency.id:  # a department's category: the demo shows it forwarded to the ward
            item.agency_id = agency.id
        for action, moment in zip(actions, moments, strict=False):
            note = {
                A.REQUEST_INFO: "Đề nghị cho biết vị trí cụ thể (gần nhà số mấy, cột điện số mấy).",
                A.ANSWER: TEMPLATES[1][1],
                A.REFUSE: "",
            }.get(action, "")
            operations.staff_act(
                item, action, processor, note=note, reason="spam" if action is A.REFUSE else "", now=moment
            )
        if rating:
            operations.rate(item, rating == "satisfied", "Cảm ơn cán bộ phường.", now=moments[-1])
    db.session.flush()
    return len(ITEMS)
