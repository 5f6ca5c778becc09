"""Declared comparisons of the form: plausibility P1–P3 and cross-year X1–X4.

A :class:`~server.forms.model.Check` is applied to each row (or column) it
names. Terms with ``year=-1`` read last year's values and make the check a
cross-year rule, which runs only when last year's report is given. A check
that names a cell one of the two forms does not have is not applicable (for
example X2 across the 2020→2021 format change).
"""

from __future__ import annotations

import operator

from ..findings import CellRef
from ..forms.derive import cell_key
from ..forms.model import Check
from ..forms.model import Term
from .base import Context

_OPS = {"==": operator.eq, "<=": operator.le, ">=": operator.ge}
_OP_TEXT = {"==": "", "<=": "≤ ", ">=": "≥ "}
_TOLERANCE = 1e-6


def run(ctx: Context) -> None:
    """Evaluate every declared check of the form."""
    for check in ctx.form.checks:
        cross = any(term.year == -1 for term in check.left + check.right)
        if cross and (ctx.last_year is None or not ctx.last_year.comparable):
            continue
        for row, column in _positions(ctx, check):
            _apply(ctx, check, row, column)


def _positions(ctx: Context, check: Check) -> list[tuple[str | None, str | None]]:
    rows = check.rows or (None,)
    columns = check.columns or (None,)
    return [(row, column) for row in rows for column in columns]


def _resolve(check: Check, term: Term, row: str | None, column: str | None) -> str:
    return cell_key(check.table, term.row or row, term.column or column)


def _apply(ctx: Context, check: Check, row: str | None, column: str | None) -> None:
    sides = []
    for terms in (check.left, check.right):
        side = []
        for term in terms:
            key = _resolve(check, term, row, column)
            form = ctx.form if term.year == 0 else ctx.last_year.form
            if key not in form.cells:
                return
            values = ctx.values if term.year == 0 else ctx.last_year.values
            side.append((term, key, values.get(key)))
        sides.append(side)
    outcome = ctx.report.outcome(check.rule)
    if any(value is None for side in sides for _, _, value in side):
        outcome.undecided += 1
        for _, key, value in sides[0] + sides[1]:
            if value is None and key in ctx.form.cells:
                ctx.block(key, check.label, key)
        return
    left = sum(term.coef * value for term, _, value in sides[0])
    right = sum(term.coef * value for term, _, value in sides[1])
    if _holds(check.op, left, right):
        outcome.passed += 1
        return
    outcome.failed += 1
    ctx.add(_failure(ctx, check, sides, left, right))


def _holds(op: str, left: float, right: float) -> bool:
    if op == "==":
        return abs(left - right) <= _TOLERANCE
    return _OPS[op](left + (_TOLERANCE if op == ">=" else -_TOLERANCE), right)


def _number(value: float) -> int | float:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def _failure(ctx: Context, check: Check, sides, left: float, right: float):
    anchor = sides[0][0][1]
    expected = f"{_OP_TEXT[check.op]}{_number(right)}" if check.op != "==" else _number(right)
    params = {
        "check": check.name,
        "label": check.label,
        "where": ctx.where(anchor),
        "left_text": _side_text(ctx, sides[0]),
        "right_text": _side_text(ctx, sides[1]),
        "actual": _number(left),
        "expected": _number(right),
        "advice": check.advice,
    }
    cells = tuple(_ref(ctx, term, key, value) for side in sides for term, key, value in side)
    return ctx.finding(
        check.rule,
        anchor,
        "check",
        params=params,
        severity=check.severity,
        expected=expected,
        actual=_number(left),
        cells=cells,
        check=check.name,
    )


def _side_text(ctx: Context, side) -> str:
    parts = []
    for index, (term, key, _) in enumerate(side):
        sign = ("−" if term.coef < 0 else "+") if index else ("−" if term.coef < 0 else "")
        parts.append(f"{sign}{_term_label(ctx, term, key)}")
    return " ".join(parts)


def _term_label(ctx: Context, term: Term, key: str) -> str:
    form = ctx.form if term.year == 0 else ctx.last_year.form
    cell = form.cells[key]
    text = cell.column.label if term.column else cell.row.label
    return f"上年度“{text}”" if term.year == -1 else f"“{text}”"


def _ref(ctx: Context, term: Term, key: str, value) -> CellRef:
    if term.year == 0:
        return ctx.ref(key, "part")
    label = ctx.last_year.form.cells[key].label
    return CellRef(key, None, None, f"上年度 {label}", value, "last_year")
