"""Helpers for feedback tests: images and a ready-made submission."""

import io

from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import FeedbackCategory


def jpeg_bytes(size=(800, 600), color=(200, 30, 30), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 19.0, 30.0), "E", (103.0, 54.0, 12.0)
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return buffer.getvalue()


def category_id(slug="giao-thong") -> int:
    return db.session.scalar(select(FeedbackCategory.id).where(FeedbackCategory.slug == slug))


def form_data(**overrides):
    data = {
        "category": str(category_id()),
        "title": "Sạt lở đường vào bản Hua La",
        "description": "Đất đá sạt xuống đường sau mưa lớn, xe máy không đi được.",
        "commune": "03670",
        "address": "Bản Hua La, km 3",
        "contact_name": "Lò Văn Pọm",
        "phone": "0912 345 678",
        "email": "pom@example.com",
        "consent": "y",
    }
    data.update(overrides)
    return data
