"""The district's status board: every registered unit and where its report stands."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from .models import ACCEPTED
from .models import PENDING
from .models import RETURNED
from .models import Account
from .models import Submission
from .models import Unit
from .service import _require_district
from .service import latest
from .service import units

NOT_SUBMITTED = "未提交"
STATUS_TEXT = {RETURNED: "已退回", PENDING: "有提示待说明", ACCEPTED: "已提交"}
STATUSES = (NOT_SUBMITTED, "已退回", "有提示待说明", "已提交")
SORTS = {
    "name": "单位名称（拼音）",
    "registered": "登记顺序",
    "status": "状态",
    "time": "提交时间",
    "errors": "错误数",
    "warnings": "提示数",
}
"""Orders of the board: value -> label."""
LOCAL = dt.timezone(dt.timedelta(hours=8))
HEADER = ("单位", "单位类型", "状态", "版本", "提交时间", "错误", "提示", "退回原因")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""How a text starts that Excel or WPS would run as a formula when the export is opened (CSV injection)."""


def local_time(moment: dt.datetime | None) -> str:
    """A stored UTC time shown in Beijing time."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=dt.UTC).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class BoardRow:
    """One unit on the board."""

    unit: Unit
    submission: Submission | None

    @property
    def status(self) -> str:
        """未提交 / 已退回 / 有提示待说明 / 已提交."""
        return NOT_SUBMITTED if self.submission is None else STATUS_TEXT[self.submission.state]

    def cells(self) -> tuple:
        """The row as exported."""
        s = self.submission
        if s is None:
            return (self.unit.name, self.unit.kind or "", self.status, "", "", "", "", "")
        return (
            self.unit.name,
            self.unit.kind or "",
            self.status,
            s.version_no,
            local_time(s.submitted_at),
            s.errors,
            s.warnings,
            s.returned_reason or "",
        )


@dataclass(frozen=True)
class Board:
    """The board of one report year."""

    year: int
    rows: list[BoardRow]
    total: int

    @property
    def submitted(self) -> int:
        """Units whose report is accepted (已提交)."""
        return sum(1 for row in self.rows if row.status == "已提交")

    def counts(self) -> dict[str, int]:
        """Units per status."""
        return {status: sum(1 for row in self.rows if row.status == status) for status in STATUSES}


def status_board(
    session: Session, actor: Account, year: int, status: str | None = None, sort: str = "name", search: str = ""
) -> Board:
    """Every active unit with its status for a year, filtered and sorted (district only)."""
    _require_district(actor)
    newest = latest(session, year)
    rows = [BoardRow(unit, newest.get(unit.id)) for unit in units(session) if unit.active]
    total = len(rows)
    if status:
        rows = [row for row in rows if row.status == status]
    if search:
        rows = [row for row in rows if search.strip() in row.unit.name]
    if sort in _SORT_KEYS:
        rows.sort(key=_SORT_KEYS[sort])  # stable: ties keep the pinyin order of units()
    return Board(year, rows, total)


def _count(name: str):
    return lambda row: -(getattr(row.submission, name) if row.submission else -1)


_SORT_KEYS = {
    "registered": lambda row: row.unit.id,
    "status": lambda row: STATUSES.index(row.status),
    "time": lambda row: (row.submission is None, -row.submission.submitted_at.timestamp() if row.submission else 0),
    "errors": _count("errors"),
    "warnings": _count("warnings"),
}
"""Sort keys of the board's orders other than by name (the order of units())."""


def csv_cell(value):
    """A value for a CSV export: text that would run as a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def append_row(sheet, values) -> None:
    """Append a row to an export sheet; text that looks like a formula stays text, exactly as typed.

    openpyxl stores a string starting with ``=`` as a formula; such cells become text
    cells with Excel's quote prefix, so editing them later does not turn them into formulas either.
    """
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def board_csv(board: Board) -> bytes:
    """The board as CSV (UTF-8 with BOM so that Excel opens it correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in board.rows:
        writer.writerow([csv_cell(value) for value in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def board_xlsx(board: Board) -> bytes:
    """The board as an .xlsx workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"{board.year}年度提交情况"
    sheet.append([f"{board.year}年度政府信息公开工作年度报告提交情况：已提交 {board.submitted} / {board.total}"])
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in board.rows:
        append_row(sheet, row.cells())
    for letter, width in zip("ABCDEFGH", (30, 12, 14, 6, 18, 6, 6, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
