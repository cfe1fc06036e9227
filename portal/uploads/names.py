"""The name a stored file is shown and downloaded under: the citizen's label, with the extension of the type
the portal sniffed and stored — a PDF uploaded as `ho_so.html` or `run.bat` downloads as `ho_so.pdf` or
`run.pdf`, never as something a desktop would open with another program."""

from __future__ import annotations

import re

# Types the portal stores (portal.uploads.documents, portal.uploads.images, portal.catalog.form_files) and
# their extensions, usual first.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    # Blank forms of the catalogue (portal.catalog.form_files): Word and Excel files checked for macros.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
FALLBACK_TYPE = "application/octet-stream"
MAX_LENGTH = 200
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")


def served_type(mimetype: str) -> str:
    """The Content-Type to send: one the portal produced itself, or opaque bytes."""
    return mimetype if mimetype in EXTENSIONS else FALLBACK_TYPE


def with_type_extension(name: str, mimetype: str) -> str:
    """`name` with the extension of `mimetype`, replacing any other extension it ends with."""
    extensions = EXTENSIONS.get(mimetype)
    if extensions is None:
        return name
    name = name.rstrip(" .")  # Windows drops trailing dots and spaces: "x.bat." opens as "x.bat"
    ending = _EXTENSION.search(name)
    if ending and ending.start() > 0 and f".{ending[1].lower()}" in extensions:
        return name
    stem = (name[: ending.start()] if ending else name).rstrip(" .") or "document"
    return stem[: MAX_LENGTH - len(extensions[0])] + extensions[0]
