"""What a file really is, judged by its content, not by the name it came with.

Only office and image formats a provincial office exchanges are accepted. A file
whose bytes do not match its extension (an HTML page renamed .pdf, a script renamed
.docx) is refused.
"""

import zipfile

from django.utils.translation import gettext_lazy as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> (content type, human label)
ACCEPTED = {
    ".pdf": ("application/pdf", "PDF"),
    ".doc": ("application/msword", "DOC"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
    ),
    ".xls": ("application/vnd.ms-excel", "XLS"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ".odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".png": ("image/png", "PNG"),
}

ACCEPTED_LABEL = "PDF, DOC, DOCX, XLS, XLSX, ODT, JPEG, PNG"


class RejectedFile(Exception):
    pass


def _zip_kind(uploaded):
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return ".docx"
            if "xl/workbook.xml" in names:
                return ".xlsx"
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return ".odt"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def sniff(uploaded) -> str | None:
    """The extension the content of `uploaded` actually has, or None if unknown."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = ".pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = ".jpg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = ".png"
    elif head.startswith(OLE2):
        kind = ".ole2"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(uploaded)
    uploaded.seek(0)
    return kind


def check(uploaded, *, max_bytes: int) -> str:
    """Return the content type to store for `uploaded`, or raise RejectedFile."""
    if uploaded.size > max_bytes:
        raise RejectedFile(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    if uploaded.size == 0:
        raise RejectedFile(_("Tệp rỗng."))
    name = (uploaded.name or "").lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ACCEPTED:
        raise RejectedFile(_("Chỉ nhận tệp %(kinds)s.") % {"kinds": ACCEPTED_LABEL})
    actual = sniff(uploaded)
    matches = (
        actual == extension
        or (actual == ".jpg" and extension == ".jpeg")
        or (actual == ".ole2" and extension in {".doc", ".xls"})
    )
    if not matches:
        raise RejectedFile(
            _("Nội dung tệp không đúng định dạng %(ext)s (tệp có thể bị đổi tên).")
            % {"ext": ACCEPTED[extension][1]}
        )
    return ACCEPTED[extension][0]
