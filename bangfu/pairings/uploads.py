"""Agreement documents: the file's type is decided by its content, never by its name."""

from __future__ import annotations

import io
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Detected MIME type → extension the stored file gets.
ALLOWED = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    DOCX_MIME: "docx",
    "image/jpeg": "jpg",
    "image/png": "png",
}

# filetype needs only the first bytes; a docx is checked further as a whole zip.
_HEAD_BYTES = 8192


def _is_docx(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_document(upload) -> tuple[str, str]:
    """Return ``(mime, extension)`` of an accepted document or raise ValidationError.

    Reads the first 8 KB, and for zip-based files the zip directory.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件过大(%(size)s 字节),上限为 %(limit)s 字节。")
            % {"size": size, "limit": settings.UPLOAD_MAX_BYTES},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    # A zip is a Word document only when it carries word/document.xml.
    if mime in (DOCX_MIME, "application/zip"):
        mime = DOCX_MIME if _is_docx(upload) else ""
    if mime not in ALLOWED:
        raise ValidationError(
            _("只能上传 PDF、Word(.docx/.doc)或图片(JPEG/PNG)文件,该文件的内容不是这些类型。"),
            code="bad_type",
        )
    return mime, ALLOWED[mime]
