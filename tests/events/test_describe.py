"""Event notes and statuses in words (portal.events.describe), in Vietnamese: each row's expected text is
the catalogue's translation of the names involved."""

import pytest
from flask_babel import force_locale

from portal.events.describe import action_label, note_text, status_label


@pytest.mark.parametrize(
    ("kind", "action", "note", "expected"),
    [
        # Change notes (portal.admin.changes.note): field names and values named, before → after.
        (
            "agency",
            "agency_deactivated",
            '{"after": {"is_active": false}, "before": {"is_active": true}}',
            "Đang hoạt động: Có → Không",
        ),
        (
            "account",
            "account_role_changed",
            '{"after": {"role": "leader"}, "before": {"role": "processor"}}',
            "Vai trò: Cán bộ xử lý → Lãnh đạo",
        ),
        (
            "procedure",
            "procedure_updated",
            '{"after": {"fee_vnd": 20000}, "before": {"fee_vnd": 15000}}',
            "Phí, lệ phí: 15.000\u00a0₫ → 20.000\u00a0₫",
        ),
        (
            "calendar_day",
            "calendar_day_removed",
            '{"after": {}, "before": {"day": "2027-04-24"}}',
            "Ngày: 24/04/2027 → —",
        ),
        ("agency", "agency_updated", '{"after": {"colour": "red"}, "before": {}}', "colour: red"),  # unknown
        # Notes a feature reads: a bare role, a payment, a channel, a download.
        ("account", "account_created", "processor", "Cán bộ xử lý"),
        ("dossier", "payment_received", "SLABCDEF1234 15000", "SLABCDEF1234 · 15.000\u00a0₫"),
        ("dossier", "receive", "counter", "Nộp trực tiếp"),
        ("dossier", "receive", "Hồ sơ đủ.", "Hồ sơ đủ."),  # an officer's own words stay
        (
            "dossier",
            "file_downloaded",
            "#3 to-khai.pdf (submitted) · staff",
            "#3 to-khai.pdf (khi nộp) · do cán bộ tải",
        ),
        ("account", "recovery_code_used", "7 left", "Còn 7 mã khôi phục"),
        ("feedback", "note", "Đã gọi điện cho người dân.", "Đã gọi điện cho người dân."),
    ],
)
def test_notes_in_words(app, kind, action, note, expected):
    with app.test_request_context("/?lang=vi"), force_locale("vi"):
        assert note_text(kind, action, note) == expected


def test_statuses_and_actions_in_words(app):
    with app.test_request_context("/?lang=vi"), force_locale("vi"):
        assert status_label("dossier", "4") == "Đang xử lý"
        assert status_label("feedback", "info_requested") == "Chờ người dân bổ sung"
        assert status_label("dossier", None) == ""
        assert action_label("dossier", "payment_received") == "Đã nộp phí, lệ phí"
        assert action_label("dossier", "no_such_action") == "no_such_action"  # tests/events/test_labels.py
