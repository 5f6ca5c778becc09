"""The validated tables as the published section: HTML and Word in the official layout.

The three tables under their section headings (二、主动公开政府信息情况 …), with
merged headers, the 勾稽 note of 表二, units in the headers (本年收费金额（单位：
万元）) and the values the engine used — typed numbers and the totals it
computed — ready to paste into the report. Reading an export back with the
published-report door gives exactly the same values.
"""

from __future__ import annotations

import html
import io

from ..forms.model import Form
from .layout import HEADER
from .layout import LABEL
from .layout import TITLE
from .layout import VALUE
from .layout import Span
from .layout import form_layouts

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CSS = (
    "table{border-collapse:collapse;margin:0 0 1.5em 0;font-size:10.5pt}"
    "td,th{border:1px solid #000;padding:2px 6px;text-align:center;vertical-align:middle}"
    "td.label{text-align:left}h1{font-size:16pt;text-align:center}h2{font-size:12pt}"
)


def title_of(unit: str | None, year: int | None) -> str:
    """The report's title line, when unit and year are known."""
    if unit and year:
        return f"{unit}{year}年政府信息公开工作年度报告"
    return ""


def export_html(form: Form, values: dict[str, object], *, unit: str | None = None, year: int | None = None) -> str:
    """A complete HTML page with the three tables (UTF-8)."""
    title = title_of(unit, year)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(title or '政府信息公开工作年度报告统计表')}</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    if title:
        parts.append(f"<h1>{html.escape(title)}</h1>")
    for table, rows in form_layouts(form, values):
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        parts.append("<table>")
        for row in rows:
            parts.append("<tr>" + "".join(_html_cell(span) for span in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_cell(span: Span) -> str:
    tag = "th" if span.kind in (HEADER, TITLE) else "td"
    attributes = ""
    if span.rowspan > 1:
        attributes += f' rowspan="{span.rowspan}"'
    if span.colspan > 1:
        attributes += f' colspan="{span.colspan}"'
    if span.kind == LABEL:
        attributes += ' class="label"'
    text = html.escape(span.text) if span.text else "&nbsp;"
    return f"<{tag}{attributes}>{text}</{tag}>"


def export_docx(form: Form, values: dict[str, object], *, unit: str | None = None, year: int | None = None) -> bytes:
    """A Word document (.docx) with the three tables, merged cells as in the official form."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    title = title_of(unit, year)
    if title:
        heading = document.add_paragraph(title)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for table, rows in form_layouts(form, values):
        document.add_paragraph(table.title)
        width = sum(span.colspan for span in rows[0])
        grid = document.add_table(rows=len(rows), cols=width)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fill(grid, rows)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill(grid, rows: list[list[Span]]) -> None:
    """Write the spans into a Word table, merging each span's rectangle."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for span in row:
            while (r, c) in taken:
                c += 1
            for dr in range(span.rowspan):
                for dc in range(span.colspan):
                    taken.add((r + dr, c + dc))
            cell = grid.cell(r, c)
            if span.rowspan > 1 or span.colspan > 1:
                cell = cell.merge(grid.cell(r + span.rowspan - 1, c + span.colspan - 1))
            cell.text = span.text
            if span.kind in (VALUE, HEADER, TITLE):
                for paragraph in cell.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            c += span.colspan
