"""Open an .xlsx file with openpyxl and turn its sheets into grids.

Only cached values are read (``data_only``): a formula cell shows what Excel
last computed. Files that are not .xlsx workbooks raise
:class:`~server.errors.WorkbookUnreadable` with a message for the clerk.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import BinaryIO

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import WorkbookUnreadable
from ..workbook.grid import Grid

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
Source = str | Path | bytes | BinaryIO


def load_grids(source: Source) -> list[Grid]:
    """Every worksheet of an .xlsx file as a grid, in workbook order."""
    data = _bytes(source)
    _check_format(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, EOFError) as error:
        raise WorkbookUnreadable(
            "无法打开这个文件：它不是有效的 .xlsx 工作簿，可能已损坏。请用 Excel 或 WPS 另存为 .xlsx 后再试。"
        ) from error
    try:
        return [_grid(sheet) for sheet in book.worksheets]
    finally:
        book.close()


def _bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        try:
            return Path(source).read_bytes()
        except OSError as error:
            raise WorkbookUnreadable(f"无法读取文件“{source}”：{error.strerror or error}") from error
    return source.read()


def _check_format(data: bytes) -> None:
    if not data:
        raise WorkbookUnreadable("文件是空的。")
    if data.startswith(_OLE_MAGIC):
        raise WorkbookUnreadable(
            "这是旧版 .xls 文件或加密的工作簿，无法读取。请在 Excel 或 WPS 中“另存为” .xlsx 格式（不要设置打开密码）后再试。"
        )
    if not data.startswith(b"PK"):
        raise WorkbookUnreadable("这个文件不是 Excel 工作簿（.xlsx）。请上传用模板填写的 .xlsx 文件。")


def _grid(sheet) -> Grid:
    sheet.reset_dimensions()  # some writers record a wrong used range; read every row
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    return Grid(sheet.title, rows, hidden=sheet.sheet_state != "visible")
