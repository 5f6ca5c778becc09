"""Write the findings into a copy of the workbook (the CLI's ``-o`` and the web download).

The copy gets: computed totals and deduced blanks filled in (only into
cells that are blank or hold the validator's own earlier fill), flagged
cells filled light red (errors) or light yellow (warnings) with a note
holding the messages, a 校验结果 sheet listing every finding with a link to
its cell, and the metadata sheet updated with what was filled and flagged.
Values the clerk typed are never changed; cells flagged by an earlier run
but fine now get their template look back. The input file is never written.
"""

from __future__ import annotations

import io
import json
import warnings

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.workbook import Workbook

from ..findings import Report
from ..workbook.layout import META_MARKER
from ..workbook.layout import META_SHEET
from ..workbook.layout import RESULT_SHEET
from ..workbook.layout import TEMPLATE_REVISION
from ..workbook.layout import layout_for
from ..workbook.reader import WorkbookReading
from ..workbook.results import RESULT_HEADER
from ..workbook.results import RESULT_WIDTHS
from ..workbook.results import flags
from ..workbook.results import hyperlink
from ..workbook.results import notes
from ..workbook.results import result_rows
from ..workbook.results import summary_line
from ..workbook.style import FLAG_FILL
from ..workbook.style import FONT
from ..workbook.style import TEMPLATE_FILL
from .load import Source
from .load import _bytes

AUTHOR = "信息公开年报校验"
_SEVERITY_FILL = {"错误": FLAG_FILL["error"], "提示": FLAG_FILL["warning"]}


def annotate(source: Source, reading: WorkbookReading, report: Report) -> bytes:
    """The annotated copy of a workbook as .xlsx bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(_bytes(source)))
    filled = _write_values(book, reading, report)
    flagged = _write_flags(book, reading, report)
    _write_results(book, report)
    _write_meta(book, reading, filled, flagged)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_values(book: Workbook, reading: WorkbookReading, report: Report) -> dict[str, int | float]:
    """Fill computed values into blank cells (or our own earlier fills); clear stale fills."""
    autofilled = dict(reading.meta.autofilled)
    for key, value in report.filled.items():
        if key not in reading.addresses:
            continue  # a table the workbook lacks: nothing to fill
        sheet, cell = reading.addresses[key]
        current = book[sheet][cell].value
        if current in (None, "") or autofilled.get(key) == current:
            book[sheet][cell].value = value
            autofilled[key] = value
    for key in report.cleared:
        if key not in reading.addresses:
            continue
        sheet, cell = reading.addresses[key]
        book[sheet][cell].value = None
        autofilled.pop(key, None)
    return {key: value for key, value in autofilled.items() if key in report.filled}


def _write_flags(book: Workbook, reading: WorkbookReading, report: Report) -> list[tuple[str, str]]:
    wanted = flags(report)
    texts = notes(report)
    for sheet, cell in reading.meta.flagged:
        if (sheet, cell) not in wanted and sheet in book.sheetnames:
            _restore(book[sheet][cell], _template_fill(reading, sheet, cell))
    for (sheet, cell), severity in wanted.items():
        if sheet not in book.sheetnames:
            continue
        target = book[sheet][cell]
        target.fill = PatternFill("solid", fgColor=FLAG_FILL[severity].lstrip("#"))
        target.comment = Comment(texts.get((sheet, cell), ""), AUTHOR, width=360, height=160)
    return sorted(wanted)


def _template_fill(reading: WorkbookReading, sheet: str, cell: str) -> str | None:
    """The fill a cell has in the blank template, when the workbook is one."""
    if reading.mode != "template":
        return None
    layout = layout_for(reading.form.version)
    for sheet_layout in layout.sheets:
        if sheet_layout.name == sheet:
            for slot in sheet_layout.slots:
                if slot.address == cell:
                    return TEMPLATE_FILL[slot.kind]
    return None


def _restore(target, fill: str | None) -> None:
    target.fill = PatternFill("solid", fgColor=fill.lstrip("#")) if fill else PatternFill(fill_type=None)
    if target.comment is not None and target.comment.author == AUTHOR:
        target.comment = None


def _write_results(book: Workbook, report: Report) -> None:
    if RESULT_SHEET in book.sheetnames:
        del book[RESULT_SHEET]
    position = book.sheetnames.index(META_SHEET) if META_SHEET in book.sheetnames else len(book.sheetnames)
    sheet = book.create_sheet(RESULT_SHEET, position)
    sheet["A1"] = summary_line(report)
    sheet["A1"].font = Font(name=FONT, bold=True, size=13)
    sheet.append([])
    sheet.append(list(RESULT_HEADER))
    for cell in sheet[3]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in result_rows(report):
        sheet.append(list(row))
        _style_result_row(sheet, sheet.max_row)
    for index, width in enumerate(RESULT_WIDTHS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"


def _style_result_row(sheet, row: int) -> None:
    severity = sheet.cell(row, 2).value
    if severity in _SEVERITY_FILL:
        sheet.cell(row, 2).fill = PatternFill("solid", fgColor=_SEVERITY_FILL[severity].lstrip("#"))
    target_sheet, target_cell = sheet.cell(row, 3).value, sheet.cell(row, 4).value
    if target_sheet and target_cell:
        link = sheet.cell(row, 4)
        link.hyperlink = hyperlink(target_sheet, target_cell)
        link.font = Font(name=FONT, color="0563C1", underline="single")
    sheet.cell(row, 6).alignment = Alignment(wrap_text=True, vertical="top")


def _write_meta(book: Workbook, reading: WorkbookReading, filled: dict, flagged: list) -> None:
    if META_SHEET in book.sheetnames:
        sheet = book[META_SHEET]
    else:
        sheet = book.create_sheet(META_SHEET)
        sheet.sheet_state = "hidden"
        sheet["A1"], sheet["B1"] = META_MARKER, reading.form.version
        sheet["A2"], sheet["B2"] = "revision", 0
    if reading.mode == "template" and not sheet["B2"].value:
        sheet["B2"] = TEMPLATE_REVISION
    sheet["A3"], sheet["B3"] = "autofilled", json.dumps(filled, ensure_ascii=False)
    sheet["A4"], sheet["B4"] = "flagged", json.dumps([list(item) for item in flagged], ensure_ascii=False)
