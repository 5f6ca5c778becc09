"""Workbooks and accounts for the district tests."""

from __future__ import annotations

import io

from builders import consistent_values
from builders import header_for
from builders import with_totals

from server.district import service
from server.forms import get_form
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
