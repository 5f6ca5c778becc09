"""The blank template workbook, written from the layout of a form version.

Everything comes from :func:`server.workbook.layout.layout_for`: titles,
merged multi-level headers, row labels, value cells, widths and heights.
Input cells are unlocked and carry Excel data validation with a Chinese
input message; totals are grey, locked and marked 自动计算; the hidden
``_meta`` sheet names the form version so the validator recognises the
workbook.

Sheet protection is switched on **without a password**: it only guards the
labels and totals against slips of the mouse, and anyone (a district
officer, the add-in's macros) can lift it with 审阅 → 撤销工作表保护.
Formatting cells stays allowed so that the Excel add-in can colour the
cells it flags.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Border
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..workbook.layout import HEADER
from ..workbook.layout import META_MARKER
from ..workbook.layout import META_SHEET
from ..workbook.layout import TEMPLATE_REVISION
from ..workbook.layout import Layout
from ..workbook.layout import SheetLayout
from ..workbook.layout import layout_for
from ..workbook.style import FONT
from ..workbook.style import LABEL_FILL
from ..workbook.style import TEMPLATE_FILL
from ..workbook.style import TITLE_FILL
from .validation import add_validations
from .validation import thin_border

FIXED_TIME = dt.datetime(2025, 1, 1)
"""Creation/modification time written into every template, so builds are reproducible."""
_BORDERED = ("block_title", "corner", "column_header", "row_label", "field_label")
_TITLE_SIZE = {"title": 16, "block_title": 12}


def build_template(version: str) -> Workbook:
    """The blank template of a form version."""
    layout = layout_for(version)
    book = Workbook()
    book.remove(book.active)
    for sheet_layout in layout.sheets:
        _write_sheet(book.create_sheet(sheet_layout.name), sheet_layout)
    _write_meta(book.create_sheet(META_SHEET), layout)
    _properties(book, layout)
    book.active = 0
    return book


def write_template(version: str, target: str | Path | BinaryIO) -> None:
    """Save the blank template of a version to a path or a binary file."""
    build_template(version).save(target)


def make_workbook(
    version: str, values: dict | None = None, header: dict | None = None, extra: dict | None = None
) -> Workbook:
    """The template with raw values at their layout addresses (tests, the district's 汇总)."""
    book = build_template(version)
    addresses = layout_for(version).addresses
    for key, value in (values or {}).items():
        sheet, cell = addresses[key]
        book[sheet][cell].value = value
    for key, value in (header or {}).items():
        sheet, cell = addresses[f"header.{key}"]
        book[sheet][cell].value = value
    for (sheet, cell), value in (extra or {}).items():
        book[sheet][cell].value = value
    return book


# Sheets ------------------------------------------------------------------------


def _write_sheet(sheet: Worksheet, layout: SheetLayout) -> None:
    for region in layout.regions:
        _write_region(sheet, region)
    for slot in layout.slots:
        _write_slot(sheet, slot)
    add_validations(sheet, layout)
    for col, width in layout.widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = width
    for row, height in layout.heights.items():
        sheet.row_dimensions[row].height = height
    _print_setup(sheet, layout)
    sheet.sheet_view.showGridLines = False
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _write_region(sheet: Worksheet, region) -> None:
    cell = sheet.cell(region.row, region.col, region.text or None)
    bold = region.kind in ("title", "block_title", "column_header", "corner", "field_label")
    cell.font = Font(name=FONT, size=_TITLE_SIZE.get(region.kind, _LABEL_SIZE), bold=bold)
    cell.alignment = _alignment(region.kind)
    cell.protection = Protection(locked=True)
    if region.rows > 1 or region.cols > 1:
        sheet.merge_cells(region.ref)
    if region.kind in _BORDERED:
        _box(
            sheet,
            region.row,
            region.col,
            region.rows,
            region.cols,
            LABEL_FILL if region.kind != "block_title" else TITLE_FILL,
        )


def _alignment(kind: str) -> Alignment:
    if kind in ("note",):
        return Alignment(horizontal="right", vertical="center", wrap_text=True)
    if kind in ("instruction", "legend"):
        return Alignment(horizontal="left", vertical="center", wrap_text=True)
    if kind == "row_label":
        return Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
    return Alignment(horizontal="center", vertical="center", wrap_text=True)


def _write_slot(sheet: Worksheet, slot) -> None:
    cell = sheet.cell(slot.row, slot.col)
    cell.font = Font(name=FONT, size=11)
    cell.alignment = Alignment(horizontal="left" if slot.kind == HEADER else "center", vertical="center")
    cell.protection = Protection(locked=slot.kind not in ("input", HEADER))
    if slot.domain is not None:
        cell.number_format = "0.0000" if not slot.domain.integral else "0"
    if slot.cols > 1:
        sheet.merge_cells(slot.ref)
    _box(sheet, slot.row, slot.col, 1, slot.cols, TEMPLATE_FILL[slot.kind])


def _box(sheet: Worksheet, row: int, col: int, rows: int, cols: int, fill: str) -> None:
    """Border and fill every cell of a (merged) area, so merged borders print."""
    pattern = PatternFill("solid", fgColor=fill.lstrip("#"))
    border: Border = thin_border()
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            target = sheet.cell(r, c)
            target.border = border
            target.fill = pattern


# Printing: A4, the orientation the table's shape asks for, labels never below 9 pt ---------------

_A4 = (595.3, 841.9)
"""Paper size in points (portrait)."""
_MARGIN = (0.4, 0.5)
"""Left/right and top/bottom margins in inches."""
_LABEL_SIZE, _MIN_PRINTED = 11, 9
"""Labels are 11 pt on screen and must print at 9 pt or more: the scale never goes below 9/11."""


def print_size(layout: SheetLayout) -> tuple[float, float]:
    """Width and height of the printed area in points (Excel's column width unit: 7 px + 5 px padding)."""
    width = sum((layout.widths.get(col, 8.43) * 7 + 5) * 0.75 for col in range(1, layout.width + 1))
    height = sum(layout.heights.get(row, 15) for row in range(1, layout.height + 1))
    return width, height


def page_plan(layout: SheetLayout) -> tuple[bool, int, float]:
    """(landscape, pages tall to fit — 0 for as many as needed, scale) for a sheet on A4."""
    width, height = print_size(layout)
    portrait_width = _A4[0] - 2 * 72 * _MARGIN[0]
    landscape = width > portrait_width
    paper_width, paper_height = (_A4[1], _A4[0]) if landscape else _A4
    usable = (paper_width - 2 * 72 * _MARGIN[0], paper_height - 2 * 72 * _MARGIN[1])
    one_page = min(usable[0] / width, usable[1] / height, 1.0)
    if one_page * _LABEL_SIZE >= _MIN_PRINTED:
        return landscape, 1, one_page
    return landscape, 0, min(usable[0] / width, 1.0)


def _print_setup(sheet: Worksheet, layout: SheetLayout) -> None:
    landscape, tall, _ = page_plan(layout)
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = tall
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = _MARGIN[0]
    sheet.page_margins.top = sheet.page_margins.bottom = _MARGIN[1]
    sheet.print_area = layout.print_area
    first_value = min((slot.row for slot in layout.slots if slot.key), default=None)
    if tall != 1 and layout.table is not None and first_value and first_value > 1:
        sheet.print_title_rows = f"1:{first_value - 1}"  # a table continued on the next page keeps its header


# Metadata and properties -------------------------------------------------------------


def _write_meta(sheet: Worksheet, layout: Layout) -> None:
    sheet["A1"], sheet["B1"] = META_MARKER, layout.form.version
    sheet["A2"], sheet["B2"] = "revision", TEMPLATE_REVISION
    sheet["A3"] = "autofilled"
    sheet["A4"] = "flagged"
    sheet["A5"], sheet["B5"] = "sheets", ",".join(layout.sheet_names)
    sheet["B1"].number_format = "@"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def _properties(book: Workbook, layout: Layout) -> None:
    props = book.properties
    props.title = f"政府信息公开工作年度报告统计表（{layout.form.version}年版）"
    props.creator = "jcnb 政府信息公开年报校验"
    props.lastModifiedBy = props.creator
    props.created = props.modified = FIXED_TIME
    props.description = f"{layout.form.name} {layout.form.basis}"
