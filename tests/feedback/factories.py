"""Moved to tests/support (clients.py, feedback.py). Kept only for the files still importing it from here
(tests/support/admin.py, tests/feedback/test_routes_admin_templates.py, tests/staff/test_audit.py): delete it once they
import from tests.support."""

from tests.support.clients import fresh_client, signed_in
from tests.support.feedback import make_item

__all__ = ["fresh_client", "make_item", "signed_in"]
