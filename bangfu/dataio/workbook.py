"""Reading uploaded workbooks safely: content checks first, then python-calamine.

Every check runs on the zip directory before a sheet is read, so a zip bomb,
an encrypted (OLE) file or a macro workbook is refused in milliseconds.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An .xlsx of 100,000 rows × 12 columns has a dozen members, ~8 MB zipped and
# ~80 MB unzipped, with sheet XML compressing about 10-20 times.
MAX_MEMBERS = 500
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # small members compress freely (empty styles, shared strings)
DATA_SHEET = "数据"

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S
)


class BadWorkbook(ValueError):
    """The message is shown to the user (Chinese)."""


def check_file(data: bytes) -> None:
    """Refuse anything but a plain .xlsx within the limits. Reads only the zip directory."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise BadWorkbook(
            _("文件过大(%(size)s 字节),上限为 %(limit)s 字节。")
            % {"size": len(data), "limit": settings.UPLOAD_MAX_BYTES}
        )
    if data.startswith(OLE_MAGIC):
        raise BadWorkbook(
            _("文件已加密或不是xlsx:请在 Excel 中取消密码后另存为 .xlsx 文件再上传。")
        )
    if not data.startswith(ZIP_MAGIC):
        raise BadWorkbook(
            _("文件不是 xlsx 工作簿:请使用下载的模板,在 Excel 中另存为 .xlsx 后上传。")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BadWorkbook(_("文件已损坏,无法读取。")) from None
    if len(members) > MAX_MEMBERS:
        raise BadWorkbook(_("文件结构异常(包含的部件过多),不予读取。"))
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise BadWorkbook(_("文件压缩比异常(疑似压缩炸弹),不予读取。"))
    if total > MAX_UNCOMPRESSED:
        raise BadWorkbook(_("文件解压后过大,不予读取。请拆分为多个文件上传。"))
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise BadWorkbook(
            _("文件不是 xlsx 工作簿:请使用下载的模板,在 Excel 中另存为 .xlsx 后上传。")
        )
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names):
        raise BadWorkbook(_("工作簿含有宏,不予导入:请另存为不含宏的 .xlsx 文件。"))


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML inside the zip."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.findall("rel:Relationship", _NS)}
    paths = {}
    for sheet in workbook.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        paths[sheet.get("name")] = posixpath.normpath(path)
    return paths


def pick_sheet(names: list[str]) -> str:
    return DATA_SHEET if DATA_SHEET in names else names[0]


def formula_cells(data: bytes, sheet: str) -> list[tuple[int, int]]:
    """(row, column index) of every cell holding a formula in ``sheet``.

    Calamine gives a formula's cached value, which may be stale or empty, so
    formulas are found in the sheet XML itself.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    path = _sheet_paths(archive).get(sheet)
    if not path or path not in archive.namelist() or not _has_formula(archive, path):
        return []
    xml = archive.read(path)
    found = []
    for m in _CELL.finditer(xml):
        if m[3] and _FORMULA.search(m[3]):
            found.append((int(m[2]), column_index(m[1].decode())))
    return found


def _has_formula(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the sheet holds a formula, read 1 MB at a time: a sheet of 100,000 rows is
    ~100 MB unzipped, more than the rest of an import needs at once."""
    tail = b""
    with archive.open(path) as member:
        while chunk := member.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def read_rows(data: bytes) -> tuple[str, list[list]]:
    """(sheet name, rows) of the data sheet, values as python-calamine gives them."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = pick_sheet(workbook.sheet_names)
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise BadWorkbook(_("无法读取工作簿:%(error)s") % {"error": str(exc)[:200]}) from None
    return sheet, rows
