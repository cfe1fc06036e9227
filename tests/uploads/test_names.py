"""Display names (portal.uploads.names): the extension always says what the portal stored."""

from __future__ import annotations

import pytest

from portal.uploads.names import served_type, with_type_extension


@pytest.mark.parametrize(
    ("name", "mimetype", "shown"),
    [
        ("ho_so.html", "application/pdf", "ho_so.pdf"),
        ("run.bat", "application/pdf", "run.pdf"),
        ("to-khai.pdf", "application/pdf", "to-khai.pdf"),
        ("TO-KHAI.PDF", "application/pdf", "TO-KHAI.PDF"),
        ("shell.php.pdf", "application/pdf", "shell.php.pdf"),
        ("invoicefdp.exe", "application/pdf", "invoicefdp.pdf"),
        ("Giấy xác nhận cư trú", "application/pdf", "Giấy xác nhận cư trú.pdf"),
        ("ban v1.2 ho so", "application/pdf", "ban v1.2 ho so.pdf"),
        ("x.pdf.", "application/pdf", "x.pdf"),
        ("run.bat. ", "application/pdf", "run.pdf"),  # Windows drops trailing dots and spaces
        ("document", "application/pdf", "document.pdf"),
        (".html", "application/pdf", "document.pdf"),
        ("cccd.png", "image/jpeg", "cccd.jpg"),  # dossier images are re-encoded as JPEG
        ("cccd.jpeg", "image/jpeg", "cccd.jpeg"),
        ("x.jpg", "image/png", "x.png"),
        ("anh.svg", "image/png", "anh.png"),
    ],
)
def test_the_extension_is_the_stored_type(name, mimetype, shown):
    assert with_type_extension(name, mimetype) == shown


def test_a_long_name_keeps_its_extension_within_200_characters():
    shown = with_type_extension("a" * 200 + ".html", "application/pdf")
    assert len(shown) == 200 and shown.endswith("a.pdf")


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("application/pdf", "application/pdf"),
        ("image/jpeg", "image/jpeg"),
        ("image/png", "image/png"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
    ],
)
def test_only_types_the_portal_produces_are_sent_as_such(stored, sent):
    assert served_type(stored) == sent
