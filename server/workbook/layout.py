"""Where everything sits in the template workbook, derived from a form.

:func:`layout_for` walks a :class:`~server.forms.model.Form` and places every
title, header label, row label and value cell on a worksheet grid: one
cover sheet with the header fields, one sheet per table, and a hidden
metadata sheet. The template writer, the readers (template mode), the
xlwings door and the JSON API (A1 addresses) all use this one layout. It is
pure data: no openpyxl here.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from functools import cache
from functools import cached_property
from functools import lru_cache

from ..forms import get_form
from ..forms.derive import cell_key
from ..forms.model import Block
from ..forms.model import Domain
from ..forms.model import Form
from ..forms.model import Table

COVER_SHEET = "填报信息"
META_SHEET = "_meta"
META_MARKER = "jcnb-template"
"""Text in A1 of the metadata sheet; B1 holds the form version."""
TEMPLATE_REVISION = 1
RESULT_SHEET = "校验结果"
META_ROWS = ("marker", "revision", "autofilled", "flagged", "sheets")
"""Rows of the metadata sheet: A1 marker (B1 form version), A2 revision (B2 number),
A3 autofilled (B3 JSON {cell key: value} of the values the validator filled in),
A4 flagged (B4 JSON [[sheet, A1], …] of the cells it coloured on the last run),
A5 sheets (B5 the report sheets' names, comma-separated: the Excel add-in sends only these)."""

INPUT, DERIVED, VOID, HEADER = "input", "derived", "void", "header"


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=1 << 14)
def a1(row: int, col: int) -> str:
    """(7, 4) -> D7 (kept for the addresses met most: every template cell)."""
    return f"{column_letter(col)}{row}"


@lru_cache(maxsize=1 << 12)
def parse_a1(address: str) -> tuple[int, int]:
    """D7 -> (7, 4); raises ValueError for anything else."""
    address = address.strip().upper().replace("$", "")
    letters = "".join(ch for ch in address if ch.isalpha())
    digits = address[len(letters) :]
    if not letters or not digits.isdigit() or not address.startswith(letters) or len(letters) > 3:
        raise ValueError(f"not an A1 address: {address!r}")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


@dataclass(frozen=True)
class Region:
    """A text cell of the template (possibly merged): title, header or label."""

    row: int
    col: int
    text: str
    kind: str
    """title | note | block_title | corner | column_header | row_label | field_label | instruction | legend"""
    rows: int = 1
    cols: int = 1

    @property
    def ref(self) -> str:
        """A1 range of the region (``A1`` or ``A1:C3``)."""
        start = a1(self.row, self.col)
        if self.rows == 1 and self.cols == 1:
            return start
        return f"{start}:{a1(self.row + self.rows - 1, self.col + self.cols - 1)}"


@dataclass(frozen=True)
class Slot:
    """A value cell: an input, a derived total, a locked 'no cell', or a header field."""

    row: int
    col: int
    kind: str
    key: str | None = None
    cols: int = 1
    """Merged width (V2021 single-column blocks span B:D)."""
    domain: Domain | None = None

    @property
    def address(self) -> str:
        """A1 address of the (top-left) cell."""
        return a1(self.row, self.col)

    @property
    def ref(self) -> str:
        """A1 range including the merge."""
        if self.cols == 1:
            return self.address
        return f"{self.address}:{a1(self.row, self.col + self.cols - 1)}"


@dataclass
class SheetLayout:
    """One worksheet of the template."""

    name: str
    table: Table | None = None
    regions: list[Region] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    width: int = 0
    """Number of columns the sheet uses."""
    height: int = 0
    """Number of rows the sheet uses."""

    @property
    def print_area(self) -> str:
        """A1 range to print."""
        return f"A1:{a1(self.height, self.width)}"


@dataclass
class Layout:
    """The whole template workbook of a form."""

    form: Form
    sheets: list[SheetLayout]

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in order, the metadata sheet last."""
        return [sheet.name for sheet in self.sheets] + [META_SHEET]

    @cached_property
    def addresses(self) -> dict[str, tuple[str, str]]:
        """Cell or ``header.*`` key -> (sheet, A1)."""
        out = {}
        for sheet in self.sheets:
            for slot in sheet.slots:
                if slot.key:
                    out[slot.key] = (sheet.name, slot.address)
        return out

    def sheet(self, name: str) -> SheetLayout:
        """A sheet by name."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    def sheet_of_table(self, table_key: str) -> SheetLayout:
        """The sheet that holds a table."""
        for sheet in self.sheets:
            if sheet.table is not None and sheet.table.key == table_key:
                return sheet
        raise KeyError(table_key)


@cache
def layout_for(version: str) -> Layout:
    """The template layout of a form version (cached)."""
    form = get_form(version)
    return Layout(form, [_cover(form)] + [_table_sheet(table) for table in form.tables])


# Cover sheet ------------------------------------------------------------------

_COVER_WIDTH = 4


def _cover(form: Form) -> SheetLayout:
    sheet = SheetLayout(COVER_SHEET, width=_COVER_WIDTH)
    sheet.regions.append(
        Region(1, 1, f"政府信息公开工作年度报告统计表（{form.version}年版）", "title", cols=_COVER_WIDTH)
    )
    note = f"格式依据：{form.name}（{form.basis}），适用于{form.years_text}报告"
    sheet.regions.append(Region(2, 1, note, "note", cols=_COVER_WIDTH))
    widths = {1: 14, 2: 24, 3: 24, 4: 24}
    row = 4
    for header_field in form.header_fields:
        sheet.regions.append(Region(row, 1, header_field.label, "field_label"))
        sheet.slots.append(Slot(row, 2, HEADER, f"header.{header_field.key}", cols=_COVER_WIDTH - 1))
        sheet.heights[row] = 24
        row += 1
    row += 1
    sheet.regions.append(Region(row, 1, "填报说明", "block_title", cols=_COVER_WIDTH))
    for number, line in enumerate(instructions(form), start=1):
        row += 1
        sheet.regions.append(Region(row, 1, f"{number}. {line}", "instruction", cols=_COVER_WIDTH))
        sheet.heights[row] = 32
    sheet.heights.update({1: 30, 2: 16 * text_lines(note, sum(widths.values())) + 4})
    sheet.widths = widths
    sheet.height = row
    return sheet


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in cells ``width`` characters wide (a CJK character is two)."""
    units = sum(2 if ord(char) > 0x2E7F else 1 for char in text)
    return max(1, -(-units // max(int(width) - 2, 1)))


def instructions(form: Form) -> list[str]:
    """The 填报说明 printed on the cover sheet, derived from the form."""
    domains = {cell.domain for cell in form.cells.values()}
    lines = [
        "白色单元格填写数字，没有的填 0，不要留空；不要在单元格中填写“个”“件”“万元”“%”等文字或单位。",
        "灰色单元格为合计（自动计算），点击“校验”后由系统按各项之和填入，请勿手工修改。",
    ]
    if Domain.AMOUNT in domains:
        lines.append("金额一律以万元为单位，最多保留 4 位小数（精确到元），例如 25.1 万元填 25.1。")
    if Domain.SIGNED in domains:
        lines.append("“本年增/减”填事项数量的增减：增加填正数，减少填负数（如 -8），不是百分比。")
    for table in form.tables:
        for balance in table.balances:
            lines.append(f"{table.name}每一列都应满足：{balance.label}。")
    lines += [
        "填好后点击“信息公开年报”选项卡中的“校验”按钮，或在浏览器中打开校验网页上传本文件。",
        "工作表受保护（没有密码），以免误改表头和标签；请勿重命名、插入或删除工作表和行列。",
    ]
    return lines


# Table sheets -----------------------------------------------------------------


def _label_depth(table: Table) -> int:
    return max((len(row.labels) for row in table.rows), default=0)


def _value_width(table: Table) -> int:
    return max(len(block.columns) for block in table.blocks)


def _table_sheet(table: Table) -> SheetLayout:
    depth, width = _label_depth(table), _value_width(table)
    sheet = SheetLayout(table.sheet, table=table, width=depth + width)
    sheet.regions.append(Region(1, 1, table.title, "title", cols=sheet.width))
    sheet.regions.append(Region(2, 1, _unit_note(table), "note", cols=sheet.width))
    sheet.heights.update({1: 30, 2: 18})
    row = 3
    for block in table.blocks:
        row = _place_block(sheet, table, block, row, depth, width)
    if any(slot.kind == DERIVED for slot in sheet.slots):
        sheet.regions.append(
            Region(row, 1, "注：灰色单元格为合计（自动计算），点击“校验”后自动填入。", "legend", cols=sheet.width)
        )
        row += 1
    sheet.height = row - 1
    _widths(sheet, table, depth, width)
    return sheet


def _unit_note(table: Table) -> str:
    if any(column.domain is Domain.AMOUNT for column in table.columns):
        return "金额单位：万元"
    return "单位：件"


def _place_block(sheet: SheetLayout, table: Table, block: Block, row: int, depth: int, width: int) -> int:
    if block.title:
        sheet.regions.append(Region(row, 1, block.title, "block_title", cols=depth + width))
        sheet.heights[row] = 22
        row += 1
    head = max(len(column.header) for column in block.columns)
    if depth:
        sheet.regions.append(Region(row, 1, block.corner, "corner", rows=head, cols=depth))
    _place_headers(sheet, block, row, depth, width, head)
    for offset in range(head):
        sheet.heights[row + offset] = 36 if head == 1 else 24
    row += head
    derived = _derived(table)
    for index, data_row in enumerate(block.rows):
        _place_row(sheet, table, block, data_row, row + index, depth, width, derived)
    _place_row_labels(sheet, block, row, depth)
    return row + len(block.rows)


def _derived(table: Table) -> set[str]:
    from ..forms.derive import derived_keys

    return derived_keys(table)


def _place_headers(sheet: SheetLayout, block: Block, top: int, depth: int, width: int, head: int) -> None:
    """Column header tree: shared prefixes merge across, short paths span down."""
    columns = block.columns
    for level in range(head):
        start = 0
        while start < len(columns):
            path = columns[start].header
            if level >= len(path):
                start += 1
                continue
            end = start + 1
            while (
                end < len(columns)
                and columns[end].header[: level + 1] == path[: level + 1]
                and level < len(columns[end].header) - 1
            ):
                end += 1
            if level < len(path) - 1 or end == start + 1:
                last = level == len(path) - 1
                cols = end - start
                if last and block.stretch and end == len(columns):
                    cols += width - len(columns)
                text = columns[start].display_label if last else path[level]
                rows = head - level if last else 1
                sheet.regions.append(
                    Region(top + level, depth + start + 1, text, "column_header", rows=rows, cols=cols)
                )
            start = end
    if not block.stretch:
        for extra in range(len(columns), width):
            sheet.regions.append(Region(top, depth + extra + 1, "", "column_header", rows=head))


def _place_row(
    sheet, table: Table, block: Block, data_row, row: int, depth: int, width: int, derived: set[str]
) -> None:
    for index, column in enumerate(block.columns):
        key = cell_key(table.key, data_row.key, column.key)
        cols = width - index if block.stretch and index == len(block.columns) - 1 else 1
        kind = DERIVED if key in derived else INPUT
        sheet.slots.append(Slot(row, depth + index + 1, kind, key, cols=cols, domain=column.domain))
    if not block.stretch:
        for extra in range(len(block.columns), width):
            sheet.slots.append(Slot(row, depth + extra + 1, VOID))
    label_length = max((len(label) for label in data_row.labels), default=0)
    sheet.heights[row] = 30 if label_length > 24 else 20


def _place_row_labels(sheet: SheetLayout, block: Block, top: int, depth: int) -> None:
    """Row label tree: shared prefixes merge down, the last label spans right."""
    rows = block.rows
    for level in range(depth):
        start = 0
        while start < len(rows):
            path = rows[start].labels
            if level >= len(path):
                start += 1
                continue
            end = start + 1
            last = level == len(path) - 1
            if not last:
                while (
                    end < len(rows)
                    and rows[end].labels[: level + 1] == path[: level + 1]
                    and len(rows[end].labels) > level + 1
                ):
                    end += 1
            cols = depth - level if last else 1
            sheet.regions.append(Region(top + start, level + 1, path[level], "row_label", rows=end - start, cols=cols))
            start = end


def _widths(sheet: SheetLayout, table: Table, depth: int, width: int) -> None:
    for level in range(depth):
        texts = [row.labels[level] for row in table.rows if len(row.labels) == level + 1]
        longest = max((len(t) for t in texts), default=4)
        if level < depth - 1:
            sheet.widths[level + 1] = 10 if level == 0 else 16
        else:
            sheet.widths[level + 1] = min(max(longest * 1.6 + 2, 12), 44)
    value_width = 16 if width <= 4 else 10
    for index in range(width):
        sheet.widths[depth + index + 1] = value_width
