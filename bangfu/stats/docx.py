"""The bulletin as a Word document (python-docx): title, period, prose, tables."""

from __future__ import annotations

import io

from docx import Document

from .bulletin import Bulletin


def write_docx(bulletin: Bulletin) -> bytes:
    """The .docx file's bytes. No query: the bulletin is already computed."""
    doc = Document()
    doc.add_heading(bulletin.title, level=1)
    doc.add_paragraph(bulletin.period_line)
    for text in bulletin.paragraphs:
        doc.add_paragraph(text)
    for table in bulletin.tables:
        doc.add_heading(table.title, level=2)
        grid = doc.add_table(rows=1, cols=len(table.headers))
        grid.style = "Table Grid"
        for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
            cell.text = str(header)
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = str(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
