"""What the add-in's ``RunServerPython`` sends, checked before anything reads it.

Remote.bas (xlwings' VBA) sends ``{"client", "version", "book": {"name",
"active_sheet_index", "selection"}, "names": [...], "sheets": [{"name",
"values": [[...], ...], ...}]}``. A request that does not have that shape is
either not from the add-in (a plain 400 for whoever sent it) or was damaged on
the way; a cell that no Excel can hold (a lone UTF-16 surrogate, NaN, a text
longer than Excel allows) is named to the clerk by sheet and cell. Nothing
else in the Excel door has to guard against a malformed payload.
"""

from __future__ import annotations

import math

from .errors import ServerError
from .readings import encodable
from .workbook.layout import a1

MAX_CELL_TEXT = 32767
"""Excel's limit for the text of one cell."""
DATE_LENGTH = 24
"""Remote.bas sends a date as ``2026-01-15T00:00:00.000Z``."""
MAX_CELLS = 2_000_000
"""Cells of all sheets together; far beyond any report, below what would exhaust memory."""

NOT_FROM_ADDIN = "这不是 Excel 加载项发来的校验请求。请在 Excel 中点击“信息公开年报”选项卡的“校验”按钮。"
DAMAGED = "校验服务收到的工作簿数据不完整（{what}），这次没能校验。请再点一次；如果仍然如此，请改用网页上传本文件，并联系区政务公开办。"
BAD_CELL = "工作表“{sheet}”的 {cell} 单元格{what}，校验服务无法读取。请改正这个单元格后再校验。"
TOO_LARGE = "工作簿太大（{cells} 个单元格有内容），校验服务不接收。请只保留填报信息和三张统计表，删去其他工作表中的大量数据后再校验。"


class PayloadRefused(ServerError):
    """The payload cannot be used; shown to the clerk as a message box (status 200)."""

    status = 200


def checked_payload(payload, *, valid_text: bool = False) -> dict:
    """The payload if it has Remote.bas's shape and every cell is one Excel can hold; else raise.

    Not a payload at all → :class:`ServerError` 400 (not from the add-in); a damaged one or an
    impossible cell → :class:`PayloadRefused` (a message box).
    """
    _checked(payload, None, convert=False, valid_text=valid_text)
    return payload


def checked_rows(payload, dates, *, valid_text: bool = False) -> list[list[list] | None]:
    """:func:`checked_payload`'s checks, and in the same pass each sheet's rows as a grid holds them
    (None for a sheet sent without values): blank text as None, and text ``dates(text)`` turns into
    a datetime as that datetime — :func:`grid_row` of each row. ``dates`` is
    asked only about text shaped as Remote.bas sends dates (:data:`DATE_LENGTH` characters ending in Z).
    ``valid_text``: the caller knows every text to be valid Unicode (read by a parser that refuses lone
    surrogates), so that is not checked again."""
    return _checked(payload, dates, convert=True, valid_text=valid_text)


def _checked(payload, dates, *, convert: bool, valid_text: bool = False) -> list[list[list] | None]:
    if not isinstance(payload, dict) or not isinstance(payload.get("sheets"), list) or "book" not in payload:
        raise ServerError(NOT_FROM_ADDIN, status=400)
    if not isinstance(payload["book"], dict) or not isinstance(payload.get("version"), str):
        raise PayloadRefused(DAMAGED.format(what="缺少工作簿信息"))
    if not isinstance(payload.get("names", []), list):
        raise PayloadRefused(DAMAGED.format(what="名称列表"))
    cells = 0
    out = []
    for index, sheet in enumerate(payload["sheets"]):
        count, rows = _check_sheet(index, sheet, dates, convert, valid_text)
        cells += count
        out.append(rows)
        if cells > MAX_CELLS:
            raise PayloadRefused(TOO_LARGE.format(cells=cells))
    return out


def _check_sheet(index: int, sheet, dates, convert: bool, valid_text: bool) -> tuple[int, list[list] | None]:
    """Check one sheet's shape and cells: the number of cells it holds, and its rows as grid rows (when ``convert``)."""
    if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
        raise PayloadRefused(DAMAGED.format(what=f"第 {index + 1} 个工作表"))
    name = sheet["name"]
    if not encodable(name):
        raise PayloadRefused(DAMAGED.format(what=f"第 {index + 1} 个工作表的名称"))
    rows = sheet.get("values")
    if rows is None:
        return 0, None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise PayloadRefused(DAMAGED.format(what=f"工作表“{name}”的单元格"))
    count = 0
    out = [] if convert else None
    for r, row in enumerate(rows, start=1):
        line = _grid_row(row, dates if convert else None, valid_text)
        if line is None:
            for c, value in enumerate(row, start=1):
                problem = _cell_problem(value)
                if problem:
                    raise PayloadRefused(BAD_CELL.format(sheet=name, cell=a1(r, c), what=problem))
        if convert:
            out.append(line if line is not None else grid_row(row, dates))
        count += len(row)
        if count > MAX_CELLS:
            raise PayloadRefused(TOO_LARGE.format(cells=count))
    return count, out


def _grid_row(row: list, dates, valid_text: bool = False) -> list | None:
    """The row as a grid holds it (:func:`grid_row`); None when a cell may have a problem
    (:func:`_cell_problem` then says which) or is of a kind left to :func:`grid_row`: both in one look at each cell."""
    out = list(row)
    for index, value in enumerate(row):
        if value is None:
            continue
        kind = value.__class__
        if kind is int or kind is bool:
            continue
        if kind is float:
            if value - value != 0.0:  # NaN or ±infinity
                return None
            continue
        if kind is not str or len(value) > MAX_CELL_TEXT or not (valid_text or value.isascii() or encodable(value)):
            return None
        if not value.strip():
            out[index] = None
        elif dates is not None and len(value) == DATE_LENGTH and value[-1] == "Z":
            date = dates(value)
            if date is not None:
                out[index] = date
    return out


def grid_row(row: list, dates) -> list:
    """A row as a grid holds it: blank text as None, text ``dates(text)`` turns into a datetime as that
    datetime (when ``dates`` is given), every other value as it is."""
    out = list(row)
    for index, value in enumerate(out):
        if isinstance(value, str):
            if not value.strip():
                out[index] = None
            elif dates is not None:
                date = dates(value)
                if date is not None:
                    out[index] = date
    return out


def _cell_problem(value) -> str | None:
    """Why Excel could not have sent this cell value, in words; None when it is fine."""
    if value is None or isinstance(value, bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "是非数值（NaN 或无穷大）"
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            return f"的文字超过 Excel 单元格的上限（{MAX_CELL_TEXT} 个字符）"
        return None if encodable(value) else "含有无法识别的字符（不成对的代理字符）"
    return "的内容不是数字或文字"
