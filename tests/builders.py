"""Value sets built from the form definitions: consistent reports and deliberate breaks.

Nothing here lists rows by hand: consistency comes from the form's own
sum and balance declarations, so the builders work for any format version.
"""

from __future__ import annotations

import random

from server.forms import get_form
from server.forms.derive import cell_key
from server.forms.model import Domain
from server.forms.model import Form

PLAUSIBLE_UNIT = "某某市某某局"
"""A unit name that triggers no unit-based plausibility rule (P4, P6)."""


def header_for(form: Form, **changes) -> dict:
    """A complete, plausible header for a report year the form applies to."""
    year = form.last_year or form.first_year + 4
    header = {
        "unit": PLAUSIBLE_UNIT,
        "year": year,
        "preparer": "张三",
        "phone": "0571-12345678",
        "date": f"{year + 1}-01-15",
    }
    header.update(changes)
    return header


def zero_values(form: Form, *, totals: bool = True) -> dict:
    """Every input 0; totals 0 too when ``totals``, else left out (blank)."""
    return {key: 0 for key, cell in form.cells.items() if totals or not cell.derived}


def with_totals(form: Form, values: dict) -> dict:
    """The values with every derived cell set to the sum of its parts."""
    out = dict(values)
    for key in form.cells:
        if key in form.definitions:
            out[key] = _total(form, out, key)
    return out


def _total(form: Form, values: dict, key: str):
    parts = form.definitions.get(key)
    if parts is None:
        return values.get(key) or 0
    return sum(_total(form, values, part) for part in parts)


def without_totals(form: Form, values: dict) -> dict:
    """The values with every derived cell removed (blank)."""
    return {key: value for key, value in values.items() if key not in form.definitions}


def consistent_values(form: Form | str, seed: int = 0, high: int = 9) -> dict:
    """A random report whose identities and plausibility rules all hold, totals typed."""
    form = get_form(form) if isinstance(form, str) else form
    rng = random.Random(seed)
    values = {key: _random(rng, cell.domain, high) for key, cell in form.cells.items() if not cell.derived}
    _make_plausible(form, values)
    for table in form.tables:
        for balance in table.balances:
            _balance(form, table, balance, values)
    _cases_need_applications(form, values)
    return with_totals(form, values)


def _random(rng: random.Random, domain: Domain, high: int):
    if domain is Domain.AMOUNT:
        return round(rng.uniform(0, high * 10), 4)
    if domain is Domain.SIGNED:
        return rng.randint(0, high)
    return rng.randint(0, high)


def _balance(form: Form, table, balance, values: dict) -> None:
    """Make Σ left = Σ right per column by setting the first left row; keep it ≥ 0 and P7 quiet."""
    for column in table.block_of(balance.closing).columns:
        keys = {row: cell_key(table.key, row, column.key) for row in balance.left + balance.right}
        if keys[balance.left[0]] in form.definitions:
            continue
        for row in balance.left[1:] + (balance.closing,):
            values[keys[row]] = min(values[keys[row]], 1)
        right = sum(_total(form, values, keys[row]) for row in balance.right)
        others = sum(_total(form, values, keys[row]) for row in balance.left[1:])
        if right < others:
            for row in balance.left[1:]:
                values[keys[row]] = 0
            others = 0
        values[keys[balance.left[0]]] = right - others


def _make_plausible(form: Form, values: dict) -> None:
    """Adjust random inputs so that no single-year plausibility rule fires."""
    for check in form.checks:
        if any(term.year for term in check.left + check.right):
            continue
        for row in check.rows:
            left = cell_key(check.table, row, check.left[0].column)
            right = cell_key(check.table, row, check.right[0].column)
            if check.op == "<=":
                values[right] = max(values[right], values[left])
            elif check.op == ">=" and check.right[0].coef > 0:
                values[left] = max(values[left], values[right])
    for special in form.specials:
        if special.rule == "plaus.items_as_decisions":
            table = special.param("table")
            for row in special.param("rows"):
                previous, change, decisions = (
                    cell_key(table, row, special.param(p)) for p in ("previous", "change", "decisions")
                )
                values[decisions] = values[previous] + values[change] + 1


def _cases_need_applications(form: Form, values: dict) -> None:
    """P8: without any application, report no 复议/诉讼 case either."""
    for special in form.specials:
        if special.rule == "plaus.cases_without_applications":
            if not sum(_total(form, values, key) for key in special.param("applications")):
                for key, cell in form.cells.items():
                    if cell.table.key == special.param("cases") and not cell.derived:
                        values[key] = 0
