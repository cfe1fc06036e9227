"""Everyday words for procedures: "sổ đỏ" finds the land-use right certificate procedures.

The table (catalog_synonyms) maps a folded expression to the catalogue's own words; several alternatives
are separated by "|" ("quyen su dung dat | dang ky dat dai"): a procedure matching any of them is found.
A search looks up every run of up to MAX_WORDS consecutive words of the query in the table's unique index
(one statement), replaces the longest runs found by their alternatives, and keeps the other words as they
are. Administrators edit the table at /staff/admin/synonyms (audited).
"""

from __future__ import annotations

from itertools import product

from sqlalchemy import select

from portal.domain.text import fold
from portal.extensions import db

from .models import Synonym

MAX_WORDS = 7
MAX_ALTERNATIVES = 8

# (expression as people say it, the catalogue's words; "|" separates alternatives). Checked against the
# starter catalogue (data/procedures.csv): each alternative finds at least one of its procedures.
SEED = (
    ("sổ đỏ", "quyen su dung dat | dang ky dat dai"),
    ("sổ hồng", "quyen su dung dat | dang ky dat dai"),
    ("bìa đỏ", "quyen su dung dat | dang ky dat dai"),
    ("làm sổ đỏ", "dang ky dat dai | quyen su dung dat"),
    ("sang tên sổ đỏ", "bien dong quyen su dung dat"),
    ("sang tên đất", "bien dong quyen su dung dat"),
    ("mua bán đất", "bien dong quyen su dung dat | chung thuc hop dong"),
    ("thừa kế đất", "bien dong quyen su dung dat"),
    ("chia đất", "tach thua"),
    ("làm giấy khai sinh", "khai sinh"),
    ("giấy khai sinh", "khai sinh"),
    ("làm khai sinh cho con", "khai sinh"),
    ("đăng ký cho con mới sinh", "khai sinh"),
    ("báo tử", "khai tu"),
    ("giấy chứng tử", "khai tu"),
    ("lấy vợ", "ket hon"),
    ("lấy chồng", "ket hon"),
    ("giấy đăng ký kết hôn", "ket hon"),
    ("giấy xác nhận độc thân", "tinh trang hon nhan"),
    ("xác nhận độc thân", "tinh trang hon nhan"),
    ("công chứng", "chung thuc"),
    ("công chứng giấy tờ", "chung thuc ban sao"),
    ("photo công chứng", "chung thuc ban sao"),
    ("nhập hộ khẩu", "thuong tru"),
    ("hộ khẩu", "thuong tru | tach ho"),
    ("đăng ký hộ khẩu", "thuong tru"),
    ("tách khẩu", "tach ho"),
    ("đăng ký tạm trú", "tam tru"),
    ("khai báo tạm trú", "tam tru"),
    ("làm căn cước", "the can cuoc"),
    ("làm cccd", "the can cuoc"),
    ("cccd", "the can cuoc"),
    ("chứng minh thư", "the can cuoc"),
    ("chứng minh nhân dân", "the can cuoc"),
    ("lý lịch tư pháp", "ly lich tu phap"),
    ("xin giấy phép xây nhà", "giay phep xay dung"),
    ("xin phép xây nhà", "giay phep xay dung"),
    ("giấy phép xây nhà", "giay phep xay dung"),
    ("mở quán", "ho kinh doanh | an toan thuc pham"),
    ("mở cửa hàng", "ho kinh doanh"),
    ("đăng ký kinh doanh", "ho kinh doanh | thanh lap cong ty"),
    ("giấy phép kinh doanh", "ho kinh doanh"),
    ("mở công ty", "thanh lap cong ty"),
    ("quán ăn", "an toan thuc pham"),
    ("hộ nghèo", "tro cap xa hoi"),
    ("trợ cấp người già", "tro cap xa hoi"),
    ("tiền người khuyết tật", "tro cap xa hoi"),
    ("bảo hiểm y tế cho con", "the bhyt"),
    ("thẻ bảo hiểm y tế trẻ em", "the bhyt"),
    ("làm hộ chiếu", "ho chieu"),
    ("passport", "ho chieu"),
    ("đổi bằng lái", "giay phep lai xe"),
    ("bằng lái xe", "giay phep lai xe"),
)


def seed_synonyms() -> int:
    """Add the seed expressions that are missing; never changes an administrator's edit. Returns rows added."""
    known = set(db.session.scalars(select(Synonym.phrase_key)))
    added = 0
    for phrase, terms in SEED:
        key = fold(phrase)
        if key not in known:
            db.session.add(Synonym(phrase=phrase, phrase_key=key, search_terms=terms))
            known.add(key)
            added += 1
    db.session.flush()
    return added


def _runs(words: list[str]) -> list[str]:
    return [
        " ".join(words[start : start + size])
        for size in range(1, MAX_WORDS + 1)
        for start in range(len(words) - size + 1)
    ]


def alternatives(query: str) -> list[str]:
    """The queries to search for instead of `query` (any may match): [query] when no expression is known."""
    words = fold(query).split()
    if not words:
        return [query]
    rows = db.session.execute(
        select(Synonym.phrase_key, Synonym.search_terms).where(Synonym.phrase_key.in_(_runs(words)))
    )
    found = {row.phrase_key: row.search_terms for row in rows}
    if not found:
        return [query]
    parts: list[list[str]] = []
    at = 0
    while at < len(words):
        for size in range(min(MAX_WORDS, len(words) - at), 0, -1):  # the longest expression first
            run = " ".join(words[at : at + size])
            if run in found:
                parts.append([alt.strip() for alt in found[run].split("|") if alt.strip()])
                at += size
                break
        else:
            parts.append([words[at]])
            at += 1
    return [" ".join(choice) for choice in product(*parts)][:MAX_ALTERNATIVES]
