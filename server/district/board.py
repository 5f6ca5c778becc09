"""The district's status board: every registered unit and where its report stands."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
from openpyxl.styles import Font
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ACCEPTED
from .models import PENDING
from .models import RETURNED
from .models import Account
from .models import CellValue
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
HEADER = ("单位", "单位类型", "状态", "版本", "提交时间", "错误", "提示", "退回原因", "请注意")
ALL_ZERO = "数字全部为 0"
SAME_AS_LAST_YEAR = "数字与上年度完全相同"
"""Markers of a report that passed the checks but is probably not this year's real figures (issue 10)."""
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
    notes: tuple[str, ...] = ()
    """Markers: ALL_ZERO, SAME_AS_LAST_YEAR."""

    @property
    def status(self) -> str:
        """未提交 / 已退回 / 有提示待说明 / 已提交."""
        return NOT_SUBMITTED if self.submission is None else STATUS_TEXT[self.submission.state]

    def cells(self) -> tuple:
        """The row as exported."""
        s = self.submission
        if s is None:
            return (self.unit.name, self.unit.kind or "", self.status, "", "", "", "", "", "")
        return (
            self.unit.name,
            self.unit.kind or "",
            self.status,
            s.version_no,
            local_time(s.submitted_at),
            s.errors,
            s.warnings,
            s.returned_reason or "",
            "；".join(self.notes),
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
    notes = _notes(session, newest, latest(session, year - 1, accepted=True))
    rows = [BoardRow(unit, newest.get(unit.id), notes.get(unit.id, ())) for unit in units(session) if unit.active]
    total = len(rows)
    if status:
        rows = [row for row in rows if row.status == status]
    if search:
        rows = [row for row in rows if search.strip() in row.unit.name]
    if sort in _SORT_KEYS:
        rows.sort(key=_SORT_KEYS[sort])  # stable: ties keep the pinyin order of units()
    return Board(year, rows, total)


def _notes(session: Session, newest: dict[int, Submission], last: dict[int, Submission]) -> dict[int, tuple]:
    """Unit id -> what the district should look at although the checks passed (issue 10).

    A report whose numbers are all 0 (an empty template filled with 0), or exactly last year's
    numbers (last year's file sent again) are known failures of real reports. One grouped query
    gives each submission's count, sum and sum of squares; only pairs that agree on those are
    compared cell by cell.
    """
    ids = [s.id for s in newest.values()] + [s.id for s in last.values()]
    if not ids:
        return {}
    stats = _stats(session, ids)
    notes: dict[int, list[str]] = {}
    pairs = []
    for unit_id, submission in newest.items():
        mine = stats.get(submission.id)
        notes[unit_id] = [ALL_ZERO] if mine and mine[0] == mine[1] and mine[3] == 0 else []
        previous = last.get(unit_id)
        if mine and previous is not None and previous.form_version == submission.form_version:
            if stats.get(previous.id) == mine:
                pairs.append((unit_id, submission.id, previous.id))
    if pairs:
        cells = _cells(session, [i for _, this, prev in pairs for i in (this, prev)])
        for unit_id, this, prev in pairs:
            if cells.get(this) == cells.get(prev):
                notes[unit_id].append(SAME_AS_LAST_YEAR)
    return {unit_id: tuple(found) for unit_id, found in notes.items()}


def _stats(session: Session, ids: list[int]) -> dict[int, tuple]:
    value = CellValue.value
    query = (
        select(
            CellValue.submission_id,
            func.count(),
            func.count(value),
            func.sum(value),
            func.sum(value * value),
        )
        .where(CellValue.submission_id.in_(ids))
        .group_by(CellValue.submission_id)
    )
    return {
        sid: (rows, numbers, round(total or 0, 6), round(squares or 0, 6))
        for sid, rows, numbers, total, squares in session.execute(query)
    }


def _cells(session: Session, ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    query = select(CellValue.submission_id, CellValue.key, CellValue.value).where(CellValue.submission_id.in_(ids))
    for submission_id, key, value in session.execute(query):
        out.setdefault(submission_id, {})[key] = value
    return out


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
    for letter, width in zip("ABCDEFGHI", (30, 12, 14, 6, 18, 6, 6, 40, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
