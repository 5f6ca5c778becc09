"""Workbooks and accounts for the district tests."""

from __future__ import annotations

import io

from builders import consistent_values
from builders import header_for
from builders import with_totals

from server.district import service
from server.forms import get_form
from server.forms.derive import cell_key
from server.xlsx.template import make_workbook


def workbook(unit: str, year: int = 2025, seed: int = 1, version: str | None = None, **changes) -> bytes:
    """A consistent workbook of a unit and year, with changes, as .xlsx bytes."""
    version = version or ("2021" if year >= 2021 else "2019")
    form = get_form(version)
    values = {**values_of(year, seed, version), **changes}
    book = make_workbook(version, values, header_for(form, unit=unit, year=year, date=f"{year + 1}-01-15"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def values_of(year: int = 2025, seed: int = 1, version: str | None = None) -> dict:
    """The values :func:`workbook` writes: consistent, and 规章 0 as for a 街道 or 乡镇 (P4)."""
    values = consistent_values(get_form(version or ("2021" if year >= 2021 else "2019")), seed=seed)
    return {key: 0 if key.startswith("t1.rules.") else value for key, value in values.items()}


def setup(session):
    """A district account and two units A and B; returns (district, a, b) accounts."""
    service.create_district_account(session, "admin", "区政务公开办", password="district-pass")
    unit_a, _ = service.register_unit(session, "甲街道办事处", "街道办事处")
    unit_b, _ = service.register_unit(session, "乙镇人民政府", "乡镇")
    session.commit()
    district = service.authenticate(session, "admin", "district-pass")
    a = next(acc for acc in unit_a.accounts)
    b = next(acc for acc in unit_b.accounts)
    return district, a, b


def values_with_carry_in(year: int, seed: int, carry: dict) -> dict:
    """Consistent values whose 二、上年结转 is ``carry`` (last year's 四 by column key)."""
    form = get_form("2021" if year >= 2021 else "2019")
    values = {k: v for k, v in values_of(year, seed).items() if k not in form.definitions}
    for column in ("c_natural", "c_commercial", "c_research", "c_welfare", "c_legal", "c_other"):
        values[f"t2.carry_in.{column}"] = carry[column]
        results = sum(
            values[f"t2.{row.key}.{column}"]
            for row in form.table("t2").rows
            if row.key not in ("new", "carry_in", "total", "carry_out")
        )
        new = results + values[f"t2.carry_out.{column}"] - carry[column]
        if new < 0:
            values[f"t2.open.{column}"] -= new
            new = 0
        values[f"t2.new.{column}"] = new
    return with_totals(form, values)


def workbook_of(unit: str, year: int, values: dict) -> bytes:
    """A workbook with exactly these values."""
    version = "2021" if year >= 2021 else "2019"
    book = make_workbook(version, values, header_for(get_form(version), unit=unit, year=year, date=f"{year + 1}-01-15"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def next_year_values(year: int, seed: int, last: dict) -> dict:
    """Consistent values of a year that also pass the cross-year rules (X1–X4) against last year's values.

    上年结转 carries last year's 结转下年 (the balance kept through 新收), and
    every declared cross-year equality (现行有效 = 上年现行有效 + 制发 − 废止)
    is made to hold, with what it subtracts kept no larger than what last year had.
    """
    form = get_form("2021" if year >= 2021 else "2019")
    carry = {key.rsplit(".", 1)[1]: value for key, value in last.items() if key.startswith("t2.carry_out.")}
    values = {k: v for k, v in values_with_carry_in(year, seed, carry).items() if k not in form.definitions}
    for check in form.checks:
        if check.op != "==" or not any(term.year == -1 for term in check.right):
            continue
        for row, column in [(row, None) for row in check.rows] + [(None, column) for column in check.columns]:
            keys = [_term_key(check, term, row, column) for term in check.right]
            before = sum(
                t.coef * last[k] for t, k in zip(check.right, keys, strict=True) if t.year == -1 and t.coef > 0
            )
            for term, key in zip(check.right, keys, strict=True):
                if term.year == 0 and term.coef < 0:
                    values[key] = min(values[key], before)
            source = {0: values, -1: last}
            total = sum(t.coef * source[t.year][k] for t, k in zip(check.right, keys, strict=True))
            values[_term_key(check, check.left[0], row, column)] = total
    return with_totals(form, {k: v for k, v in values.items() if k not in form.definitions})


def _term_key(check, term, row: str | None, column: str | None) -> str:
    """The cell a term of a declared check stands for, applied at a row or a column."""
    return cell_key(check.table, term.row or row, term.column or column)
