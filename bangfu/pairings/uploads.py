"""Agreement documents: PDF, Word or JPEG/PNG, decided by the one upload gate.

The checks themselves (type by content, size, zip bombs, macros, unsafe XML,
polyglots) live in bangfu.security.uploads; the activities and resources
wrappers build on :func:`check_document`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from bangfu.security import uploads as gate

DOCX_MIME = gate.DOCX_MIME

# Detected MIME type → extension the stored file gets.
ALLOWED = {
    gate.PDF_MIME: "pdf",
    gate.DOC_MIME: "doc",
    DOCX_MIME: "docx",
    "image/jpeg": "jpg",
    "image/png": "png",
}


def check_document(upload) -> tuple[str, str]:
    """Return ``(mime, extension)`` of an accepted document or raise ValidationError.

    Reads the first 8 KB and the end of the file, and for zip-based files the
    zip directory and its XML parts (bounded by the gate's limits).
    """
    return gate.check(
        upload,
        ALLOWED,
        bad_type_message=_(
            "只能上传 PDF、Word(.docx/.doc)或图片(JPEG/PNG)文件,该文件的内容不是这些类型。"
        ),
    )
