"""汇总: the sum of every unit's latest accepted submission, in the official layout.

All table cells are additive (FORMS.md §8.4), so the sum of valid reports is
valid. Versions are never mixed: only submissions in the format version of
the report year are summed; others are listed as excluded with the reason.
Derived totals are recomputed from the summed inputs. Registered units that
are not counted (未提交, only a returned or pending version) are named with
the reason, in the workbook and on the board before the download.

The database does the sums (SUM … GROUP BY cell key over each unit's newest
accepted submission), and the per-unit sheets are streamed into the saved
workbook in chunks of units, so time and memory stay flat in the number of
units: only one small record per unit is held, never its cells or its file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

from openpyxl.styles import Font
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ServerError
from ..forms import form_for_year
from ..forms.model import Form
from ..xlsx.append import Rows
from ..xlsx.append import append_rows
from ..xlsx.template import make_workbook
from .board import local_time
from .models import PENDING
from .models import RETURNED
from .models import Account
from .models import CellValue
from .models import Submission
from .models import Unit
from .service import _require_district
from .service import accepted_clause
from .service import latest
from .service import name_key

INCLUDED_SHEET = "汇总单位"
DETAIL_SHEET = "分单位明细"
DETAIL_CHUNK = 500
"""Units whose cells are read from the database at a time for 分单位明细."""


@dataclass
class Aggregate:
    """The sums of one report year."""

    year: int
    form: Form
    values: dict[str, float] = field(default_factory=dict)
    included: list[Counted] = field(default_factory=list)
    excluded: list[tuple[Counted, str]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """Active units without an accepted submission of the year: (name, why), in pinyin order."""


@dataclass(frozen=True, slots=True)
class Named:
    """A unit as the 汇总 lists it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Counted:
    """A unit's newest accepted submission as the 汇总 lists it: a few fields, never its file, report or cells."""

    id: int
    unit: Named
    version_no: int
    submitted_at: dt.datetime
    form_version: str


def aggregate(session: Session, actor: Account, year: int) -> Aggregate:
    """Sum the latest accepted submission of every unit for a year (district only)."""
    _require_district(actor)
    form = form_for_year(year)
    if form is None:
        raise ServerError(f"{year}年度没有对应的报表格式。", status=422)
    result = Aggregate(year, form)
    for submission in sorted(_counted(session, year), key=lambda s: name_key(s.unit.name)):
        if submission.form_version != form.version:
            reason = f"使用了 {submission.form_version} 年版格式，{year}年度应为 {form.version} 年版，不同版本不能相加"
            result.excluded.append((submission, reason))
        else:
            result.included.append(submission)
    totals = dict(
        session.execute(
            select(CellValue.key, func.sum(CellValue.value))
            .where(CellValue.submission_id.in_(_newest_accepted(year).where(Submission.form_version == form.version)))
            .group_by(CellValue.key)
        ).all()
    )
    inputs = [key for key, cell in form.cells.items() if not cell.derived]
    result.values = _with_totals(form, {key: _number(totals.get(key) or 0) for key in inputs})
    result.left_out = left_out(session, year)
    return result


NOT_COUNTED = {
    None: "未提交",
    RETURNED: "已退回，没有通过的版本",
    PENDING: "有提示待说明，补充审核说明后计入",
}
"""Why a unit is not in the 汇总, by the state of its newest submission of the year (None: none)."""


def left_out(session: Session, year: int) -> list[tuple[str, str]]:
    """Active units the 汇总 of a year does not count, each with the reason (pinyin order).

    Only the units left out are sorted and have their newest submission read (the sort by pinyin
    costs more than the queries: a district of 10,000 units leaves out a few dozen).
    """
    counted = set(session.scalars(select(Submission.unit_id).where(Submission.id.in_(_newest_accepted(year)))))
    missing = [
        (unit_id, name)
        for unit_id, name, active in session.execute(select(Unit.id, Unit.name, Unit.active))
        if active and unit_id not in counted
    ]
    newest = latest(session, year, unit_ids=[unit_id for unit_id, _ in missing])
    missing.sort(key=lambda unit: name_key(unit[1]))
    return [
        (name, NOT_COUNTED.get(getattr(newest.get(unit_id), "state", None), "没有通过的版本"))
        for unit_id, name in missing
    ]


def _newest_accepted(year: int):
    """SELECT of the ids of each unit's newest accepted submission of a year."""
    newest = (
        select(Submission.unit_id, func.max(Submission.version_no).label("version_no"))
        .where(Submission.year == year, accepted_clause())
        .group_by(Submission.unit_id)
        .subquery()
    )
    return (
        select(Submission.id)
        .join(newest, and_(Submission.unit_id == newest.c.unit_id, Submission.version_no == newest.c.version_no))
        .where(Submission.year == year)
    )


def _counted(session: Session, year: int) -> list[Counted]:
    """Each unit's newest accepted submission, as plain records (ORM objects would cost kilobytes per unit)."""
    query = (
        select(
            Submission.id, Unit.id, Unit.name, Submission.version_no, Submission.submitted_at, Submission.form_version
        )
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.id.in_(_newest_accepted(year)))
    )
    rows = session.connection().execute(query)
    return [Counted(id_, Named(unit_id, name), number, at, version) for id_, unit_id, name, number, at, version in rows]


def _number(value: float) -> int | float:
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def _with_totals(form: Form, inputs: dict) -> dict:
    out = dict(inputs)

    def total(key: str):
        if key not in form.definitions:
            return out.get(key, 0)
        return sum(total(part) for part in form.definitions[key])

    for key in form.definitions:
        out[key] = _number(total(key))
    return out


def aggregate_workbook(session: Session, actor: Account, year: int, district_name: str) -> bytes:
    """The 汇总 workbook: official template with the sums, plus the units included and their details."""
    result = aggregate(session, actor, year)
    header = {"unit": f"{district_name}（汇总）", "year": year}
    book = make_workbook(result.form.version, result.values, header)
    _included_sheet(book, result)
    inputs = _detail_sheet(book, result)
    out = io.BytesIO()
    book.save(out)
    listed = len(result.included) + len(result.excluded) + len(result.left_out)
    return append_rows(
        out.getvalue(),
        {
            INCLUDED_SHEET: Rows(_included_rows(result), listed, 6),
            DETAIL_SHEET: Rows(_detail_rows(session, result, inputs), len(result.included) + 1, 2 + len(inputs)),
        },
    )


def _before_meta(book) -> int:
    return len(book.sheetnames) - 1


def _included_sheet(book, result: Aggregate) -> None:
    sheet = book.create_sheet(INCLUDED_SHEET, _before_meta(book))
    missing = len(result.excluded) + len(result.left_out)
    sheet.append(
        [
            f"{result.year}年度汇总包含 {len(result.included)} 个单位（每个单位最新一次通过的提交）"
            + (f"；未计入 {missing} 个单位，原因列在下面" if missing else "")
        ]
    )
    sheet.append(["序号", "单位", "版本", "提交时间", "格式", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (6, 30, 6, 18, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def _included_rows(result: Aggregate) -> Iterator[list]:
    """One row per unit counted, then one per unit left out with the reason (streamed after the header)."""
    for number, submission in enumerate(result.included, start=1):
        yield [number, *_listed(submission), "已计入"]
    for submission, reason in result.excluded:
        yield ["", *_listed(submission), f"未计入：{reason}"]
    for name, reason in result.left_out:
        yield ["", name, "", "", "", f"未计入：{reason}"]


def _listed(submission: Counted) -> list:
    return [submission.unit.name, submission.version_no, local_time(submission.submitted_at), submission.form_version]


def _detail_sheet(book, result: Aggregate) -> list:
    """The 分单位明细 sheet's header (its rows are streamed); returns the input cells, its columns."""
    sheet = book.create_sheet(DETAIL_SHEET, _before_meta(book))
    inputs = [cell for cell in result.form.cells.values() if not cell.derived]
    sheet.append(["单位", "版本"] + [f"{cell.table.name} {cell.label}" for cell in inputs])
    sheet.append(["（单元格键，供程序使用）", ""] + [cell.key for cell in inputs])
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 30
    return inputs


def _detail_rows(session: Session, result: Aggregate, inputs: list) -> Iterator[list]:
    """Each counted unit's input cells, read from the database a chunk of units at a time; then the sums."""
    keys = [cell.key for cell in inputs]
    for start in range(0, len(result.included), DETAIL_CHUNK):
        chunk = result.included[start : start + DETAIL_CHUNK]
        values = {submission.id: {} for submission in chunk}
        for submission_id, key, value in _stored_cells(session, list(values)):
            values[submission_id][key] = value
        for submission in chunk:
            cells = values[submission.id]
            yield [submission.unit.name, submission.version_no, *map(cells.get, keys)]
    yield ["合计", ""] + [result.values[cell.key] for cell in inputs]


def _stored_cells(session: Session, submission_ids: list[int]) -> list[tuple]:
    """(submission id, key, value) of every cell of the submissions, as the database driver's plain tuples.

    2 million cells make a 汇总 of 10,000 units; building a SQLAlchemy row of each took longer
    than the query itself, so this one query goes to the driver's cursor, in the transaction
    of the session.
    """
    if not submission_ids:
        return []
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    table, columns = CellValue.__table__, ("submission_id", "key", "value")
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"SELECT {', '.join(quote(table.c[name].name) for name in columns)} FROM {quote(table.name)}"
        f" WHERE {quote(table.c.submission_id.name)} IN ({', '.join([mark] * len(submission_ids))})"
    )
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, submission_ids)
        return cursor.fetchall()
    finally:
        cursor.close()
