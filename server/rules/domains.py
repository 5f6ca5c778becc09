"""Value-domain rules: is each cell a number of the right kind? (FORMS.md §6)

Recognised text (``37个``, ``46.3万元``, ``0%``, ``减4`` …) is reported with
what was typed and the number it most likely means; the checks use that
number meanwhile, but the cell is never rewritten. Unreadable text makes the
identities that depend on it undecided (see :mod:`server.rules.identities`).
"""

from __future__ import annotations

from ..forms.cache import per_form
from ..forms.model import Domain
from ..forms.model import Form
from ..readings import NUMBER
from ..readings import TEXT
from ..readings import UNREADABLE
from ..readings import fits_domain
from ..readings import reason_text
from .base import Context

DOMAIN_TEXT = {
    Domain.COUNT: "不小于 0 的整数",
    Domain.SIGNED: "整数（减少填负数）",
    Domain.AMOUNT: "不小于 0 的金额（万元，最多 4 位小数）",
}


@per_form
def _cells(form: Form) -> tuple[tuple[str, Domain, str, float | None, bool], ...]:
    """(key, domain, unit, lower bound, integral) of every cell of a form, in order."""
    return tuple(
        (key, cell.domain, cell.column.unit, cell.domain.lower_bound, cell.domain.integral)
        for key, cell in form.cells.items()
    )


def run(ctx: Context) -> None:
    """Add a finding for every cell whose content is not a valid number."""
    readings = ctx.readings
    passed = dict.fromkeys(("value.negative", "value.not_integer", "value.precision"), 0)
    for key, domain, unit, bound, integral in _cells(ctx.form):
        reading = readings[key]
        kind = reading.kind
        if kind == NUMBER:
            value = reading.value
            if bound is not None and value < bound:
                ctx.report.outcome("value.negative").failed += 1
                ctx.add(_number_finding(ctx, "value.negative", key, domain, unit, f"≥ {bound}"))
            else:
                passed["value.negative"] += 1
            if integral:
                if value == int(value):
                    passed["value.not_integer"] += 1
                else:
                    ctx.report.outcome("value.not_integer").failed += 1
                    ctx.add(_number_finding(ctx, "value.not_integer", key, domain, unit, "整数"))
            elif round(value, 4) != value:
                ctx.report.outcome("value.precision").failed += 1
                ctx.add(_number_finding(ctx, "value.precision", key, domain, unit, round(value, 4)))
            else:
                passed["value.precision"] += 1
        elif kind == TEXT:
            _text(ctx, key, domain)
        elif kind == UNREADABLE:
            _unreadable(ctx, key, domain)
            ctx.report.outcome("value.negative").undecided += 1
            ctx.report.outcome("value.not_integer" if integral else "value.precision").undecided += 1
    for rule, count in passed.items():
        if count:
            ctx.report.outcome(rule).passed += count


def _text(ctx: Context, key: str, domain: Domain) -> None:
    reading = ctx.readings[key]
    params = {"where": ctx.where(key), "raw": reading.raw, "reason": reason_text(reading)}
    if not fits_domain(reading.value, domain):
        ctx.report.outcome("value.text").failed += 1
        params.update(actual=reading.value, domain=DOMAIN_TEXT[domain])
        ctx.add(
            ctx.finding(
                "value.text",
                key,
                "value.text_unfit",
                params=params,
                expected=DOMAIN_TEXT[domain],
                actual=reading.raw,
                cells=(ctx.ref(key, "cell", reading.raw),),
            )
        )
        return
    plain = reading.reason == "numeric_text" and not reading.hidden  # a hidden character is worth more than a note
    rule = "value.numeric_text" if plain else "value.text"
    ctx.report.outcome(rule).failed += 1
    params["suggestion"] = reading.suggestion
    ctx.add(
        ctx.finding(
            rule,
            key,
            params=params,
            expected=reading.suggestion,
            actual=reading.raw,
            suggestion=reading.suggestion,
            cells=(ctx.ref(key, "cell", reading.raw),),
        )
    )


def _unreadable(ctx: Context, key: str, domain: Domain) -> None:
    reading = ctx.readings[key]
    rule = "value.formula" if reading.reason == "formula" else "value.unreadable"
    ctx.report.outcome(rule).failed += 1
    deduced = ctx.solved.get(key)
    hint = f"根据勾稽关系推算，此处应为 {deduced}。" if deduced is not None else ""
    params = {
        "where": ctx.where(key),
        "raw": reading.raw,
        "reason": reason_text(reading),
        "domain": DOMAIN_TEXT[domain],
        "hint": hint,
    }
    ctx.add(
        ctx.finding(
            rule,
            key,
            params=params,
            expected=deduced,
            actual=reading.raw,
            suggestion=deduced,
            cells=(ctx.ref(key, "blocking", reading.raw),),
        )
    )


def _number_finding(ctx: Context, rule: str, key: str, domain: Domain, unit: str, expected):
    value = ctx.readings[key].value
    params = {"where": ctx.where(key), "actual": value, "domain": DOMAIN_TEXT[domain], "unit": unit}
    return ctx.finding(rule, key, params=params, expected=expected, actual=value, cells=(ctx.ref(key, "cell", value),))
