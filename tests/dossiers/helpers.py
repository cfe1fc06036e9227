"""Helpers for dossier tests."""

import io

from tests.feedback.helpers import jpeg_bytes

# A minimal one-page PDF (pikepdf must be able to open what the portal accepts: a page tree with a page).
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def applicant(**overrides):
    data = {
        "applicant_name": "Lò Thị Xuân",
        "id_number": "014190000123",
        "birth_date": "1990-05-17",
        "phone": "0912 345 678",
        "email": "xuan@example.com",
        "address": "Tổ 3, đường Tô Hiệu",
        "commune": "03646",
        "consent": "y",
    }
    data.update(overrides)
    return data


def pdf_file(name="to-khai.pdf"):
    return (io.BytesIO(PDF), name)


def jpeg_file(name="cccd.jpg"):
    return (io.BytesIO(jpeg_bytes()), name)
