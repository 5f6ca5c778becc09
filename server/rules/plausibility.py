"""Plausibility rules whose logic is code (FORMS.md §7 P4–P8).

Each rule takes its cells from the form's :class:`~server.forms.model.Special`
declarations, so a new format version reuses them by declaring its own cells.
They raise warnings or notices, never errors.
"""

from __future__ import annotations

import re

from ..forms.cache import per_form
from ..forms.derive import cell_key
from ..forms.model import Form
from ..forms.model import Special
from .base import Context

TOWN = re.compile(r"街道|镇|乡|苏木")
"""A 街道/乡镇 (or 苏木) unit, recognised by its name."""
_BELOW_CITY = re.compile(r"街道|镇|乡|苏木|县|旗|(?<!自治)区")


def run(ctx: Context) -> None:
    """Evaluate every special rule the form declares."""
    for special in ctx.form.specials:
        SPECIALS[special.rule](ctx, special)


@per_form
def _inputs(form: Form) -> dict[str, tuple[str, ...]]:
    """Table key -> the keys of its cells that are not totals, in order."""
    out: dict[str, list[str]] = {table.key: [] for table in form.tables}
    for cell in form.cells.values():
        if not cell.derived:
            out.setdefault(cell.table.key, []).append(cell.key)
    return {table: tuple(keys) for table, keys in out.items()}


def _row_keys(ctx: Context, table: str, rows) -> list[str]:
    keys = []
    for row in rows:
        block = ctx.form.table(table).block_of(row)
        keys.extend(cell_key(table, row, column.key) for column in block.columns)
    return keys


def _nonzero(ctx: Context, keys: list[str]) -> list[str] | None:
    """Keys with a non-zero value, or None when one of them is unreadable."""
    if any(ctx.values.get(k) is None for k in keys):
        return None
    return [k for k in keys if ctx.values[k]]


def _values_text(ctx: Context, keys: list[str]) -> str:
    return "，".join(f"{ctx.address(k)[1] or ctx.label(k)} = {ctx.values[k]}" for k in keys)


def rules_power(ctx: Context, special: Special) -> None:
    """P4: 规章 reported by a unit below the level that makes 规章."""
    outcome = ctx.report.outcome(special.rule)
    keys = _row_keys(ctx, special.param("table"), (special.param("row"),))
    nonzero = _nonzero(ctx, keys)
    if nonzero is None or not ctx.header.unit:
        outcome.undecided += 1
        return
    if not nonzero or not _BELOW_CITY.search(ctx.header.unit):
        outcome.passed += 1
        return
    outcome.failed += 1
    params = {"unit": ctx.header.unit, "values": _values_text(ctx, nonzero)}
    cells = tuple(ctx.ref(k, "cell") for k in nonzero)
    ctx.add(
        ctx.finding(
            special.rule,
            nonzero[0],
            params=params,
            actual=ctx.values[nonzero[0]],
            expected=0,
            cells=cells,
            check=special.name,
        )
    )


def items_as_decisions(ctx: Context, special: Special) -> None:
    """P5: every 处理决定数量 equals 上一年项目数量 + 本年增/减 (item counts typed as decisions)."""
    outcome = ctx.report.outcome(special.rule)
    table = special.param("table")
    triples = [
        tuple(cell_key(table, row, special.param(name)) for name in ("previous", "change", "decisions"))
        for row in special.param("rows")
    ]
    if any(ctx.values.get(k) is None for triple in triples for k in triple):
        outcome.undecided += 1
        return
    used = [t for t in triples if any(ctx.values[k] for k in t)]
    copied = used and all(ctx.values[p] + ctx.values[c] == ctx.values[d] for p, c, d in used)
    if not copied or not any(ctx.values[d] for _, _, d in used):
        outcome.passed += 1
        return
    outcome.failed += 1
    cells = tuple(ctx.ref(k, "part") for triple in used for k in triple)
    first = used[0][2]
    expected = "本年办件量（不是事项数）"
    ctx.add(
        ctx.finding(
            special.rule, first, params={}, expected=expected, actual=ctx.values[first], cells=cells, check=special.name
        )
    )


def town_fees(ctx: Context, special: Special) -> None:
    """P6: a 街道/乡镇 reporting 行政事业性收费 or 政府集中采购."""
    outcome = ctx.report.outcome(special.rule)
    table = special.param("table")
    rows = special.param("rows")
    keys = _row_keys(ctx, table, rows)
    nonzero = _nonzero(ctx, keys)
    if nonzero is None or not ctx.header.unit:
        outcome.undecided += 1
        return
    if not nonzero or not TOWN.search(ctx.header.unit):
        outcome.passed += 1
        return
    outcome.failed += 1
    labels = dict.fromkeys(ctx.form.cells[k].row.label for k in nonzero)
    params = {
        "unit": ctx.header.unit,
        "rows": "、".join(f"“{label}”" for label in labels),
        "values": _values_text(ctx, nonzero),
    }
    cells = tuple(ctx.ref(k, "cell") for k in nonzero)
    ctx.add(
        ctx.finding(
            special.rule,
            nonzero[0],
            params=params,
            expected=0,
            actual=ctx.values[nonzero[0]],
            cells=cells,
            check=special.name,
        )
    )


def carry_out_ratio(ctx: Context, special: Special) -> None:
    """P7: 结转下年度 large compared with the applications to handle."""
    outcome = ctx.report.outcome(special.rule)
    table, column = special.param("table"), special.param("column")
    incoming_keys = [cell_key(table, row, column) for row in special.param("incoming")]
    outgoing_key = cell_key(table, special.param("outgoing"), column)
    if any(ctx.values.get(k) is None for k in incoming_keys + [outgoing_key]):
        outcome.undecided += 1
        return
    incoming = sum(ctx.values[k] for k in incoming_keys)
    outgoing = ctx.values[outgoing_key]
    if outgoing < special.param("minimum") or outgoing <= special.param("ratio") * incoming:
        outcome.passed += 1
        return
    outcome.failed += 1
    percent = f"{outgoing / incoming:.0%}" if incoming else "—"
    params = {"outgoing": outgoing, "incoming": incoming, "percent": percent}
    cells = (ctx.ref(outgoing_key, "cell"),) + tuple(ctx.ref(k, "part") for k in incoming_keys)
    expected = f"≤ {special.param('ratio') * incoming:.0f}"
    ctx.add(
        ctx.finding(
            special.rule,
            outgoing_key,
            params=params,
            expected=expected,
            actual=outgoing,
            cells=cells,
            check=special.name,
        )
    )


def cases_without_applications(ctx: Context, special: Special) -> None:
    """P8: 复议/诉讼 cases while no application was received or carried over."""
    outcome = ctx.report.outcome(special.rule)
    case_keys = list(_inputs(ctx.form)[special.param("cases")])
    application_keys = list(special.param("applications"))
    if any(ctx.values.get(k) is None for k in case_keys + application_keys):
        outcome.undecided += 1
        return
    cases = sum(ctx.values[k] for k in case_keys)
    applications = sum(ctx.values[k] for k in application_keys)
    if ctx.last_year is not None and ctx.last_year.comparable:
        applications += sum(ctx.last_year.values.get(k) or 0 for k in application_keys)
    if not cases or applications:
        outcome.passed += 1
        return
    outcome.failed += 1
    first = next(k for k in case_keys if ctx.values[k])
    cells = tuple(ctx.ref(k, "cell") for k in case_keys if ctx.values[k]) + tuple(
        ctx.ref(k, "part") for k in application_keys
    )
    ctx.add(
        ctx.finding(
            special.rule, first, params={"cases": cases}, expected=0, actual=cases, cells=cells, check=special.name
        )
    )


SPECIALS = {
    "plaus.rules_power": rules_power,
    "plaus.items_as_decisions": items_as_decisions,
    "plaus.town_fees": town_fees,
    "plaus.carry_out_ratio": carry_out_ratio,
    "plaus.cases_without_applications": cases_without_applications,
}
