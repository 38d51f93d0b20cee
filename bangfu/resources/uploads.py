"""Shared-resource files: a thin wrapper over bangfu.pairings.uploads.

The agreement checker accepts PDF, Word and images within UPLOAD_MAX_BYTES;
resources also take PowerPoint, Excel and MP4 video, the video with its own
larger limit. Types are decided by content, never by the file's name.
"""

from __future__ import annotations

import io
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bangfu.pairings import uploads

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MP4_MIME = "video/mp4"

# An Office Open XML file is a zip whose main part names what it is.
_OFFICE_PARTS = {
    "ppt/presentation.xml": (PPTX_MIME, "pptx"),
    "xl/workbook.xml": (XLSX_MIME, "xlsx"),
}
_HEAD_BYTES = 8192

ACCEPT = ".pdf,.docx,.pptx,.xlsx,.mp4,.jpg,.jpeg,.png"


def video_max_bytes() -> int:
    return getattr(settings, "BANGFU_VIDEO_MAX_BYTES", 500 * 1024 * 1024)


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    return size


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size)s 字节），上限为 %(limit)s 字节。")
            % {"size": size, "limit": limit},
            code="too_large",
        )


def _office_part(upload) -> tuple[str, str] | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    for part, detected in _OFFICE_PARTS.items():
        if part in names:
            return detected
    return None


def _bad_type() -> ValidationError:
    return ValidationError(
        _(
            "只能上传 PDF、Word（.docx）、PowerPoint（.pptx）、Excel（.xlsx）、"
            "MP4 视频或图片（JPEG/PNG）文件，该文件的内容不是这些类型。"
        ),
        code="bad_type",
    )


def check_resource_file(upload) -> tuple[str, str]:
    """Return ``(mime, extension)`` of an accepted file or raise ValidationError.

    Reads the first 8 KB, and for zip-based files the zip directory.
    """
    size = _size(upload)
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime == MP4_MIME:
        _check_size(size, video_max_bytes())
        return MP4_MIME, "mp4"
    if mime in ("application/zip", PPTX_MIME, XLSX_MIME):
        office = _office_part(upload)
        if office is not None:
            _check_size(size, settings.UPLOAD_MAX_BYTES)
            return office
    try:
        mime, ext = uploads.check_document(upload)
    except ValidationError as exc:
        if exc.code == "bad_type":
            raise _bad_type() from None
        raise
    # Old binary Word files carry macros and are not offered for sharing.
    if mime == "application/msword":
        raise _bad_type()
    return mime, ext
