"""Header fields: parsing (报告年度, 填报日期) and their rules (P10, P11, X5).

The header keys used in addresses and findings are ``header.<field key>``,
for example ``header.year``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping

from ..findings import CellRef
from ..forms import form_for_year
from ..readings import strip_invisible
from .base import Context
from .base import Header
from .plausibility import TOWN

DEADLINES = (
    ("县级以上人民政府", (3, 31)),
    ("县级以上人民政府部门", (1, 31)),
)
"""条例第四十九条: a government's report is published by 31 March, its departments' by 31 January
of the following year. 街道/乡镇 deadlines are set locally (FORMS.md §8.3)."""

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_header(raw: Mapping[str, object] | None) -> Header:
    """Read the header fields a door found (values as typed)."""
    raw = raw or {}
    year_raw = _blank_to_none(raw.get("year"))
    date_raw = _blank_to_none(raw.get("date"))
    return Header(
        unit=_text(raw.get("unit")),
        year=parse_year(year_raw),
        year_raw=year_raw,
        preparer=_text(raw.get("preparer")),
        phone=_text(raw.get("phone")),
        date=parse_date(date_raw),
        date_raw=date_raw,
    )


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    text = re.sub(r"\s+", " ", strip_invisible(str(value))).strip()
    return text or None


def parse_year(value: object) -> int | None:
    """2025, 2025.0, '2025', '2025年', '２０２５年度' -> 2025; anything else -> None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN or infinity (a JSON payload can carry them)
    if isinstance(value, (int, float)):
        year = int(value) if value == int(value) else None
    else:
        match = re.fullmatch(r"(\d{4})\s*年?度?", unicodedata.normalize("NFKC", strip_invisible(str(value))).strip())
        year = int(match.group(1)) if match else None
    return year if year is not None and 2000 <= year <= 2100 else None


def parse_date(value: object) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text such as 2026年1月20日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, str):
        match = _DATE_TEXT.search(unicodedata.normalize("NFKC", value))
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


def run(ctx: Context) -> None:
    """Header rules: required fields, year, version vs year, date."""
    header = ctx.header
    for field in ctx.form.header_fields:
        if field.required and getattr(header, field.key) is None and _raw(header, field.key) is None:
            _missing(ctx, field)
    if header.year_raw is not None and header.year is None:
        ctx.add(
            ctx.finding(
                "header.year_invalid",
                "header.year",
                params={"raw": header.year_raw, "example": _example_year()},
                actual=header.year_raw,
                expected="四位年份",
                table=None,
            )
        )
    if header.year is not None:
        _version_year(ctx, header.year)
    _date(ctx, header)


def _raw(header: Header, key: str) -> object:
    return {"year": header.year_raw, "date": header.date_raw}.get(key)


def _example_year() -> int:
    return dt.date.today().year - 1


def _missing(ctx: Context, field) -> None:
    ctx.report.outcome("header.missing").failed += 1
    params = {"label": field.label, "where": ctx.where(f"header.{field.key}"), "help": field.help}
    ctx.add(
        ctx.finding(
            "header.missing",
            f"header.{field.key}",
            params=params,
            actual=None,
            expected=field.help or field.label,
            cells=(_ref(ctx, field.key, None),),
        )
    )


def _version_year(ctx: Context, year: int) -> None:
    outcome = ctx.report.outcome("header.version_year")
    if ctx.form.applies_to(year):
        outcome.passed += 1
        return
    right = form_for_year(year)
    if right is None:
        outcome.undecided += 1
        return
    outcome.failed += 1
    expected = f"{right.version}年版{right.name}"
    actual = f"{ctx.form.version}年版{ctx.form.name}"
    params = {"year": year, "expected": expected, "actual": actual}
    ctx.add(
        ctx.finding(
            "header.version_year",
            "header.year",
            params=params,
            expected=right.version,
            actual=ctx.form.version,
            check="P10",
            cells=(_ref(ctx, "year", year),),
        )
    )


def _date(ctx: Context, header: Header) -> None:
    if header.date_raw is None:
        return
    if header.date is None:
        ctx.add(
            ctx.finding(
                "header.date_invalid",
                "header.date",
                params={"raw": header.date_raw},
                actual=header.date_raw,
                expected="日期",
            )
        )
        return
    _date_late(ctx, header)
    outcome = ctx.report.outcome("header.date_early")
    if header.year is None:
        outcome.undecided += 1
        return
    period_end = dt.date(header.year, 12, 31)
    if header.date > period_end:
        outcome.passed += 1
        return
    outcome.failed += 1
    params = {"date": header.date.isoformat(), "year": header.year}
    ctx.add(
        ctx.finding(
            "header.date_early",
            "header.date",
            params=params,
            actual=header.date.isoformat(),
            expected=f"晚于 {period_end.isoformat()}",
            check="P11",
            cells=(_ref(ctx, "date", header.date.isoformat()),),
        )
    )


def statutory_deadline(unit: str, year: int) -> tuple[str, dt.date] | None:
    """(kind of unit, deadline) for publishing ``year``'s report; None for a 街道/乡镇 (local rules)."""
    if TOWN.search(unit):
        return None
    kind, (month, day) = DEADLINES[0] if unit.endswith("人民政府") else DEADLINES[1]
    return kind, dt.date(year + 1, month, day)


def _date_late(ctx: Context, header: Header) -> None:
    """P11: the report is dated after the statutory publication deadline."""
    if header.year is None or not header.unit:
        ctx.report.outcome("header.date_late").undecided += 1
        return
    statutory = statutory_deadline(header.unit, header.year)
    if statutory is None:
        return  # deadlines of 街道/乡镇 are set by local rules: nothing to check
    kind, deadline = statutory
    outcome = ctx.report.outcome("header.date_late")
    if header.date <= deadline:
        outcome.passed += 1
        return
    outcome.failed += 1
    date = header.date.isoformat()
    ctx.add(
        ctx.finding(
            "header.date_late",
            "header.date",
            params={"date": date, "kind": kind, "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
            actual=date,
            expected=f"不晚于 {deadline.isoformat()}",
            check="P11",
            cells=(_ref(ctx, "date", date),),
        )
    )


def _ref(ctx: Context, key: str, value: object) -> CellRef:
    sheet, a1 = ctx.address(f"header.{key}")
    return CellRef(f"header.{key}", sheet, a1, ctx.label(f"header.{key}"), value, "cell")


def run_cross(ctx: Context) -> None:
    """X5 unit name and the year of last year's report."""
    last = ctx.last_year
    if last is None:
        return
    this_unit, last_unit = ctx.header.unit, last.header.unit
    if this_unit and last_unit and _squash(this_unit) != _squash(last_unit):
        params = {"last": last_unit, "this": this_unit}
        ctx.add(
            ctx.finding(
                "cross.unit_changed",
                "header.unit",
                params=params,
                expected=last_unit,
                actual=this_unit,
                check="X5",
                cells=(_ref(ctx, "unit", this_unit),),
            )
        )
    if ctx.header.year and last.header.year and last.header.year != ctx.header.year - 1:
        params = {"last": last.header.year, "expected": ctx.header.year - 1}
        ctx.add(
            ctx.finding(
                "cross.year_gap",
                "header.year",
                params=params,
                expected=ctx.header.year - 1,
                actual=last.header.year,
                cells=(_ref(ctx, "year", ctx.header.year),),
            )
        )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
