"""Identity rules (勾稽关系 I1–I4), generated from the form's sum declarations.

Each identity instance passes, fails, or is undecided (a cell it needs is
unreadable). A failure becomes one finding naming the total and every part,
expected vs actual. A failure implied by other failures (the 总计 column's
copy of a column identity, FORMS.md §5 "Redundancy") is counted but not
reported twice. Undecided identities are reported once per blocking cell.
"""

from __future__ import annotations

from ..findings import UNDECIDED
from ..forms.derive import Identity
from .base import Context
from .catalogue import rule_name
from .messages import render

_TOLERANCE = 1e-6


def run(ctx: Context) -> list[Identity]:
    """Check every identity; return the failed ones (implied ones included)."""
    failed: list[Identity] = []
    value = ctx.values.__getitem__
    blocked = bool(ctx.blockers)  # without blockers every cell has a value (see server/totals.py)
    outcomes, outcome_of = ctx.report.outcomes, ctx.report.outcome
    for identity in ctx.form.identities:
        outcome = outcomes.get(identity.rule) or outcome_of(identity.rule)
        blockers = _blockers(ctx, identity) if blocked else None
        if blockers:
            outcome.undecided += 1
            for key in sorted(blockers):
                ctx.block(key, rule_name(identity.rule), identity.anchor)
        elif abs(sum(map(value, identity.left)) - sum(map(value, identity.right))) > _TOLERANCE:
            outcome.failed += 1
            failed.append(identity)
        else:
            outcome.passed += 1
    failed_ids = {identity.id for identity in failed}
    for identity in failed:
        if not failed_ids.intersection(identity.implied_by):
            ctx.add(_failure(ctx, identity))
    return failed


def _blockers(ctx: Context, identity: Identity) -> set[str]:
    out: set[str] = set()
    for key in identity.cells:
        if ctx.values.get(key) is None:
            out |= ctx.blockers.get(key, frozenset({key}))
    return out


def _side(ctx: Context, keys: tuple[str, ...]) -> float:
    return sum(ctx.values[key] for key in keys)


def _number(value: float) -> int | float:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def _terms_text(ctx: Context, keys: tuple[str, ...]) -> str:
    """Non-zero terms as ``D8 3 + D9 2``; all zero as 各项均为 0."""
    parts = []
    for key in keys:
        value = ctx.values[key]
        if value:
            _, a1 = ctx.address(key)
            parts.append(f"{a1 or ctx.label(key)} {_number(value)}")
    return " + ".join(parts) if parts else "各项均为 0"


def _failure(ctx: Context, identity: Identity):
    if identity.rule.startswith("balance."):
        return _balance_failure(ctx, identity)
    total = identity.anchor
    expected = _number(_side(ctx, identity.right))
    actual = _number(ctx.values[total])
    params = {
        "check": identity.name,
        "label": identity.label,
        "where": ctx.where(total),
        "actual": actual,
        "expected": expected,
        "parts": _terms_text(ctx, identity.right),
        "diff": _number(abs(actual - expected)),
        "advice": render("advice.sum"),
    }
    cells = (ctx.ref(total, "total"),) + ctx.refs(identity.right, "part")
    return ctx.finding(
        identity.rule, total, "sum", params=params, expected=expected, actual=actual, cells=cells, check=identity.name
    )


def _balance_failure(ctx: Context, identity: Identity):
    expected = _number(_side(ctx, identity.left))
    actual = _number(_side(ctx, identity.right))
    column = ctx.form.cells[identity.anchor].column
    params = {
        "check": identity.name,
        "label": identity.label,
        "column": column.label if column.label != "其他" else "法人或其他组织·其他",
        "where": ctx.where(identity.anchor),
        "expected": expected,
        "actual": actual,
        "left": _terms_text(ctx, identity.left),
        "right": _terms_text(ctx, identity.right),
        "diff": _number(abs(actual - expected)),
        "advice": render("advice.balance"),
    }
    cells = ctx.refs(identity.cells, "part")
    return ctx.finding(
        identity.rule,
        identity.anchor,
        "balance",
        params=params,
        expected=expected,
        actual=actual,
        cells=cells,
        check=identity.name,
    )


def report_undecided(ctx: Context) -> None:
    """One finding per blocking cell, naming every check it blocks."""
    for key, entries in ctx.undecided.items():
        names = "；".join(f"{name} {ctx.where(anchor)}" for name, anchor in entries)
        params = {"where": ctx.where(key), "raw": ctx.readings[key].raw, "checks": names}
        anchors = dict.fromkeys(anchor for _, anchor in entries if anchor != key)
        cells = (ctx.ref(key, "blocking"),) + tuple(ctx.ref(anchor, "total") for anchor in anchors)
        ctx.add(
            ctx.finding(
                "check.undecided",
                key,
                params=params,
                status=UNDECIDED,
                expected="数字",
                actual=ctx.readings[key].raw,
                cells=cells,
            )
        )
