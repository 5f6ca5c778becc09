"""The click's shortcuts (issue 11) give exactly what the general code gives.

Totals: when every input is typed, no deduction is attempted, and when totals are all typed or all
blank they are computed without the recursion; stories: a total is looked through to every cell
below it at once when all the totals below were computed. Each is compared here with the general
code on many reports — values, their order (a float sum depends on it), states, blockers, fills
and findings — for both form versions.
"""

from __future__ import annotations

import random

import pytest
from builders import consistent_values
from builders import without_totals

from server import stories
from server import totals
from server.findings import Report
from server.forms import FORMS
from server.readings import read
from server.rules.base import Context
from server.rules.header import parse_header


def _reports(form, count: int):
    """Reports of every shape the shortcuts look at: totals typed or blank or some of each, blank or
    unreadable inputs, text, decimals, and earlier automatic fills."""
    inputs = [k for k in form.cells if k not in form.definitions]
    for seed in range(count):
        rng = random.Random(seed)
        values = consistent_values(form, seed=seed)
        shape = seed % 6
        if shape in (1, 3, 4, 5):
            values = without_totals(form, values)
        if shape == 2:  # some totals blank, some typed
            for key in rng.sample(sorted(form.definitions), 10):
                values.pop(key, None)
        if shape == 3:  # a few blank inputs (deduction)
            for key in rng.sample(inputs, 3):
                values.pop(key, None)
        if shape == 4:  # text and an unreadable cell
            key, other = rng.sample(inputs, 2)
            values[key] = f"{values[key]}件"
            values[other] = "见附件"
        numbers = [k for k in inputs if isinstance(values.get(k), int)]
        for key in rng.sample(numbers, 2):
            values[key] = values[key] + rng.choice([1, 3, 0.5, 0.25])
        autofilled = {}
        if shape == 5:  # the validator's own fills of an earlier click, some still in the cells
            autofilled = {key: 1 for key in rng.sample(sorted(form.definitions), 5)}
            for key in list(autofilled)[:3]:
                values[key] = 1
        yield values, autofilled


def _context(form, values, autofilled) -> Context:
    readings = {key: read(values.get(key), cell.domain) for key, cell in form.cells.items()}
    header = parse_header({})
    return Context(form, readings, header, {}, Report(version=form.version), autofilled=autofilled)


def _general(ctx: Context, monkeypatch) -> None:
    """totals.complete without any shortcut."""
    with monkeypatch.context() as patched:
        patched.setattr(totals, "_nothing_to_deduce", lambda ctx: False)
        totals._classify(ctx)
        totals._deduce(ctx)
        for key in ctx.form.cells:
            totals._value(ctx, key)
        totals._report(ctx)


def _state(ctx: Context) -> tuple:
    return (
        list(ctx.values.items()),
        list(ctx.state.items()),
        list(ctx.blockers.items()),
        list(ctx.solved.items()),
        list(ctx.deduced_by.items()),
        list(ctx.report.filled.items()),
        ctx.report.cleared,
        ctx.report.findings,
        {rule: outcome.to_dict() for rule, outcome in ctx.report.outcomes.items()},
    )


@pytest.mark.parametrize("version", sorted(FORMS))
def test_totals_with_shortcuts_are_the_general_totals(version, monkeypatch):
    form = FORMS[version]
    for values, autofilled in _reports(form, 60):
        quick, general = _context(form, values, autofilled), _context(form, values, autofilled)
        totals.complete(quick)
        _general(general, monkeypatch)
        assert _state(quick) == _state(general)


@pytest.mark.parametrize("version", sorted(FORMS))
def test_looking_through_totals_at_once_is_looking_through_them_one_by_one(version):
    form = FORMS[version]
    derived = sorted(form.definitions)
    rng = random.Random(7)
    for size in [len(derived), len(derived) - 1, len(derived) // 2, 3, 0] * 4:
        filled = dict.fromkeys(rng.sample(derived, size), 1)
        quick = stories._Reach(form, filled)
        general = stories._Reach(form, filled)
        general.trees, general.every_total = {}, False  # the recursion only
        for key in list(form.cells) + [None]:
            assert quick(key) == general(key), (key, size)
