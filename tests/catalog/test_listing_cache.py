"""The catalogue's list is rendered once per search answer, filter values and language
(portal/fragments.py): a change to a procedure must show at once, and languages must not mix."""

from __future__ import annotations

import time

from sqlalchemy import select, update

from portal import fragments
from portal.catalog.models import Procedure
from portal.extensions import db
from tests.support.clients import fresh_client

BIRTH = "1.001193"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def procedure(code: str) -> Procedure:
    found = db.session.scalar(select(Procedure).where(Procedure.code == code))
    assert found is not None
    return found


def test_a_changed_procedure_shows_at_once(app):
    client = fresh_client(app)
    assert procedure(BIRTH).name in page(client, "/procedures?q=khai+sinh")
    procedure(BIRTH).name = "Đăng ký khai sinh (thủ tục mới)"
    procedure(BIRTH).processing_days = 7
    db.session.flush()
    after = page(client, "/procedures?q=khai+sinh")
    assert "Đăng ký khai sinh (thủ tục mới)" in after and "7 ngày làm việc" in after


def test_a_withdrawn_procedure_leaves_the_list_at_once(app):
    client = fresh_client(app)
    assert f'href="/procedures/{BIRTH}"' in page(client, "/procedures?q=khai+sinh")
    procedure(BIRTH).is_active = False
    db.session.flush()
    assert f'href="/procedures/{BIRTH}"' not in page(client, "/procedures?q=khai+sinh")


def test_a_new_area_appears_in_the_filter_at_once(app):
    client = fresh_client(app)
    assert "Lĩnh vực thử nghiệm" not in page(client, "/procedures")
    procedure(BIRTH).area = "Lĩnh vực thử nghiệm"
    db.session.flush()
    assert '<option value="Lĩnh vực thử nghiệm"' in page(client, "/procedures")


def test_languages_are_not_mixed(app):
    english = page(fresh_client(app), "/procedures?q=khai+sinh&lang=en")
    vietnamese = page(fresh_client(app), "/procedures?q=khai+sinh")
    assert "Administrative procedures" in english and 'class="gloss"' in english
    assert "Administrative procedures" not in vietnamese and 'class="gloss"' not in vietnamese


def test_a_change_made_by_another_process_shows_within_the_stated_time(app, monkeypatch):
    client = fresh_client(app)
    assert procedure(BIRTH).name in page(client, "/procedures?q=khai+sinh")
    db.session.execute(  # a plain UPDATE, as another process's transaction looks from here
        update(Procedure).where(Procedure.code == BIRTH).values(name="Đăng ký khai sinh lưu động")
    )
    later = time.monotonic() + fragments.REFERENCE_SECONDS + 1
    monkeypatch.setattr(fragments.time, "monotonic", lambda: later)
    assert "Đăng ký khai sinh lưu động" in page(client, "/procedures?q=khai+sinh")
