"""The bulletin as a workbook (xlsxwriter): one sheet per figure group, then the drill-downs."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import xlsxwriter

from .bulletin import Bulletin

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name


def _cell(value):
    return float(value) if isinstance(value, Decimal) else value


def write_xlsx(bulletin: Bulletin) -> bytes:
    """The .xlsx file's bytes. No query: the bulletin is already computed."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    used: set[str] = set()
    sheet = book.add_worksheet(_sheet_name("简报", used))
    sheet.set_column(0, 0, 100)
    sheet.write(0, 0, bulletin.title, bold)
    sheet.write(1, 0, bulletin.period_line)
    for i, text in enumerate(bulletin.paragraphs, start=3):
        sheet.write(i, 0, text)
    headers = ["指标", "数值", "单位", "约数"]
    figures = bulletin.figures
    for group, items in figures.groups():
        sheet = book.add_worksheet(_sheet_name(group, used))
        sheet.set_column(0, 0, 40)
        sheet.write_row(0, 0, headers, bold)
        for row, fig in enumerate(items, start=1):
            sheet.write_row(
                row, 0, [fig.label, _cell(fig.value), fig.unit, "是" if fig.approx else ""]
            )
    sheet = book.add_worksheet(_sheet_name("明细筛选条件", used))
    sheet.set_column(0, 1, 40)
    sheet.set_column(2, 2, 80)
    sheet.write_row(0, 0, ["指标代码", "指标", "筛选条件"], bold)
    scope = json.dumps(
        {**figures.scope.as_params(), **figures.period.as_params()}, ensure_ascii=False
    )
    sheet.write_row(1, 0, ["范围与期间", "", scope])
    for row, fig in enumerate(figures.items.values(), start=2):
        drill = json.dumps(fig.drill, ensure_ascii=False, default=str)
        sheet.write_row(row, 0, [fig.key, fig.label, drill])
    book.close()
    return out.getvalue()
