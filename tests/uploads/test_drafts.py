"""Upload drafts (portal/uploads/drafts.py) hold a dossier's documents as well as a report's photos: a
document has no thumbnail nor size in pixels, says which input of the form it answers, and is kept once per
input; `flask check-files` counts its file as referenced and reports no missing thumbnail."""

from __future__ import annotations

from portal import form_nonce
from portal.uploads import drafts, reconcile, storage
from portal.uploads.documents import check_document
from portal.uploads.images import process_photo
from tests.support.files import PDF, jpeg_bytes

FORM = "dossier-apply:test"


def test_a_document_and_a_photo_are_kept_and_taken(app):
    nonce = form_nonce.new()
    document = drafts.keep(
        FORM, nonce, drafts.Checked.document(check_document(PDF)), "to-khai.pdf", None, "doc-1"
    )
    photo = drafts.keep(
        FORM, nonce, drafts.Checked.photo(process_photo(jpeg_bytes())), "anh.jpg", None, "photos"
    )
    assert (document.mimetype, document.size, document.thumbnail_name, document.width) == (
        "application/pdf",
        len(storage.read(document.stored_name)),
        None,
        None,
    )
    assert document.names() == [document.stored_name]
    assert photo.names() == [photo.stored_name, photo.thumbnail_name] and photo.width == 800
    # The same document chosen again for the same input is kept once; for another input, again.
    again = drafts.keep(
        FORM, nonce, drafts.Checked.document(check_document(PDF)), "to-khai.pdf", None, "doc-1"
    )
    other = drafts.keep(
        FORM, nonce, drafts.Checked.document(check_document(PDF)), "ban-sao.pdf", None, "doc-2"
    )
    assert again.id == document.id and other.id != document.id
    assert [d.field for d in drafts.listed(FORM, nonce)] == ["doc-1", "photos", "doc-2"]
    files, duplicates = drafts.take(FORM, nonce)
    assert [(f.field, f.filename, f.mimetype) for f in files] == [
        ("doc-1", "to-khai.pdf", "application/pdf"),
        ("photos", "anh.jpg", "image/jpeg"),
        ("doc-2", "ban-sao.pdf", "application/pdf"),
    ]
    assert duplicates == [] and drafts.listed(FORM, nonce) == []


def test_check_files_counts_a_document_draft_and_misses_no_thumbnail(app):
    draft = drafts.keep(
        FORM, form_nonce.new(), drafts.Checked.document(check_document(PDF)), "to-khai.pdf", None, "doc-1"
    )
    rows = [row for row in reconcile.stored_rows() if row.table == "photo_drafts" and row.row_id == draft.id]
    assert [row.name for row in rows] == [draft.stored_name]
    report = reconcile.check()
    assert not [row for row in report.missing if row.table == "photo_drafts"]
    assert draft.stored_name not in {orphan.name for orphan in report.orphans + report.recent}
