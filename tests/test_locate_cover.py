"""The search among the broken identities' cells stops at the set-cover bound (server/locate: _Cover; branch:
``problem.memo["enough"]``).

Its sets are kept only when they are as few as the set-cover bound of the broken identities; past that
bound the whole table is searched anyway, and when that search runs to its end its answer is the one
reported. So the first search stops once a pass at the bound found no set (it answers None) instead of
going on to the size the whole-table search then proves again. This may change no answer the searches
give without a clock: checked here against the searches run without the stop, on small random tables
(with and without value bounds) and on typo reports.
"""

from __future__ import annotations

import time

import pytest
import test_locate_branch as tables
from builders import with_typos
from engine import check

import server.locate as locate
from server.locate import branch


def _outcome(problem, **memo) -> tuple[object, int]:
    """What the search answers (sets with values in order, None, or why it gave up) and its nodes."""
    problem.memo = memo
    found = branch._Search(problem, locate.MAX_OPTIONS + 1, time.monotonic() + 600)
    try:
        answer = found.run(memo.get("enough"))
        answer = None if answer is None else [(s.changed, s.values) for s in answer]
    except branch.Undecided as stopped:
        answer = ["undecided", str(stopped), [(s.changed, s.values) for s in stopped.found]]
    return answer, found.nodes


CASES = [(name, coefs, residual, None) for name, coefs, residual in tables.CASES] + list(tables.BOUNDED)


def _problem(case):
    _, coefs, residual, typed = case
    return tables._problem(coefs, residual, typed)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_search_told_enough_stops_after_that_pass_and_otherwise_answers_the_same(case):
    whole, _ = _outcome(_problem(case))
    if not whole or whole[0] == "undecided":
        return
    size = len(whole[0][0])
    asked = []

    def enough(budget):
        asked.append(budget)
        return budget >= size - 1

    stopped, _ = _outcome(_problem(case), enough=enough)
    if size - 1 >= branch.lower_bound(_problem(case)) and size > 0:
        assert stopped is None and asked[-1] == size - 1
    else:
        assert stopped == whole
    assert _outcome(_problem(case), enough=lambda budget: budget >= size)[0] == whole


def test_the_search_reads_what_the_caller_knows_from_the_problems_memo():
    def first_pass_finds_none(case):
        problem = _problem(case)
        return len(_outcome(problem)[0][0][0]) > branch.lower_bound(problem)

    problem = _problem(next(case for case in CASES[:80] if first_pass_finds_none(case)))
    problem.memo = {"enough": lambda budget: True}
    assert branch.smallest_sets(problem, 5, time.monotonic() + 60) is None
    problem.memo = {"enough": lambda budget: False}
    assert branch.smallest_sets(problem, 5, time.monotonic() + 60)


# Typo reports: the answers of the two searches as before ---------------------------------------------------------


REPORTS = [("2021", seed, 10) for seed in (1, 2, 7, 8, 9)] + [("2021", seed, 12) for seed in (0, 2)]
REPORTS += [("2019", seed, typos) for seed in range(3) for typos in (8, 10)]


def _located(case, shared: bool, monkeypatch) -> tuple[list, int, int]:
    """The locate findings of a typo report, the branch nodes and how many searches stopped at the bound."""
    version, seed, typos = case
    nodes, stops = [], []
    run = branch._Search.run

    def counted(self, enough=None):
        try:
            answer = run(self, enough)
            stops.append(answer is None)
            return answer
        finally:
            nodes.append(self.nodes)

    with monkeypatch.context() as patch:
        patch.setattr(branch._Search, "run", counted)
        patch.setattr(locate, "TIME_LIMIT", 600.0)  # no clock: both ways run to the end
        patch.setattr(branch, "NODE_LIMIT", 10**6)
        if not shared:
            patch.setattr(locate._Cover, "reached", lambda self, budget: False)
        report = check(version, with_typos(version, seed, typos, False))
    findings = [f.to_dict() for f in report.findings if f.rule.startswith("locate.")]
    return findings, sum(nodes), sum(stops)


@pytest.mark.parametrize("case", REPORTS, ids=[f"{v}-{s}-{t}" for v, s, t in REPORTS])
def test_typo_reports_get_the_same_answer_with_the_bound_shared(case, monkeypatch):
    shared, nodes, _ = _located(case, True, monkeypatch)
    alone, every_node, _ = _located(case, False, monkeypatch)
    assert shared == alone
    assert nodes <= every_node


def test_the_first_search_stops_at_the_bound_and_saves_nodes_on_typo_reports(monkeypatch):
    runs = [(_located(case, True, monkeypatch), _located(case, False, monkeypatch)) for case in REPORTS[:7]]
    assert sum(shared[2] for shared, _ in runs) >= 5
    assert sum(shared[1] for shared, _ in runs) < 0.8 * sum(alone[1] for _, alone in runs)
