"""The export holds every record and file of the citizen and nothing of anyone else (issue 10 item 2)."""

import io
import json
import re
import zipfile
from datetime import timedelta

from portal import jobs
from portal.extensions import db
from portal.jobs.models import OutboxJob
from portal.privacy import export
from portal.privacy.models import ExportArchive
from portal.uploads import storage
from tests.privacy.support import make_citizen, national
from tests.support.storage import names as storage_names

LINK = re.compile(r'href="(/my-data/export/[^"]+)"')


def _download(client) -> zipfile.ZipFile:
    response = client.post("/my-data/export")
    assert response.status_code == 302
    page = client.get("/my-data").get_data(as_text=True)
    link = LINK.search(page)[1]
    download = client.get(link)
    assert download.status_code == 200
    assert "no-store" in download.headers["Cache-Control"]
    data = download.data
    download.close()
    return zipfile.ZipFile(io.BytesIO(data))


def _all_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_export_holds_every_record_and_file_of_the_citizen_and_nothing_of_another(client, login):
    me = make_citizen("a")
    other = make_citizen("b", phone="+84987000222", cccd="014190000888")
    db.session.commit()
    login(me.account)
    archive = _download(client)
    names = archive.namelist()
    records = {name[:-5]: json.loads(archive.read(name)) for name in names if name.endswith(".json")}
    assert [row["email"] for row in records["account"]] == [me.email]
    assert {row["code"] for row in records["feedback"]} == {item.code for item in me.feedback}
    assert {row["code"] for row in records["dossiers"]} == {dossier.code for dossier in me.dossiers}
    assert {row["dossier_id"] for row in records["payments"]} == {me.dossiers[0].id}
    # One notice consent per report and dossier, and the published name of the first report.
    assert len(records["consents"]) == len(me.feedback) + len(me.dossiers) + 1
    assert any(row["action"] == "submitted" for row in records["access_log"])
    # Every original file, byte for byte.
    photo = me.feedback[0].photos[0]
    # The plaintext, though the store holds every file encrypted (portal/uploads/encryption.py).
    exported = archive.read(f"files/feedback/{me.feedback[0].code}-1.jpg")
    assert exported == storage.read(photo.stored_name) and exported.startswith(b"\xff\xd8")
    dossier_files = [name for name in names if name.startswith("files/dossiers/")]
    assert len(dossier_files) == sum(len(d.files) for d in me.dossiers)
    index = archive.read("index.txt").decode()
    assert "Dữ liệu của bạn" in index  # the citizen's language: Vietnamese
    # No secret and nothing of the other citizen.
    everything = _all_text(archive)
    for secret in ("password_hash", "token_hash", "link_salt"):
        assert secret not in everything
    for theirs in (
        other.name,
        other.email,
        other.phone,
        national(other.phone),
        other.cccd,
        *(f.code for f in other.feedback),
        *(d.code for d in other.dossiers),
    ):
        assert theirs not in everything


def test_the_link_expires_and_is_unknown_to_others(client, login, app):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    client.post("/my-data/export")
    link = LINK.search(client.get("/my-data").get_data(as_text=True))[1]
    other_browser = app.test_client().get(link)  # a bearer link: whoever has it (the citizen)
    other_browser.close()
    assert other_browser.status_code == 200
    assert client.get("/my-data/export/not-a-token").status_code == 404
    row = db.session.scalar(db.select(ExportArchive))
    row.expires_at = row.created_at
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_large_export_is_built_by_the_worker_after_the_commit(client, login, monkeypatch):
    me = make_citizen("a")
    db.session.commit()
    monkeypatch.setattr(export, "INLINE_FILES", 0)
    login(me.account)
    client.post("/my-data/export")
    row = db.session.scalar(db.select(ExportArchive))
    assert row.status == "pending"
    job = db.session.scalar(db.select(OutboxJob).where(OutboxJob.kind == export.KIND))
    jobs.jobs_of().handlers[export.KIND](json.loads(job.payload), job.key)
    db.session.refresh(row)
    assert row.status == "ready" and row.size > 0
    link = LINK.search(client.get("/my-data").get_data(as_text=True))[1]
    response = client.get(link)
    data = response.data
    response.close()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_staff_and_strangers_have_no_my_data_page(client, login):
    assert client.get("/my-data").status_code == 302  # to the sign-in page
    login("processor")
    assert client.get("/my-data").status_code == 404


def test_the_export_and_private_data_links_never_reach_the_access_log():
    import base64
    import secrets

    from portal.access_log import redact

    export_token = secrets.token_urlsafe(32)  # 43 characters
    report_token = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()  # a report's link: 32
    for token, path in ((export_token, "/my-data/export/"), (report_token, "/my-data/t/")):
        assert token not in redact(f"GET {path}{token} HTTP/1.1")


def test_the_retention_job_deletes_expired_exports_once(client, login, app):
    from portal.privacy import retention

    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    client.post("/my-data/export")
    row = db.session.scalar(db.select(ExportArchive))
    stored, row_id = row.stored_name, row.id
    assert stored in storage_names()
    counts = retention.run(app, dry_run=False, now=row.expires_at - timedelta(minutes=1), echo=lambda _: None)
    assert counts["exports_expired_days"] == 0 and stored in storage_names()  # not yet expired
    counts = retention.run(app, dry_run=False, now=row.expires_at + timedelta(minutes=1), echo=lambda _: None)
    assert counts["exports_expired_days"] == 1
    assert db.session.get(ExportArchive, row_id) is None and stored not in storage_names()
    again = retention.run(app, dry_run=False, now=row.expires_at + timedelta(minutes=2), echo=lambda _: None)
    assert again["exports_expired_days"] == 0
