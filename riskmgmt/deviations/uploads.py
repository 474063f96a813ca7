"""Attachment checks: size, and type judged by the file's content, never its name."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_DESCRIPTION = "pdf, jpg, png, docx, xlsx"


def _sniff(head: bytes, upload) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def upload_check(upload) -> str:
    """The content type of an allowed upload; a Swedish ValidationError otherwise."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("Filen ”%(name)s” är för stor (%(size)s MB). Största tillåtna storlek är 10 MB.")
            % {"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    content_type = _sniff(head, upload)
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _("Filen ”%(name)s” har en filtyp som inte är tillåten. Tillåtna filtyper: %(allowed)s.")
            % {"name": upload.name, "allowed": ALLOWED_DESCRIPTION},
            code="file_type",
        )
    return content_type
