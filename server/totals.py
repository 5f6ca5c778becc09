"""Totals and blanks: what the engine computes before checking (FORMS.md §5).

1. Classify every cell: typed, blank, or unreadable. A value the validator
   itself filled in on an earlier run (``autofilled``) counts as blank again,
   so it is recomputed rather than mistaken for the clerk's own typing.
2. Deduce blank inputs that the identities determine uniquely (the only
   unknown left in some identity, all identities agreeing, value in domain),
   e.g. 四、结转下年度继续办理 = 一 + 二 − 三（七）. Unreadable cells are
   solved the same way, but only to offer a hint; they are never filled.
3. Compute blank derived cells from their parts; other blank inputs count
   as 0. A typed total is never replaced: the identities judge it.
4. Report what was filled (grouped per table), what was deduced, and the
   blank inputs (one grouped warning per table). A table whose input cells
   are all blank was not filled in at all: one error (``table.blank``), so
   an empty template never passes as a report of zeros.
"""

from __future__ import annotations

from collections import defaultdict

from .findings import INFO
from .forms.cache import per_form
from .forms.model import Form
from .readings import UNREADABLE
from .readings import fits_domain
from .rules.base import Context

TYPED, BLANK, DEDUCED, COMPUTED, UNREAD = "typed", "blank", "deduced", "computed", "unreadable"
_SHOWN_CELLS = 8


def complete(ctx: Context) -> None:
    """Fill ``ctx.values``/``ctx.state`` and the report's filled values."""
    _classify(ctx)
    _deduce(ctx)
    _compute(ctx)
    _report(ctx)


def _classify(ctx: Context) -> None:
    readings, autofilled, state = ctx.readings, ctx.autofilled, ctx.state
    for key in ctx.form.cells:
        reading = readings[key]
        if reading.kind == UNREADABLE:
            state[key] = UNREAD
        elif reading.value is not None and (not autofilled or autofilled.get(key) != reading.value):
            state[key] = TYPED
        else:
            state[key] = BLANK


@per_form
def _tables(form: Form) -> tuple[tuple[object, tuple[str, ...], tuple[str, ...]], ...]:
    """Per table of a form: (table, its cell keys, its input keys)."""
    inputs = frozenset(_kinds(form)[0])
    tables = []
    for table in form.tables:
        keys = tuple(c.key for c in form.cells.values() if c.table is table)
        tables.append((table, keys, tuple(k for k in keys if k in inputs)))
    return tuple(tables)


def _nothing_to_deduce(ctx: Context) -> bool:
    """True when every input is typed and no cell is unreadable: every identity's unknowns are blank
    totals, which expand into typed cells, so no identity has an unknown left to determine."""
    inputs, totals = _states(ctx)
    return inputs <= {TYPED} and totals <= {TYPED, BLANK}


@per_form
def _kinds(form: Form) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(input cell keys, total cell keys) of a form."""
    return tuple(k for k in form.cells if k not in form.definitions), tuple(
        k for k in form.cells if k in form.definitions
    )


def _states(ctx: Context) -> tuple[set[str], set[str]]:
    """(the states the input cells are in, the states the totals are in)."""
    inputs, totals = _kinds(ctx.form)
    state = ctx.state.__getitem__
    return set(map(state, inputs)), set(map(state, totals))


# Deduction -------------------------------------------------------------------


def _deduce(ctx: Context) -> None:
    if _nothing_to_deduce(ctx):
        return
    memo: dict[str, dict[str, int]] = {}
    equations = [_equation(ctx, identity, memo) for identity in ctx.form.identities]
    solved: dict[str, float] = {}
    excluded: set[str] = set()
    while True:
        candidates = _candidates(equations, solved, excluded)
        progress = False
        for key, found in candidates.items():
            values = {value for value, _ in found}
            domain = ctx.form.cells[key].domain
            if len(values) == 1 and fits_domain(next(iter(values)), domain):
                solved[key] = next(iter(values))
                ctx.deduced_by[key] = found[0][1]
                progress = True
            else:
                excluded.add(key)
        if not progress:
            break
    for key, value in solved.items():
        if ctx.state[key] == UNREAD:
            ctx.solved[key] = value
        else:
            ctx.state[key] = DEDUCED
            ctx.values[key] = value


def _equation(ctx: Context, identity, memo: dict) -> tuple[float, dict[str, float], str]:
    """(known part, unknown coefficients, label) of ``Σ left − Σ right = 0``."""
    known = 0.0
    unknown: dict[str, float] = defaultdict(float)
    for key, coef in identity.terms.items():
        for leaf, leaf_coef in _leaves(ctx, key, memo).items():
            if ctx.state[leaf] == TYPED:
                known += coef * leaf_coef * ctx.readings[leaf].value
            else:
                unknown[leaf] += coef * leaf_coef
    return known, {k: c for k, c in unknown.items() if c}, identity.label


def _leaves(ctx: Context, key: str, memo: dict) -> dict[str, int]:
    """A cell as a sum of cells that are not blank totals (memoised for one run)."""
    if key in memo:
        return memo[key]
    parts = ctx.form.definitions.get(key)
    if parts is None or ctx.state[key] != BLANK:
        memo[key] = {key: 1}
        return memo[key]
    out: dict[str, int] = defaultdict(int)
    for part in parts:
        for leaf, coef in _leaves(ctx, part, memo).items():
            out[leaf] += coef
    memo[key] = out
    return out


def _candidates(equations, solved: dict, excluded: set) -> dict[str, list[tuple[float, str]]]:
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for known, unknown, label in equations:
        open_terms = {k: c for k, c in unknown.items() if k not in solved}
        if len(open_terms) != 1:
            continue
        ((key, coef),) = open_terms.items()
        if key in excluded:
            continue
        rest = known + sum(c * solved[k] for k, c in unknown.items() if k in solved)
        value = round(-rest / coef, 10)
        found[key].append((int(value) if value == int(value) else value, label))
    return found


# Computation -------------------------------------------------------------------


def _compute(ctx: Context) -> None:
    if not ctx.values:
        inputs, totals = _states(ctx)
        if inputs | totals == {TYPED}:  # totals typed: every cell is what the clerk typed
            readings = ctx.readings
            for key in ctx.form.cells:
                ctx.values[key] = readings[key].value
            return
        if inputs == {TYPED} and totals == {BLANK}:  # totals left blank: each is the sum of its parts
            _sum_every_total(ctx)
            return
    for key in ctx.form.cells:
        _value(ctx, key)


@per_form
def _evaluation_order(form: Form) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """(key, parts of a total or None) in the order :func:`_value` computes them when every total is blank:
    each cell in form order, a total after its parts."""
    order: dict[str, tuple[str, ...] | None] = {}

    def visit(key: str) -> None:
        if key in order:
            return
        parts = form.definitions.get(key)
        for part in parts or ():
            visit(part)
        order[key] = parts

    for key in form.cells:
        visit(key)
    return tuple(order.items())


def _sum_every_total(ctx: Context) -> None:
    """What :func:`_value` gives when every input is typed and every total blank, without the recursion."""
    values, state, readings = ctx.values, ctx.state, ctx.readings
    for key, parts in _evaluation_order(ctx.form):
        if parts is None:
            values[key] = readings[key].value
        else:
            values[key] = round(sum([values[part] for part in parts]), 10)
            state[key] = COMPUTED


def _value(ctx: Context, key: str):
    if key in ctx.values or key in ctx.blockers:
        return ctx.values.get(key)
    state = ctx.state[key]
    parts = ctx.form.definitions.get(key)
    if state == TYPED:
        value = ctx.readings[key].value
    elif state == UNREAD:
        value = None
        ctx.blockers[key] = frozenset({key})
    elif parts is None:
        value = 0
    else:
        value = _sum_parts(ctx, key, parts)
    if value is not None:
        ctx.values[key] = value
    return value


def _sum_parts(ctx: Context, key: str, parts: tuple[str, ...]):
    values = [_value(ctx, part) for part in parts]
    if any(v is None for v in values):
        ctx.blockers[key] = frozenset().union(*(ctx.blockers.get(p, frozenset()) for p in parts))
        return None
    ctx.state[key] = COMPUTED
    return round(sum(values), 10)


# Reporting -------------------------------------------------------------------


def _report(ctx: Context) -> None:
    report = ctx.report
    for key, state in ctx.state.items():
        if state in (DEDUCED, COMPUTED):
            report.filled[key] = ctx.values[key]
    # Our own earlier fills that can no longer be computed are emptied again.
    report.cleared = [
        k for k in ctx.autofilled if ctx.state.get(k) == BLANK and ctx.readings[k].usable and k not in report.filled
    ]
    state = ctx.state
    if ctx.deduced_by:  # a cell is deduced only with the identity that determined it
        for key in ctx.form.cells:
            if state[key] == DEDUCED:
                _deduced_finding(ctx, key)
    for table, keys, inputs in _tables(ctx.form):
        _filled_finding(ctx, table, [k for k in keys if state[k] == COMPUTED])
        blank = [k for k in inputs if state[k] == BLANK]
        if inputs and len(blank) == len(inputs) and not _missing(ctx, table):
            _blank_table_finding(ctx, table, blank)
        else:
            ctx.report.outcome("table.blank").passed += 1
            _blank_finding(ctx, table, blank)


def _deduced_finding(ctx: Context, key: str) -> None:
    value = ctx.values[key]
    params = {"where": ctx.where(key), "label": ctx.deduced_by[key], "value": value}
    ctx.add(
        ctx.finding("value.deduced", key, params=params, expected=value, actual=None, cells=(ctx.ref(key, "cell"),))
    )


def _filled_finding(ctx: Context, table, keys: list[str]) -> None:
    if not keys:
        return
    refs = ctx.refs(keys, "cell")
    if len(keys) == 1:
        params = {"where": ctx.where(keys[0]), "value": ctx.values[keys[0]]}
        template = "total.filled"
    else:
        params = {"table": table.name, "count": len(keys), "cells": _cells_text(ctx, keys)}
        template = "total.filled_many"
    first = keys[0]
    ctx.add(
        ctx.finding(
            "total.filled",
            first,
            template,
            params=params,
            expected=ctx.values[first],
            actual=None,
            cells=refs,
            severity=INFO,
        )
    )


def _blank_finding(ctx: Context, table, keys: list[str]) -> None:
    outcome = ctx.report.outcome("value.blank")
    if not keys:
        outcome.passed += 1
        return
    outcome.failed += 1
    params = {"table": table.name, "count": len(keys), "cells": _cells_text(ctx, keys)}
    refs = ctx.refs(keys, "cell", value=None)
    ctx.add(ctx.finding("value.blank", keys[0], params=params, expected=0, actual=None, cells=refs))


def _missing(ctx: Context, table) -> bool:
    """True when the workbook lacks the table (the layout finding already says so)."""
    return any(f.rule == "layout.missing_table" and f.table == table.key for f in ctx.report.findings)


def _blank_table_finding(ctx: Context, table, keys: list[str]) -> None:
    """A table with every input cell blank is not a report of zeros: it was not filled in."""
    ctx.report.outcome("table.blank").failed += 1
    ctx.report.outcome("value.blank").failed += 1
    params = {"table": table.name, "count": len(keys)}
    refs = tuple(ctx.ref(k, "cell", value=None) for k in keys)
    ctx.add(ctx.finding("table.blank", keys[0], params=params, expected=0, actual=None, cells=refs))


def _cells_text(ctx: Context, keys: list[str]) -> str:
    shown = []
    for key in keys[:_SHOWN_CELLS]:
        _, a1 = ctx.address(key)
        shown.append(a1 or ctx.label(key))
    more = f" 等 {len(keys)} 个" if len(keys) > _SHOWN_CELLS else ""
    return "、".join(shown) + more
