"""Open an .xlsx file and turn its sheets into grids: the one reading path of every door.

Only cached values are read (``data_only``): a formula cell shows what Excel
last computed; a formula without a computed value (a file saved by a tool
that does not calculate) is read as :class:`~server.readings.Formula` so the
checks report it instead of taking the cell for blank.

The file is checked before parsing (:mod:`server.xlsx.archive`: what kind of
file it is, zip sizes and ratios), XML entities are refused (defusedxml),
and each sheet is read only within :class:`~server.xlsx.limits.Limits`'
rows and columns. Whatever goes wrong while reading becomes a
:class:`~server.errors.WorkbookUnreadable` with a Chinese message for the
clerk, naming the sheet and cell where it can; nothing else escapes.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.worksheet._reader import FORMULA_TAG
from openpyxl.worksheet._reader import ROW_TAG
from openpyxl.worksheet._reader import VALUE_TAG
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.functions import iterparse

from ..errors import WorkbookUnreadable
from ..readings import Formula
from ..workbook.grid import Grid
from . import fast
from . import limits as limits_module
from .archive import SAVE_AS
from .archive import check_parts
from .archive import damaged
from .archive import too_many_cells
from .limits import Limits

Source = str | Path | bytes | BinaryIO
ENTITIES = (
    "这个工作簿的内部 XML 含有实体声明（DTD），Excel 和 WPS 不会生成这样的文件，可能是恶意构造的，已拒绝读取。"
    f"{SAVE_AS}。"
)
_COLUMN_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_MAX_DEPTH = 20
"""Elements nest about 5 deep in a sheet (worksheet, sheetData, row, c, is, r, t)."""
_TYPE_DETAIL = {
    "n": "数值“{value}”不是数字",
    "s": "共享字符串编号“{value}”超出范围",
    "b": "逻辑值“{value}”无效",
    "d": "日期“{value}”无效",
}


def load_grids(source: Source, limits: Limits | None = None) -> list[Grid]:
    """Every worksheet of an .xlsx file as a grid, in workbook order.

    python-calamine reads the file when :mod:`server.xlsx.fast` can prove it gives exactly
    what openpyxl gives; every other file is read by openpyxl, the guarded path below.
    """
    limits = limits or limits_module.current()
    data = read_source(source, limits)
    archive, parts = check_parts(data, limits)
    archive.close()
    grids = fast.read(data, parts.xml, limits, parts.crc)
    if grids is not None:
        return grids
    del parts  # the inflated parts are not kept while openpyxl reads the file
    return load_with_openpyxl(data, limits)


def load_with_openpyxl(data: bytes, limits: Limits) -> list[Grid]:
    """The grids of a file that passed :func:`~server.xlsx.archive.check_parts`, read by openpyxl."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _grids(book, limits)
            finally:
                book.close()
    except Exception as error:  # any failure inside openpyxl is a damaged file, never a traceback
        raise _refusal(error) from error


def read_source(source: Source, limits: Limits | None = None) -> bytes:
    """The bytes of a file given by path, bytes or stream (no more than the file size limit and one byte)."""
    limits = limits or Limits()
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            with path.open("rb") as file:
                status = os.fstat(file.fileno())
                size = min(status.st_size, limits.file_bytes) if stat.S_ISREG(status.st_mode) else limits.file_bytes
                # one byte more than allowed is enough to refuse (and no buffer of the whole limit for a small file)
                return file.read(size + 1)
        except OSError as error:
            raise WorkbookUnreadable(f"无法读取文件“{source}”：{error.strerror or error}") from error
    return source.read(limits.file_bytes + 1)


def _refusal(error: BaseException) -> WorkbookUnreadable:
    """The clerk's message for an exception raised while reading (openpyxl wraps the cause in a ValueError)."""
    if isinstance(error, WorkbookUnreadable):
        return error
    causes = [error]
    while causes[-1].__cause__ is not None and len(causes) < 10:
        causes.append(causes[-1].__cause__)
    for cause in reversed(causes):
        if not isinstance(cause, ValueError) or isinstance(cause, DefusedXmlException):
            return _refusal_of(cause)
    return _refusal_of(error)


def _refusal_of(error: BaseException) -> WorkbookUnreadable:
    if isinstance(error, WorkbookUnreadable):
        return error
    if isinstance(error, DefusedXmlException):
        return WorkbookUnreadable(ENTITIES)
    if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)):
        return damaged("压缩数据校验失败")
    if isinstance(error, KeyError):
        return damaged("缺少必需的部件")
    if isinstance(error, ParseError) or type(error).__name__ == "XMLSyntaxError":
        return damaged("XML 格式错误")
    if isinstance(error, MemoryError):
        return WorkbookUnreadable(
            "工作簿内容太多，服务器无法读取。请删除统计表以外的内容后，用 Excel 或 WPS 另存为 .xlsx 再试。"
        )
    return damaged("内部结构不正确")


# Sheets --------------------------------------------------------------------------------------


def _grids(book, limits: Limits) -> list[Grid]:
    sheets = book.worksheets
    if len(sheets) > limits.sheets:
        raise WorkbookUnreadable(
            f"工作簿有 {len(sheets)} 张工作表，超过上限 {limits.sheets} 张。"
            "请只保留“填报信息”和三张统计表，另存为 .xlsx 后再试。"
        )
    budget = _Budget(limits.cells)
    return [_grid(book, sheet, limits, budget) for sheet in sheets]


class _Budget:
    """Cells left to read in the whole workbook: the reading time is bounded by it."""

    def __init__(self, cells: int):
        self.limit = self.left = cells

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise too_many_cells(self.limit)


class _BadCell(Exception):
    """A cell whose stored value cannot be read."""

    def __init__(self, cell: str, detail: str):
        super().__init__(cell, detail)
        self.cell, self.detail = cell, detail


def _grid(book, sheet, limits: Limits, budget: _Budget) -> Grid:
    try:
        with sheet._get_source() as source:
            parser = _Parser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            parser.max_column, parser.budget = limits.columns, budget
            rows = _rows(parser, limits)
    except _BadCell as bad:
        raise WorkbookUnreadable(
            f"工作表“{sheet.title}”的 {bad.cell} 单元格已损坏（{bad.detail}），无法读取。"
            f"{SAVE_AS}；如果 Excel 也打不开，请从原始文件重新制作。"
        ) from bad
    _check_text(sheet.title, rows, limits)
    return Grid(sheet.title, rows, hidden=sheet.sheet_state != "visible")


def _rows(parser: _Parser, limits: Limits) -> list[list[object]]:
    """Values by row within the limits; rows and columns beyond them are not read."""
    rows: list[list[object]] = []
    for number, cells in parser.parse():
        if number > limits.rows:
            break
        if number <= len(rows):
            continue  # a row out of order or repeated: Excel never writes one (openpyxl skips it too)
        rows.extend([] for _ in range(len(rows), number - 1))
        line: list[object] = []
        for cell in cells:
            column = cell["column"]
            if 1 <= column <= limits.columns:
                line.extend(None for _ in range(len(line), column))
                line[column - 1] = cell["value"]
        while line and line[-1] is None:
            line.pop()
        rows.append(line)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _check_text(title: str, rows: list[list[object]], limits: Limits) -> None:
    for row, line in enumerate(rows, start=1):
        for col, value in enumerate(line, start=1):
            if isinstance(value, str) and len(value) > limits.text:
                from ..workbook.layout import a1

                raise WorkbookUnreadable(
                    f"工作表“{title}”的 {a1(row, col)} 单元格中的文字有 {len(value)} 个字符，超过 Excel 的上限 "
                    f"{limits.text} 个字符，文件可能已损坏或是伪造的，已拒绝读取。{SAVE_AS}。"
                )


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser reading rows only, within the limits, naming a damaged cell."""

    max_column = 16384
    budget = _Budget(10**9)

    def parse(self):
        """Yield (row number, cells) of each row; everything else in the sheet is dropped unread.

        Elements are cleared as soon as they end, so no part of the sheet piles up in memory
        (openpyxl keeps elements it has no use for until the end of the sheet).
        """
        stack = []
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                stack.append(element)
                if len(stack) > _MAX_DEPTH:
                    raise WorkbookUnreadable(
                        f"工作簿的内部 XML 嵌套过深，不是 Excel 生成的文件，已拒绝读取。{SAVE_AS}。"
                    )
                continue
            stack.pop()
            if element.tag == ROW_TAG:
                yield self.parse_row(element)
            if len(stack) <= 2:  # a row, or anything else below <worksheet><sheetData>: done with it
                element.clear()
                if stack:
                    stack[-1].clear()

    def parse_row(self, row):
        """Drop the cells right of :attr:`max_column` before they are parsed."""
        column = 0
        for index, cell in enumerate(row):
            reference = cell.get("r")
            column = _column_number(reference) if reference else column + 1
            if column > self.max_column:
                self.budget.spend(len(row) - index)
                del row[index:]
                break
        self.budget.spend(len(row) + 1)
        return super().parse_row(row)

    def parse_cell(self, element):
        """One cell, with infinite numbers and uncomputed formulas made visible."""
        try:
            cell = super().parse_cell(element)
        except (ValueError, IndexError, TypeError, OverflowError, KeyError) as error:
            raise _BadCell(_shown(element.get("r")) or "某个", _detail(element)) from error
        value = cell["value"]
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadCell(_shown(element.get("r")), f"数值“{_shown(element.findtext(VALUE_TAG))}”超出范围")
        if value is None and element.find(FORMULA_TAG) is not None and element.find(VALUE_TAG) is None:
            cell["value"] = Formula("=" + (element.findtext(FORMULA_TAG) or ""))
        return cell


def _column_number(reference: str) -> int:
    letters = _COLUMN_LETTERS.match(reference)
    if letters is None:
        return 0
    number = 0
    for letter in letters.group().upper():
        number = number * 26 + ord(letter) - 64
    return number


def _detail(element) -> str:
    from openpyxl.utils import coordinate_to_tuple

    reference = element.get("r")
    if reference:
        try:
            coordinate_to_tuple(reference)
        except (ValueError, TypeError):
            return f"单元格地址“{_shown(reference)}”无效"
    style = element.get("s", "0")
    if not style.isdigit():
        return f"样式编号“{_shown(style)}”无效"
    template = _TYPE_DETAIL.get(element.get("t", "n"), "内容无效（类型“{kind}”）")
    return template.format(value=_shown(element.findtext(VALUE_TAG)), kind=_shown(element.get("t")))


def _shown(text: str | None, width: int = 30) -> str:
    """A piece of the file, short and printable, for a message."""
    text = "".join(ch if ch.isprintable() else "?" for ch in (text or ""))
    return text if len(text) <= width else text[:width] + "…"
