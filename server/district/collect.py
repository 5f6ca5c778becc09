"""Batch import for districts that still collect by e-mail: a folder of workbooks.

Each file is validated like a submission; the unit comes from its 填报单位.
Files with errors are not stored; files with warnings are stored as
有提示待说明 until the unit or the district adds the explanation. Bad files
are reported, never stop the run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ServerError
from ..findings import ERROR
from ..findings import WARNING
from ..workbook import validate_grids
from ..xlsx.load import load_grids
from .models import ACCEPTED
from .models import PENDING
from .models import Account
from .models import Submission
from .service import _require_district
from .service import check_workbook
from .service import store
from .service import unit_by_name

STORED, PENDING_TEXT, REFUSED, UNKNOWN, UNREADABLE, WRONG_YEAR, SAME = (
    "已入库",
    "有提示待说明",
    "有错误未入库",
    "未登记单位",
    "无法读取",
    "年度不符",
    "内容相同，未重复入库",
)


@dataclass(frozen=True)
class Collected:
    """What happened to one file."""

    file: str
    unit: str
    status: str
    detail: str = ""


def workbook_files(folder: Path) -> list[Path]:
    """The .xlsx files of a folder and its subfolders (Excel's ~$ lock files left out)."""
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def collect_file(session: Session, actor: Account, path: Path, year: int) -> Collected:
    """Validate one file and store it for its unit."""
    _require_district(actor)
    try:
        data = path.read_bytes()
        _, report = validate_grids(load_grids(data))
    except (ServerError, OSError) as error:
        return Collected(path.name, "", UNREADABLE, getattr(error, "message", str(error)))
    unit = unit_by_name(session, report.unit)
    if unit is None:
        return Collected(path.name, report.unit or "", UNKNOWN, "填报单位未登记，请先登记单位或核对单位名称")
    if report.year != year:
        return Collected(path.name, unit.name, WRONG_YEAR, f"报告年度为 {report.year or '（未填写）'}")
    return _store(session, actor, unit, path, data)


def _store(session: Session, actor: Account, unit, path: Path, data: bytes) -> Collected:
    reading, report = check_workbook(session, unit, data)
    errors = [f for f in report.findings if f.severity == ERROR]
    if errors:
        return Collected(
            path.name,
            unit.name,
            REFUSED,
            f"{len(errors)} 处错误，例如：{errors[0].sheet} {errors[0].cell} {errors[0].message}",
        )
    if _same_as_latest(session, unit.id, report.year, data):
        return Collected(path.name, unit.name, SAME)
    warnings = report.counts[WARNING]
    state = PENDING if warnings else ACCEPTED
    store(session, unit, reading, report, data, path.name, None, "collect", None, state)
    return Collected(
        path.name, unit.name, PENDING_TEXT if warnings else STORED, f"{warnings} 处提示" if warnings else ""
    )


def _same_as_latest(session: Session, unit_id: int, year: int, data: bytes) -> bool:
    digest = hashlib.sha256(data).hexdigest()
    newest = session.scalar(
        select(Submission)
        .where(Submission.unit_id == unit_id, Submission.year == year)
        .order_by(Submission.version_no.desc())
    )
    return newest is not None and newest.sha256 == digest
