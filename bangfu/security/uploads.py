"""The one upload gate: every uploaded file's type is decided here, by content.

Order of checks, cheapest first, nothing decompressed before the zip
directory has been judged:

1. size against the caller's limit;
2. type from the first 8 KB (``filetype``);
3. zip-based files (docx/xlsx/pptx): the zip directory's member count,
   declared uncompressed total and per-member compression ratio, no
   encrypted members, no macros (``vbaProject.bin``), then every XML part
   parsed with defusedxml with DTDs refused (so no external entities and no
   entity expansion);
4. any other type must not also be a zip (a "polyglot": a PDF or an image
   with a zip appended is two files in one and is refused);
5. images open within a pixel limit; :func:`clean_image` re-encodes them
   from their pixels alone so no EXIF (GPS location!) survives.

Every refusal is a ValidationError with a Chinese message and a code:
``too_large``, ``bad_type``, ``corrupt``, ``zip_bomb``, ``macro``,
``encrypted``, ``unsafe_xml``, ``polyglot``, ``bad_image``. Callers that
accept more types than another caller catch only ``bad_type``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

import filetype
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

PDF_MIME = "application/pdf"
DOC_MIME = "application/msword"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP_MIME = "application/zip"
IMAGE_MIMES = {"image/jpeg", "image/png", "image/webp"}

# An Office Open XML file is a zip whose main part names what it is.
_OFFICE_PARTS = {
    "word/document.xml": DOCX_MIME,
    "xl/workbook.xml": XLSX_MIME,
    "ppt/presentation.xml": PPTX_MIME,
}
_ZIP_MAGIC = b"PK\x03\x04"
_HEAD_BYTES = 8192
# Small parts compress extremely well (a blank sheet); the ratio is judged
# only on members whose declared size is above this.
_RATIO_FLOOR_BYTES = 1024 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    return size


def check_size(upload, limit: int | None = None) -> int:
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    size = size_of(upload)
    if size > limit:
        raise _refuse(
            _("文件过大(%(size)s 字节),上限为 %(limit)s 字节。") % {"size": size, "limit": limit},
            "too_large",
        )
    return size


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _parse_xml(stream, name: str) -> None:
    try:
        for _event, element in iterparse(stream, forbid_dtd=True):
            element.clear()
    except (DefusedXmlException, ParseError, ValueError):
        raise _refuse(
            _("文件中的 XML 部分“%(name)s”含有不安全或无法解析的内容(如外部实体),已拒绝。")
            % {"name": name[:80]},
            "unsafe_xml",
        ) from None


def inspect_zip(upload) -> str:
    """Judge a zip-based upload; return the Office MIME type or ZIP_MIME.

    Reads the zip directory, then (Office files only) decompresses and
    parses the XML parts, bounded by the declared sizes already checked.
    """
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("文件已损坏,无法读取(压缩包结构错误)。"), "corrupt") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > settings.UPLOAD_ZIP_MAX_MEMBERS:
            raise _refuse(
                _("压缩包内文件过多(%(count)s 个),上限为 %(limit)s 个。")
                % {"count": len(infos), "limit": settings.UPLOAD_ZIP_MAX_MEMBERS},
                "zip_bomb",
            )
        bomb = _refuse(_("文件解压后过大或压缩比异常(疑似压缩炸弹),已拒绝。"), "zip_bomb")
        total = 0
        for info in infos:
            total += info.file_size
            ratio_limit = settings.UPLOAD_ZIP_MAX_RATIO * max(info.compress_size, 1)
            if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > ratio_limit:
                raise bomb
        if total > settings.UPLOAD_ZIP_MAX_UNCOMPRESSED:
            raise bomb
        names = {info.filename for info in infos}
        if any(info.flag_bits & 0x1 for info in infos):
            raise _refuse(_("不接受加密的文件,请解除密码保护后再上传。"), "encrypted")
        if any(name.casefold().endswith("vbaproject.bin") for name in names):
            raise _refuse(_("文件含有宏(VBA),不接受带宏的文件。"), "macro")
        mime = next((m for part, m in _OFFICE_PARTS.items() if part in names), ZIP_MIME)
        if mime == ZIP_MIME and "[Content_Types].xml" not in names:
            return ZIP_MIME
        try:
            for info in infos:
                if info.filename.casefold().endswith(_XML_SUFFIXES):
                    with archive.open(info) as stream:
                        _parse_xml(stream, info.filename)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise _refuse(_("文件已损坏,无法读取(压缩包结构错误)。"), "corrupt") from None
    upload.seek(0)
    return mime


def _check_image(upload) -> None:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("图片无法读取,可能已损坏。"), "bad_image") from None
    finally:
        upload.seek(0)
    if width * height > settings.UPLOAD_IMAGE_MAX_PIXELS:
        raise _refuse(_("图片像素过多,请缩小后再上传。"), "bad_image")


def sniff(upload) -> str:
    """The MIME type decided by content, after the safety checks ('' when unknown).

    Reads the first 8 KB and the last 64 KB (where a zip directory would be);
    zip-based files as in :func:`inspect_zip`.
    """
    head = _head(upload)
    if head.startswith(_ZIP_MAGIC):
        return inspect_zip(upload)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    # A zip directory inside something that does not start as a zip: a polyglot.
    try:
        hidden_zip = zipfile.is_zipfile(upload)
    finally:
        upload.seek(0)
    if hidden_zip:
        raise _refuse(
            _("文件内容与类型不符(在 %(kind)s 中夹带了压缩包),已拒绝。")
            % {"kind": kind.extension.upper() if kind else _("文件")},
            "polyglot",
        )
    if mime in IMAGE_MIMES:
        _check_image(upload)
    return mime


def check(
    upload, allowed: Mapping[str, str], *, bad_type_message: str, max_bytes: int | None = None
) -> tuple[str, str]:
    """``(mime, extension)`` of an upload whose content is one of ``allowed`` (MIME → extension).

    Raises ValidationError (codes in the module docstring). Cost: see :func:`sniff`.
    """
    check_size(upload, max_bytes)
    mime = sniff(upload)
    if mime not in allowed:
        raise _refuse(bad_type_message, "bad_type")
    return mime, allowed[mime]


def clean_image(upload, *, max_side: int = 2560) -> tuple[ContentFile, str, str]:
    """Re-encode a checked JPEG/PNG/WebP from its pixels alone: ``(file, mime, extension)``.

    Decodes the whole image. No EXIF, XMP, ICC or text chunks survive; the
    EXIF orientation is applied to the pixels first. Transparent images stay
    PNG, others become JPEG.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("图片无法读取,可能已损坏。"), "bad_image") from None
    image.thumbnail((max_side, max_side))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        mime, ext = "image/png", "png"
    else:
        clean.save(out, "JPEG", quality=85, optimize=True)
        mime, ext = "image/jpeg", "jpg"
    return ContentFile(out.getvalue()), mime, ext
