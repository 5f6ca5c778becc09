"""Write the findings into a copy of the workbook (the CLI's ``-o`` and the web download).

The copy gets: computed totals and deduced blanks filled in (only into
cells that are blank or hold the validator's own earlier fill), flagged
cells filled light red (errors) or light yellow (warnings) with a note
holding the messages, a 校验结果 sheet listing every finding with a link to
its cell, and the metadata sheet updated with what was filled and flagged.
Values the clerk typed are never changed; cells flagged by an earlier run
but fine now get their template look back. The input file is never written.

Annotating never fails: a cell that cannot be written (part of a merged
range) is skipped and listed at the top of the 校验结果 sheet, and a workbook
openpyxl cannot open or save in full (odd styles, damaged drawings) gets a
copy holding the 校验结果 sheet alone, which says so.
"""

from __future__ import annotations

import io
import json
import logging
import re
import warnings

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.workbook import Workbook

from ..findings import ERROR
from ..findings import WARNING
from ..findings import Report
from ..workbook.layout import META_MARKER
from ..workbook.layout import META_SHEET
from ..workbook.layout import RESULT_SHEET
from ..workbook.layout import TEMPLATE_REVISION
from ..workbook.layout import layout_for
from ..workbook.reader import WorkbookReading
from ..workbook.results import CONSEQUENCE
from ..workbook.results import RESULT_HEADER
from ..workbook.results import RESULT_WIDTHS
from ..workbook.results import flags
from ..workbook.results import hyperlink
from ..workbook.results import notes
from ..workbook.results import result_rows
from ..workbook.results import summary_line
from ..workbook.style import EXPLAINED
from ..workbook.style import FLAG_FILL
from ..workbook.style import FONT
from ..workbook.style import TEMPLATE_FILL
from .load import Source
from .load import read_source

AUTHOR = "信息公开年报校验"
_SEVERITY_FILL = {"错误": FLAG_FILL["error"], "提示": FLAG_FILL["warning"], CONSEQUENCE: FLAG_FILL[EXPLAINED]}
WHOLE_COPY_FAILED = (
    "注意：原工作簿的部分格式无法读取或写回（可能由其他软件生成或已损坏），这份副本只包含校验结果，"
    "没有标注原表。请用 Excel 或 WPS 打开原文件另存为 .xlsx 后再下载标注副本。"
)
log = logging.getLogger(__name__)


def file_stem(filename: str) -> str:
    """The file name without folders (browsers on Windows may send them) and without its ending (.xlsx, .pdf …)."""
    name = re.split(r"[\\/]", filename)[-1]
    return re.sub(r"\.(xlsx|pdf|html?|docx|txt)$", "", name, flags=re.IGNORECASE).strip() or "workbook"


def annotated_name(filename: str) -> str:
    """What the annotated copy of an uploaded file is called: ``原文件名.checked.xlsx``."""
    return f"{file_stem(filename)}.checked.xlsx"


def annotate(source: Source, reading: WorkbookReading, report: Report) -> bytes:
    """The annotated copy of a workbook as .xlsx bytes."""
    data = read_source(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data))
        skipped: list[str] = []
        filled = _write_values(book, reading, report, skipped)
        flagged = _write_flags(book, reading, report, skipped)
        _write_results(book, report, _skipped_note(skipped))
        _write_meta(book, reading, filled, flagged)
        return _saved(book)
    except Exception as error:  # a workbook openpyxl cannot open or save in full: the results alone, said so
        log.info("annotated copy holds the results only: %s: %s", type(error).__name__, error)
        book = Workbook()
        del book[book.active.title]
        _write_results(book, report, WHOLE_COPY_FAILED)
        return _saved(book)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(book: Workbook, sheet: str, cell: str, skipped: list[str]):
    """The cell to write, or None (listed in ``skipped``) when it is part of a merged range."""
    if sheet not in book.sheetnames:
        return None
    target = book[sheet][cell]
    if isinstance(target, MergedCell):
        skipped.append(f"{sheet}!{cell}")
        return None
    return target


def _skipped_note(skipped: list[str]) -> str | None:
    if not skipped:
        return None
    cells = "、".join(dict.fromkeys(skipped))
    return f"注意：以下单元格属于合并单元格，无法写入合计或标注，请在原表中取消合并后再校验：{cells}"


def _write_values(
    book: Workbook, reading: WorkbookReading, report: Report, skipped: list[str]
) -> dict[str, int | float]:
    """Fill computed values into blank cells (or our own earlier fills); clear stale fills."""
    autofilled = dict(reading.meta.autofilled)
    for key, value in report.filled.items():
        if key not in reading.addresses:
            continue  # a table the workbook lacks: nothing to fill
        target = _cell(book, *reading.addresses[key], skipped)
        if target is None:
            continue
        if target.value in (None, "") or autofilled.get(key) == target.value:
            target.value = value
            autofilled[key] = value
    for key in report.cleared:
        if key not in reading.addresses:
            continue
        target = _cell(book, *reading.addresses[key], skipped)
        if target is not None:
            target.value = None
        autofilled.pop(key, None)
    return {key: value for key, value in autofilled.items() if key in report.filled}


def _write_flags(book: Workbook, reading: WorkbookReading, report: Report, skipped: list[str]) -> list[tuple[str, str]]:
    wanted = flags(report)
    texts = notes(report)
    for sheet, cell in reading.meta.flagged:
        if (sheet, cell) not in wanted:
            target = _cell(book, sheet, cell, [])
            if target is not None:
                _restore(target, _template_fill(reading, sheet, cell))
    for (sheet, cell), severity in wanted.items():
        target = _cell(book, sheet, cell, skipped)
        if target is None:
            continue
        target.fill = PatternFill("solid", fgColor=FLAG_FILL[severity].lstrip("#"))
        target.comment = Comment(_clean(texts.get((sheet, cell), "")), AUTHOR, width=360, height=160)
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


def _write_results(book: Workbook, report: Report, note: str | None = None) -> None:
    if RESULT_SHEET in book.sheetnames:
        del book[RESULT_SHEET]
    position = book.sheetnames.index(META_SHEET) if META_SHEET in book.sheetnames else len(book.sheetnames)
    sheet = book.create_sheet(RESULT_SHEET, position)
    _text(sheet.cell(1, 1), summary_line(report))
    sheet["A1"].font = Font(name=FONT, bold=True, size=13)
    if note:
        _text(sheet.cell(2, 1), note)
        sheet["A2"].font = Font(name=FONT, bold=True, color="C00000")
    for col, title in enumerate(RESULT_HEADER, start=1):
        cell = sheet.cell(3, col, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row, values in enumerate(result_rows(report), start=4):
        for col, value in enumerate(values, start=1):
            _text(sheet.cell(row, col), value)
        _style_result_row(sheet, row)
    for index, width in enumerate(RESULT_WIDTHS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    _print_results(sheet)
    if any(finding.severity in (ERROR, WARNING) for finding in report.findings):
        _open_on(book, sheet)


def _print_results(sheet) -> None:
    """A4 landscape, one page wide, the header row on every page, 说明 wrapped (not cut at the edge)."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_title_rows = "3:3"
    sheet["A1"].alignment = Alignment(wrap_text=False, vertical="center")


def _open_on(book: Workbook, sheet) -> None:
    """The copy opens on 校验结果 (its first line is the verdict) when there is anything to fix."""
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = book.worksheets.index(sheet)
    sheet.sheet_view.tabSelected = True


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


def _text(cell, value: object) -> None:
    """Write a value as shown: text is never a formula and loses characters .xlsx cannot hold."""
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # "=HYPERLINK(…)" typed by someone stays text in the copy
    elif isinstance(value, (int, float)) or value is None:
        cell.value = value
    else:
        cell.value = _clean(str(value))


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


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
