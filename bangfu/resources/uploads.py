"""Shared-resource files, through the one upload gate (bangfu.security.uploads).

Resources take PDF, Word, PowerPoint, Excel, images and MP4 video; the video
has its own larger limit. Types are decided by content, never by the name,
and zip-based files get the gate's zip-bomb, macro and XML checks.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from bangfu.security import uploads as gate

PPTX_MIME = gate.PPTX_MIME
XLSX_MIME = gate.XLSX_MIME
MP4_MIME = "video/mp4"

# Detected MIME type → extension of the stored file. Old binary Word files
# (.doc) can carry macros and are not offered for sharing.
ALLOWED = {
    gate.PDF_MIME: "pdf",
    gate.DOCX_MIME: "docx",
    PPTX_MIME: "pptx",
    XLSX_MIME: "xlsx",
    MP4_MIME: "mp4",
    "image/jpeg": "jpg",
    "image/png": "png",
}

ACCEPT = ".pdf,.docx,.pptx,.xlsx,.mp4,.jpg,.jpeg,.png"


def video_max_bytes() -> int:
    return getattr(settings, "BANGFU_VIDEO_MAX_BYTES", 500 * 1024 * 1024)


def check_resource_file(upload) -> tuple[str, str]:
    """Return ``(mime, extension)`` of an accepted file or raise ValidationError.

    Cost: the gate's reads (head, tail, and for Office files their XML parts).
    """
    mime, ext = gate.check(
        upload,
        ALLOWED,
        bad_type_message=_(
            "只能上传 PDF、Word(.docx)、PowerPoint(.pptx)、Excel(.xlsx)、"
            "MP4 视频或图片(JPEG/PNG)文件,该文件的内容不是这些类型。"
        ),
        max_bytes=max(video_max_bytes(), settings.UPLOAD_MAX_BYTES),
    )
    if mime != MP4_MIME:
        gate.check_size(upload, settings.UPLOAD_MAX_BYTES)
    return mime, ext
