"""A search stopped by its node budget after finding sets in an exact pass says they are the fewest (issue 11).

Such sets have the pass's budget of cells and no smaller set makes every identity hold, so the answer
is proven minimal; only the search for more equally small sets was cut short (the finding then says
more may exist, instead of handing the table to HiGHS and calling the answer unproven). Here every
possible stopping point of the search on random tables — with and without value bounds — and on typo
reports is held to the search run to its end: whenever a stop says "fewest", the sets it has are the
first sets of the full answer, in the same order, with the same values, and the full answer is proven.
"""

from __future__ import annotations

import time

import pytest
from engine import first_problem
from test_locate_branch import BOUNDED
from test_locate_branch import CASES
from test_locate_branch import _problem

import server.locate as locate
from server.locate import branch


def _run(problem, node_limit: int):
    """(sets with values, None) when the search ends; (sets found, fewest) when the budget stops it."""
    search = branch._Search(problem, locate.MAX_OPTIONS + 1, time.monotonic() + 600)
    limit, branch.NODE_LIMIT = branch.NODE_LIMIT, node_limit
    try:
        return [(s.changed, s.values) for s in search.run()], None, search.nodes
    except branch.Undecided as stopped:
        return [(s.changed, s.values) for s in stopped.found], stopped.fewest, search.nodes
    finally:
        branch.NODE_LIMIT = limit


def _problems():
    out = [(name, _problem(coefs, residual)) for name, coefs, residual in CASES]
    out += [(name, _problem(coefs, residual, typed)) for name, coefs, residual, typed in BOUNDED]
    out += [(f"{v}-{s}-{t}", first_problem(v, s, t)) for v, s, t in (("2021", 2, 12),)]
    return out


PROBLEMS = _problems()


def _stops(problem):
    """The full answer (None when the search run to its end cannot decide), and (sets found, fewest) at each
    node budget that stops the search."""
    full, undecided, nodes = _run(problem, 10**6)
    if undecided is not None:  # the full search itself could not decide (a smaller set broke a bound)
        full = None
    limits = range(1, nodes + 1, max(1, nodes // 40))  # every stopping point on small searches, 40 on the rest
    return full, [_run(problem, limit)[:2] for limit in limits]


@pytest.mark.parametrize("case", PROBLEMS, ids=[name for name, _ in PROBLEMS])
def test_a_stop_that_says_fewest_holds_the_first_sets_of_the_full_answer(case):
    _, problem = case
    full, stops = _stops(problem)
    for found, fewest in stops:
        if fewest:
            assert full is not None, "a stop says fewest where the whole search cannot decide"
            assert found == full[: len(found)]
            assert {len(cells) for cells, _ in found} == {len(full[0][0])}


def test_stops_say_fewest_on_many_tables_and_not_when_nothing_was_found():
    said = 0
    for _, problem in PROBLEMS[:-1:2]:  # half the random tables
        _, stops = _stops(problem)
        said += sum(bool(fewest) for _, fewest in stops)
        assert not any(fewest and not found for found, fewest in stops)
    assert said >= 50


def test_the_locator_answers_a_fewest_stop_as_proven_with_more_possibly_left(monkeypatch):
    """2021 seed 3 with 12 typos, totals typed: the first 12-cell set comes at about 4,300 nodes of an exact pass."""
    from builders import with_typos

    from server.pipeline import validate_values

    monkeypatch.setattr(locate, "TIME_LIMIT", 60.0)
    monkeypatch.setattr(branch, "NODE_LIMIT", 6_000)
    report = validate_values("2021", with_typos("2021", 3, 12, False))
    told = [f.message for f in report.findings if f.rule.startswith("locate.")]
    assert told and any(locate.UNLISTED in message for message in told)
    assert not any(locate.UNPROVEN in message for message in told)
