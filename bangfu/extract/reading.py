"""Text out of an uploaded or named report file (.txt in UTF-8 or GB18030, .docx)."""

from __future__ import annotations

import io
import zipfile

MAX_BYTES = 2 * 1024 * 1024


class UnreadableReport(ValueError):
    pass


def is_docx(data: bytes) -> bool:
    """A .docx is a zip holding word/document.xml (checked by content, not by name)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableReport("binary")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableReport("encoding")


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def read_report(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UnreadableReport("too large")
    if is_docx(data):
        return docx_text(data)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"%PDF"):
        raise UnreadableReport("type")
    return decode_text(data)
