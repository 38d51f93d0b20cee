"""Blank workbooks users fill in: a data sheet, an instructions sheet (说明) and drop-downs."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .columns import EXAMPLE_MARK, EXAMPLES, KINDS
from .workbook import DATA_SHEET

TEMPLATE_ROWS = 5000  # drop-downs cover this many data rows
CHOICES_SHEET = "选项"


def build_template(kind: str) -> bytes:
    """The template of ``kind`` as .xlsx bytes (a few ms)."""
    label, columns = KINDS[kind]
    wb = Workbook()
    data = wb.active
    data.title = DATA_SHEET
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index, value=str(column.header))
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        data.column_dimensions[get_column_letter(index)].width = max(
            12, 3 * len(str(column.header))
        )
    data.freeze_panes = "A2"
    for row in EXAMPLES.get(kind, []):
        data.append(row)

    choices = wb.create_sheet(CHOICES_SHEET)
    list_column = 0
    for index, column in enumerate(columns, start=1):
        if column.type != "choice":
            continue
        list_column += 1
        letter = get_column_letter(list_column)
        choices.cell(row=1, column=list_column, value=str(column.header))
        for i, value in enumerate(column.labels, start=2):
            choices.cell(row=i, column=list_column, value=value)
        last = len(column.labels) + 1
        validation = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${last}",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=_("无效的值"),
            error=_("请从下拉列表中选择。"),
        )
        target = get_column_letter(index)
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS}")
        data.add_data_validation(validation)
    choices.sheet_state = "hidden"

    notes = wb.create_sheet(_("说明"), 1)
    notes.append([_("%(label)s导入模板说明") % {"label": label}])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(
        [
            _(
                "在“数据”工作表中从第2行起每行填写一条记录。首列以“%(mark)s”开头的行为示例,导入时跳过,可删除。请勿修改表头。"
            )
            % {"mark": EXAMPLE_MARK}
        ]
    )
    notes.append([_("请填写数值,不要使用公式。")])
    notes.append([])
    notes.append([_("列名"), _("是否必填"), _("可填写的值"), _("说明")])
    for cell in notes[5]:
        cell.font = bold
    for column in columns:
        allowed = "、".join(column.labels) if column.type == "choice" else ""
        notes.append(
            [
                str(column.header),
                _("必填") if column.required else _("选填"),
                allowed,
                str(column.help),
            ]
        )
    for letter, width in zip("ABCD", (16, 10, 60, 70), strict=True):
        notes.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
