"""Shortcuts for engine tests: validate a value set, look at findings as tuples."""

from __future__ import annotations

import pytest
from builders import header_for
from builders import with_typos

from server.forms import get_form
from server.pipeline import validate_values
from server.workbook.layout import layout_for


def check(version: str, values: dict, **kwargs):
    """Validate values of a version with a plausible header and the template addresses."""
    form = get_form(version)
    kwargs.setdefault("header", header_for(form))
    kwargs.setdefault("addresses", layout_for(version).addresses)
    return validate_values(form, values, **kwargs)


def pairs(report, *severities) -> set[tuple[str, str | None]]:
    """(rule, key) of the findings, optionally only of some severities."""
    return {(f.rule, f.key) for f in report.findings if not severities or f.severity in severities}


def only(report, rule: str):
    """The findings of one rule."""
    return [f for f in report.findings if f.rule == rule]


def first_problem(version: str, seed: int, typos: int, blank_totals: bool = False):
    """The first problem localisation searches for a typo report (tests/builders.with_typos): the broken
    identities' cells, or the whole table; with several typos, also the first the branch search gets."""
    import server.locate as locate

    captured = []

    def capture(problem, deadline, work=None):
        captured.append(problem)
        raise _Captured

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(locate, "_search", capture)
        try:
            check(version, with_typos(version, seed, typos, blank_totals))
        except _Captured:
            pass
    return captured[0]


class _Captured(Exception):
    pass
