"""A table's searches share one node budget; when it runs out, the best set known is reported (issue 11).

The branch search may use NODE_LIMIT nodes per table (the search among the broken identities' cells and
the whole table's together). It is a count, not a share of the clock: the answer does not depend on the
machine or its load. When it runs out, the set reported is the smallest known — one the search found, or
the quick guess of server/locate/guess.py — proven the fewest when the search had proven that no
smaller set exists, else said to be the best found. HiGHS is no longer asked then: given the rest of
two seconds, it reported sets of 16–36 cells on reports whose fewest are 13–15.
"""

from __future__ import annotations

import pytest
from builders import with_typos
from engine import check
from engine import only
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import server.locate as locate
from server.forms import FORMS
from server.locate import branch

IDENTITY_RULES = ("sum.", "balance.")


def _nodes_per_search(monkeypatch) -> list[int]:
    """The nodes each branch search of the next validations used, in order."""
    used: list[int] = []
    run = branch._Search.run

    def counted(self, enough=None):
        try:
            return run(self, enough)
        finally:
            used.append(self.nodes)

    monkeypatch.setattr(branch._Search, "run", counted)
    return used


def _located(report) -> list:
    return [(f.rule, f.key, f.suggestion, f.message) for f in report.findings if f.rule.startswith("locate.")]


def test_the_searches_of_a_table_share_its_node_budget(monkeypatch):
    """2021, seed 1, 15 typos: the broken identities' search, then the whole table's, run out together."""
    used = _nodes_per_search(monkeypatch)
    check("2021", with_typos("2021", 1, 15, False))
    assert len(used) >= 2 and used[0] > 0  # both searches ran (the guess's own small searches come after)
    assert used[0] + used[1] == branch.NODE_LIMIT + 1  # the node that found the budget spent is counted


def test_the_answer_does_not_depend_on_the_time_left(monkeypatch):
    """A search out of nodes reports the same, whatever the time limit (it was a share of the time left)."""
    values = with_typos("2021", 0, 15, False)
    answers = []
    for limit in (2.0, 60.0):
        monkeypatch.setattr(locate, "TIME_LIMIT", limit)
        answers.append(_located(check("2021", values)))
    assert answers[0] == answers[1]
    assert locate.UNPROVEN in answers[0][0][3]


@pytest.mark.parametrize("seed", range(4))
def test_a_search_out_of_nodes_reports_a_set_that_makes_every_identity_hold(seed):
    values = with_typos("2021", seed, 15, False)
    culprits = only(check("2021", values), "locate.culprit")
    assert culprits and all(f.suggestion is not None for f in culprits)
    assert len(culprits) <= 16  # 15 typos; the fewest cells are 13–15 (HiGHS reported 16–36 here)
    corrected = {**values, **{f.key: f.suggestion for f in culprits}}
    assert not [f for f in check("2021", corrected).findings if f.rule.startswith(IDENTITY_RULES)]


def test_a_set_as_small_as_the_search_proved_possible_is_said_to_be_the_fewest(monkeypatch):
    """2021, seed 2, 15 typos: the search proved no 13 cells do it and ran out looking at 14; the guess has 14.

    Run to its end (about 4 s), the search finds sets of 14 cells too: the answer is proven, only the
    listing of other sets as small is cut short.
    """
    values = with_typos("2021", 2, 15, False)
    culprits = only(check("2021", values), "locate.culprit")
    assert len(culprits) == 14
    assert all(locate.UNLISTED in f.message and locate.UNPROVEN not in f.message for f in culprits)
    monkeypatch.setattr(branch, "NODE_LIMIT", 10**6)
    monkeypatch.setattr(locate, "TIME_LIMIT", 600.0)
    [ambiguous] = only(check("2021", values), "locate.ambiguous")
    assert {len(option) for option in ambiguous.alternatives} == {14}


def test_a_search_out_of_nodes_without_a_set_known_asks_highs(monkeypatch):
    """When neither the search nor the guess has a set, HiGHS still gets the table."""
    asked = []
    solve = locate._solve

    def solver(problem, deadline):
        asked.append(problem)
        return solve(problem, deadline)

    monkeypatch.setattr(locate, "good_set", lambda problem, deadline: None)
    monkeypatch.setattr(locate, "_solve", solver)
    monkeypatch.setattr(branch, "NODE_LIMIT", 5)
    report = check("2021", with_typos("2021", 0, 15, False))
    assert asked
    assert only(report, "locate.culprit") or only(report, "locate.ambiguous")


many_typos = st.tuples(st.sampled_from(sorted(FORMS)), st.integers(0, 10**6), st.integers(12, 25))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(many_typos)
def test_many_typos_get_sets_that_make_every_identity_hold_the_same_way_every_time(case):
    """Past the node budget or not, the answer is a set whose values make every identity hold, the same each time
    (it no longer depends on the clock)."""
    version, seed, typos = case
    values = with_typos(version, seed, typos, False)
    report = check(version, values)
    assert not only(report, "locate.failed")
    culprits = only(report, "locate.culprit")
    [ambiguous] = only(report, "locate.ambiguous") or [None]
    options = (
        [{change["key"]: change["suggestion"] for change in option} for option in ambiguous.alternatives]
        if ambiguous is not None
        else [{f.key: f.suggestion for f in culprits}]
    )
    assert options and all(options)
    for change in options:
        if None not in change.values():  # a culprit without a unique value carries no suggestion
            corrected = {**values, **change}
            assert not [f for f in check(version, corrected).findings if f.rule.startswith(IDENTITY_RULES)]
    assert _located(check(version, values)) == _located(report)
