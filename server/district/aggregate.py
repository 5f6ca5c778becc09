"""汇总: the sum of every unit's latest accepted submission, in the official layout.

All table cells are additive (FORMS.md §8.4), so the sum of valid reports is
valid. Versions are never mixed: only submissions in the format version of
the report year are summed; others are listed as excluded with the reason.
Derived totals are recomputed from the summed inputs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from openpyxl.styles import Font
from sqlalchemy.orm import Session

from ..errors import ServerError
from ..forms import form_for_year
from ..forms.model import Form
from ..xlsx.template import make_workbook
from .board import local_time
from .models import Account
from .models import Submission
from .service import _require_district
from .service import latest_accepted
from .service import name_key

INCLUDED_SHEET = "汇总单位"
DETAIL_SHEET = "分单位明细"


@dataclass
class Aggregate:
    """The sums of one report year."""

    year: int
    form: Form
    values: dict[str, float] = field(default_factory=dict)
    included: list[Submission] = field(default_factory=list)
    excluded: list[tuple[Submission, str]] = field(default_factory=list)


def aggregate(session: Session, actor: Account, year: int) -> Aggregate:
    """Sum the latest accepted submission of every unit for a year (district only)."""
    _require_district(actor)
    form = form_for_year(year)
    if form is None:
        raise ServerError(f"{year}年度没有对应的报表格式。", status=422)
    result = Aggregate(year, form)
    for submission in sorted(latest_accepted(session, year).values(), key=lambda s: name_key(s.unit.name)):
        if submission.form_version != form.version:
            reason = f"使用了 {submission.form_version} 年版格式，{year}年度应为 {form.version} 年版，不同版本不能相加"
            result.excluded.append((submission, reason))
        else:
            result.included.append(submission)
    inputs = [key for key, cell in form.cells.items() if not cell.derived]
    stored = [{cell.key: cell.value for cell in s.cells} for s in result.included]
    sums = {key: _number(sum(values.get(key) or 0 for values in stored)) for key in inputs}
    result.values = _with_totals(form, sums)
    return result


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
    _detail_sheet(book, result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _before_meta(book) -> int:
    return len(book.sheetnames) - 1


def _included_sheet(book, result: Aggregate) -> None:
    sheet = book.create_sheet(INCLUDED_SHEET, _before_meta(book))
    sheet.append([f"{result.year}年度汇总包含 {len(result.included)} 个单位（每个单位最新一次通过的提交）"])
    sheet.append(["序号", "单位", "版本", "提交时间", "格式", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, submission in enumerate(result.included, start=1):
        sheet.append(
            [
                number,
                submission.unit.name,
                submission.version_no,
                local_time(submission.submitted_at),
                submission.form_version,
                "已计入",
            ]
        )
    for submission, reason in result.excluded:
        sheet.append(
            [
                "",
                submission.unit.name,
                submission.version_no,
                local_time(submission.submitted_at),
                submission.form_version,
                f"未计入：{reason}",
            ]
        )
    for letter, width in zip("ABCDEF", (6, 30, 6, 18, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def _detail_sheet(book, result: Aggregate) -> None:
    sheet = book.create_sheet(DETAIL_SHEET, _before_meta(book))
    inputs = [cell for cell in result.form.cells.values() if not cell.derived]
    sheet.append(["单位", "版本"] + [f"{cell.table.name} {cell.label}" for cell in inputs])
    sheet.append(["", ""] + [cell.key for cell in inputs])
    for submission in result.included:
        values = {cell.key: cell.value for cell in submission.cells}
        sheet.append([submission.unit.name, submission.version_no] + [values.get(cell.key) for cell in inputs])
    sheet.append(["合计", ""] + [result.values[cell.key] for cell in inputs])
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 30
