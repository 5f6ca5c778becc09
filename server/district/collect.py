"""Batch import for districts that still collect by e-mail: a folder of workbooks.

Each file is validated like a submission; the unit comes from its 填报单位.
Files with errors are not stored; files with warnings are stored as
有提示待说明 until the unit or the district adds the explanation. Bad files
are reported, never stop the run.

The cost per file does not depend on the number of units: the units are
looked up in one table built per run, last year's report is one indexed
query, and each file is read and validated once. Reading and validating run
in worker processes (``jobs``); the parent alone writes to the database, in
batches of files (one transaction per batch, each file on its own if a batch
fails).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..errors import ServerError
from ..findings import ERROR
from ..findings import WARNING
from ..findings import Report
from ..rules.header import parse_header
from ..workbook import read_workbook
from ..xlsx.load import load_grids
from .models import ACCEPTED
from .models import PENDING
from .models import Account
from .models import CellValue
from .models import Submission
from .models import Unit
from .service import _require_district
from .service import cell_rows
from .service import check_reading
from .service import squash
from .service import submission_fields
from .service import unit_index

STORED, PENDING_TEXT, REFUSED, UNKNOWN, UNREADABLE, WRONG_YEAR, SAME, FAILED = (
    "已入库",
    "有提示待说明",
    "有错误未入库",
    "未登记单位",
    "无法读取",
    "年度不符",
    "内容相同，未重复入库",
    "入库失败",
)
BATCH = 100
"""Files written per transaction: a commit waits for the disk, a file's rows do not."""
IN_FLIGHT = 64
"""Files handed to each worker process ahead of the writer (bounds the parent's memory)."""
PER_TASK = 16
"""Files a worker checks per task."""


@dataclass(frozen=True)
class Collected:
    """What happened to one file."""

    file: str
    unit: str
    status: str
    detail: str = ""


@dataclass(frozen=True)
class UnitRecord:
    """A registered unit as the worker processes know it (``last_year_report`` needs only these)."""

    id: int
    name: str


@dataclass(frozen=True)
class Typed:
    """What the clerk typed, by cell key (stored beside the numbers)."""

    values: dict


@dataclass(frozen=True)
class Checked:
    """One file read and validated: either a final result, or a submission for the parent to store."""

    path: Path
    result: Collected | None = None
    unit: UnitRecord | None = None
    data: bytes = b""
    typed: Typed | None = None
    report: Report | None = None


def workbook_files(folder: Path) -> list[Path]:
    """The .xlsx files of a folder and its subfolders (Excel's ~$ lock files left out)."""
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def collect_files(
    session: Session, actor: Account, files: Iterable[Path], year: int, jobs: int = 1
) -> Iterator[Collected]:
    """Validate each file and store it for its unit; one result per file, in order.

    :param jobs: worker processes reading and validating (1: all in this process).
    """
    _require_district(actor)
    units = unit_index(session)
    records = {key: UnitRecord(unit.id, unit.name) for key, unit in units.items()}
    by_id = {unit.id: unit for unit in units.values()}
    session.commit()  # no read transaction held open while the workers read
    checked = (
        _checked_here(session, records, files, year)
        if jobs <= 1
        else _checked_in_pool(session, records, files, year, jobs)
    )
    batch: list[Checked] = []
    for item in checked:
        batch.append(item)
        if len(batch) >= BATCH:
            yield from _write(session, by_id, batch)
            batch = []
    yield from _write(session, by_id, batch)


# Reading and validating ---------------------------------------------------------------------


class _Checker:
    """Reads and validates files for one run (in this process or in a worker)."""

    def __init__(self, session_for, units: dict[str, UnitRecord], year: int):
        self.session_for = session_for
        self.units = units
        self.year = year

    def check(self, path: Path) -> Checked:
        """:meth:`read_and_validate`, with anything unexpected reported for this file only."""
        try:
            return self.read_and_validate(path)
        except Exception as error:  # one bad file never stops the run
            message = getattr(error, "message", None) or "读取或校验时出错，请单独校验这个文件"
            return Checked(path, Collected(path.name, "", UNREADABLE, message))

    def read_and_validate(self, path: Path) -> Checked:
        """Read, identify the unit, validate once with last year's report."""
        try:
            data = path.read_bytes()
            reading = read_workbook(load_grids(data))
        except (ServerError, OSError) as error:
            return Checked(path, Collected(path.name, "", UNREADABLE, getattr(error, "message", str(error))))
        header = parse_header(reading.header)
        unit = self.units.get(squash(header.unit))
        if unit is None:
            detail = "填报单位未登记，请先登记单位或核对单位名称"
            return Checked(path, Collected(path.name, header.unit or "", UNKNOWN, detail))
        if header.year != self.year:
            return Checked(
                path, Collected(path.name, unit.name, WRONG_YEAR, f"报告年度为 {header.year or '（未填写）'}")
            )
        with self.session_for() as session:
            _, report = check_reading(session, unit, reading)
        errors = [f for f in report.findings if f.severity == ERROR and not f.explained]  # mistakes, not symptoms
        if errors:
            detail = f"{len(errors)} 处错误，例如：{errors[0].sheet} {errors[0].cell} {errors[0].message}"
            return Checked(path, Collected(path.name, unit.name, REFUSED, detail))
        typed = Typed({key: reading.values.get(key) for key in report.values})
        return Checked(path, unit=unit, data=data, typed=typed, report=report)


class _Borrowed:
    """The parent's own session, used as a context manager without closing it."""

    def __init__(self, session: Session):
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *_exc) -> None:
        return None


def _checked_here(session: Session, units: dict, files: Iterable[Path], year: int) -> Iterator[Checked]:
    checker = _Checker(lambda: _Borrowed(session), units, year)
    return (checker.check(path) for path in files)


def _checked_in_pool(session: Session, units: dict, files: Iterable[Path], year: int, jobs: int) -> Iterator[Checked]:
    """Check files in ``jobs`` worker processes, results in the files' order, a bounded number ahead.

    Files go to the workers in groups of :data:`PER_TASK` (a task costs more to hand over than a file to check).
    """
    url = session.get_bind().url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # no copied connections or locks; the same on Windows
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(url, units, year)) as pool:
        pending = deque()
        for group in _groups(files, PER_TASK):
            pending.append(pool.submit(_check_in_worker, group))
            if len(pending) * PER_TASK >= IN_FLIGHT * jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _groups(files: Iterable[Path], size: int) -> Iterator[list[Path]]:
    group = []
    for path in files:
        group.append(path)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


_worker: _Checker | None = None


def _start_worker(url: str, units: dict, year: int) -> None:
    """Initialise a worker process: its own engine (connections are never shared across processes)."""
    from sqlalchemy.orm import sessionmaker

    from .db import make_engine

    global _worker
    _worker = _Checker(sessionmaker(make_engine(url, keep_connection=True)), units, year)


def _check_in_worker(paths: list[Path]) -> list[Checked]:
    return [_worker.check(path) for path in paths]


# Writing ------------------------------------------------------------------------------------


def _write(session: Session, units: dict, batch: list[Checked]) -> list[Collected]:
    """Store a batch in one transaction; if that fails, each file in its own (so one bad file stays alone)."""
    try:
        results = _store_batch(session, units, batch)
        session.commit()
        return results
    except Exception:
        session.rollback()
    results = []
    for item in batch:
        try:
            [result] = _store_batch(session, units, [item])
            session.commit()
            results.append(result)
        except Exception:
            session.rollback()
            detail = "写入数据库时出错，未入库；请稍后重新运行（已入库的文件会识别为内容相同，不会重复入库）"
            results.append(Collected(item.path.name, item.unit.name if item.unit else "", FAILED, detail))
    return results


def _store_batch(session: Session, units: dict, batch: list[Checked]) -> list[Collected]:
    """Store the batch's submissions with a few statements for all of them (a batch of one on the retry).

    The units of the batch are locked first (in id order), then their newest versions are read in
    one query, so version numbers run on without gaps exactly as in :func:`~.service.store`; a file
    identical to its unit's newest version (also one earlier in the same batch) is not stored again.
    """
    todo = [item for item in batch if item.result is None]
    if not todo:
        return [item.result for item in batch]
    unit_ids = sorted({item.unit.id for item in todo})
    years = {item.report.year for item in todo}
    session.execute(update(Unit.__table__).where(Unit.id.in_(unit_ids)).values(active=Unit.active))
    newest: dict[tuple[int, int], tuple[int, str]] = {}
    rows = session.execute(
        select(Submission.unit_id, Submission.year, Submission.version_no, Submission.sha256).where(
            Submission.unit_id.in_(unit_ids), Submission.year.in_(years)
        )
    )
    for unit_id, year, version_no, digest in rows:
        if version_no > newest.get((unit_id, year), (0, ""))[0]:
            newest[(unit_id, year)] = (version_no, digest)
    results: dict[int, Collected] = {}
    new: list[tuple[Checked, dict]] = []
    for index, item in enumerate(batch):
        if item.result is not None:
            results[index] = item.result
            continue
        unit, report = units[item.unit.id], item.report
        version_no, digest = newest.get((unit.id, report.year), (0, ""))
        warnings = report.counts[WARNING]
        state = PENDING if warnings else ACCEPTED
        fields = submission_fields(report, version_no + 1, item.data, item.path.name, None, "collect", None, state)
        if fields["sha256"] == digest:
            results[index] = Collected(item.path.name, unit.name, SAME)
            continue
        newest[(unit.id, report.year)] = (version_no + 1, fields["sha256"])
        new.append((item, {"unit_id": unit.id, **fields}))
        detail = f"{warnings} 处提示" if warnings else ""
        results[index] = Collected(item.path.name, unit.name, PENDING_TEXT if warnings else STORED, detail)
    if new:
        ids = session.scalars(
            insert(Submission).returning(Submission.id, sort_by_parameter_order=True), [fields for _, fields in new]
        ).all()
        cells = [
            row for (item, _), id_ in zip(new, ids, strict=True) for row in cell_rows(id_, item.typed, item.report)
        ]
        session.connection().execute(insert(CellValue.__table__), cells)
    return [results[index] for index in range(len(batch))]
