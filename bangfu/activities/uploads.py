"""Evidence files: a thin wrapper over bangfu.pairings.uploads.

The agreement check decides size and PDF/Word/JPEG/PNG by content; evidence
also takes WebP photos and Excel sheets, and photos are re-encoded here so
no EXIF (GPS location!) survives.
"""

from __future__ import annotations

import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from bangfu.pairings import uploads
from bangfu.security.uploads import clean_image

PDF_MIME = "application/pdf"
DOCX_MIME = uploads.DOCX_MIME
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHOTO_MIMES = {"image/jpeg", "image/png", "image/webp"}
DOCUMENT_TYPES = {PDF_MIME: "pdf", DOCX_MIME: "docx", XLSX_MIME: "xlsx"}

# Photos larger than this on their longer side are scaled down when re-encoded.
MAX_PHOTO_SIDE = 2560


def _is_xlsx(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def detect(upload) -> str:
    """The MIME type decided by content ('' when not one we know); raises on oversize.

    Reads the first 8 KB, and for zip-based files the zip directory.
    """
    try:
        mime, _ext = uploads.check_document(upload)
        return mime
    except ValidationError as exc:
        if exc.code != "bad_type":
            raise
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind and kind.mime == "image/webp":
        return kind.mime
    if _is_xlsx(upload):
        return XLSX_MIME
    return ""


def check_document(upload) -> tuple[str, str]:
    mime = detect(upload)
    if mime not in DOCUMENT_TYPES:
        raise ValidationError(
            _("文档只能是 PDF、Word(.docx)或 Excel(.xlsx)文件,该文件的内容不是这些类型。"),
            code="bad_type",
        )
    return mime, DOCUMENT_TYPES[mime]


def clean_photo(upload) -> tuple[ContentFile, str, str]:
    """Re-encode a JPEG/PNG/WebP photo without its metadata: ``(file, mime, extension)``."""
    mime = detect(upload)
    if mime not in PHOTO_MIMES:
        raise ValidationError(
            _("照片只能是 JPEG、PNG 或 WebP 图片,该文件的内容不是图片。"), code="bad_type"
        )
    return clean_image(upload, max_side=MAX_PHOTO_SIDE)
