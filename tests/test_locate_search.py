"""Localisation with many typos: small explanations, the same answer every time and in every thread."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import highspy
import pytest
from builders import consistent_values
from builders import with_typos
from builders import without_totals
from engine import check
from engine import first_problem
from engine import only
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import server.locate as locate
from server.forms import FORMS
from server.forms import get_form
from server.locate import branch
from server.locate import matrices
from server.locate import search

IDENTITY_RULES = ("sum.", "balance.")


def _breaks(version: str, values: dict) -> list:
    return [f for f in check(version, values).findings if f.rule.startswith(IDENTITY_RULES)]


def _explanations(report) -> list[dict]:
    """Each explanation the report offers: the culprits' suggestions, or each ambiguous option."""
    [ambiguous] = only(report, "locate.ambiguous") or [None]
    if ambiguous is not None:
        return [{change["key"]: change["suggestion"] for change in option} for option in ambiguous.alternatives]
    culprits = only(report, "locate.culprit")
    return [{f.key: f.suggestion for f in culprits}]


# Blank totals (the template as clerks leave it): up to ten typos. Typed totals: up to five, because
# with more the branch search can need seconds and a stopped search would make the answer depend on time.
cases = st.one_of(
    st.tuples(st.sampled_from(sorted(FORMS)), st.integers(0, 10**6), st.integers(1, 10), st.just(True)),
    st.tuples(st.sampled_from(sorted(FORMS)), st.integers(0, 10**6), st.integers(1, 5), st.just(False)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_k_typos_are_explained_by_at_most_k_cells_the_same_way_every_time(case):
    version, seed, typos, blank_totals = case
    values = with_typos(version, seed, typos, blank_totals)
    report = check(version, values)
    assume(any(f.rule.startswith(IDENTITY_RULES) for f in report.findings))  # typos may cancel out
    assert not only(report, "locate.failed")
    assert all("未能证明" not in f.message for f in report.findings)
    explanations = _explanations(report)
    assert explanations and all(1 <= len(change) <= typos for change in explanations)
    for change in explanations:
        if None not in change.values():  # a culprit without a unique value carries no suggestion
            assert _breaks(version, {**values, **change}) == []
    again = check(version, values)
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in report.findings]


def test_simultaneous_validations_give_identical_results(monkeypatch):
    """The matrices are built once per form under a lock; every thread gets the sequential answer."""
    monkeypatch.setattr(matrices, "_CACHE", {})
    inputs = [("2021", with_typos("2021", seed, 1 + seed % 6, seed % 2 == 0)) for seed in range(12)]
    inputs += [("2019", with_typos("2019", seed, 1 + seed % 4, seed % 3 == 0)) for seed in range(6)]

    def findings(item):
        version, values = item
        return [f.to_dict() for f in check(version, values).findings]

    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(findings, inputs * 3))
    sequential = [findings(item) for item in inputs * 3]
    assert parallel == sequential
    assert len(matrices._CACHE) == 2


def test_ten_typos_with_blank_totals_are_explained_by_ten_cells_at_most():
    values = with_typos("2021", 7, 10, True)
    report = check("2021", values)
    changes = _explanations(report)
    assert all(len(change) <= 10 for change in changes)
    assert _breaks("2021", {**values, **changes[0]}) == []


def test_the_options_are_listed_in_form_order():
    form = get_form("2021")
    values = without_totals(form, consistent_values(form, seed=25))
    values["t2.open.c_welfare"] += 1
    [ambiguous] = only(check("2021", values), "locate.ambiguous")
    keys = [option[0]["key"] for option in ambiguous.alternatives]
    position = list(form.cells)
    assert keys == sorted(keys, key=position.index)
    assert keys[:3] == ["t2.new.c_welfare", "t2.carry_in.c_welfare", "t2.open.c_welfare"]


def _two_typos_by_the_solver(monkeypatch, first_solve, second_solve):
    """The culprit findings of a two-typo report decided by HiGHS: its first solve replaced by
    ``first_solve(milp, solve)``, the second (the search for an equally good set) by ``second_solve(milp)``."""

    def undecided(*args, **kwargs):
        raise locate.Undecided("forced")

    solve = search.Milp.solve
    calls = []

    def counted(self):
        calls.append(self)
        return first_solve(self, solve) if len(calls) == 1 else second_solve(self)

    monkeypatch.setattr(locate, "smallest_sets", undecided)
    monkeypatch.setattr(search.Milp, "solve", counted)
    values = consistent_values("2021", seed=24)
    values["t2.open.c_natural"] += 1
    values["t2.noproc_2.c_research"] += 2
    culprits = only(check("2021", values), "locate.culprit")
    assert {f.key for f in culprits} == {"t2.open.c_natural", "t2.noproc_2.c_research"}
    return culprits, len(calls)


def test_a_stopped_search_keeps_its_best_set_and_says_so(monkeypatch):
    """A solver stopped by the time limit: its incumbent is reported, marked as not proven minimal."""

    def stopped(milp, solve):
        found = solve(milp)
        return None if found is None else search.Solution(found.cost, found.changed, found.values, proven=False)

    culprits, _ = _two_typos_by_the_solver(monkeypatch, stopped, search.Milp.solve)
    assert all("未能证明是改动最少的" in f.message for f in culprits)


def test_a_search_for_equally_good_sets_stopped_by_the_time_limit_says_more_may_exist(monkeypatch):
    """The fewest cells are proven, but the time limit stopped the search for another set as small."""

    def stopped(milp):
        milp.stopped = True  # what solve() records when HiGHS ends at the deadline without a set
        return None

    culprits, solves = _two_typos_by_the_solver(monkeypatch, lambda milp, solve: solve(milp), stopped)
    assert solves == 2
    assert all(locate.UNLISTED in f.message and locate.UNPROVEN not in f.message for f in culprits)


def test_a_search_for_equally_good_sets_that_finds_none_says_nothing_more(monkeypatch):
    culprits, solves = _two_typos_by_the_solver(monkeypatch, lambda milp, solve: solve(milp), search.Milp.solve)
    assert solves == 2
    assert not any(locate.UNLISTED in f.message or locate.UNPROVEN in f.message for f in culprits)


@pytest.mark.parametrize("typos", [2, 3, 4])
def test_the_solver_and_the_branch_search_agree(monkeypatch, typos):
    """The MILP (HiGHS) and the branch-and-bound find sets of the same size."""
    values = with_typos("2021", typos, typos, False)
    by_search = _explanations(check("2021", values))

    def undecided(*args, **kwargs):
        raise locate.Undecided("forced")

    monkeypatch.setattr(locate, "smallest_sets", undecided)
    by_solver = _explanations(check("2021", values))
    assert {len(change) for change in by_search} == {len(change) for change in by_solver}


def test_a_whole_table_search_stopped_in_time_keeps_the_broken_identities_answer(monkeypatch):
    """When the second, whole-table search finds nothing in time, the first answer stays (marked as best found)."""
    search_of = locate._search
    calls = []

    def stopped_on_the_whole_table(problem, deadline, work):
        calls.append(problem)
        answer = search_of(problem, deadline, work)
        return answer if len(calls) == 1 else locate._Answer(problem, [])

    monkeypatch.setattr(locate, "cover_bound", lambda *args: 0)  # always look at the whole table too …
    monkeypatch.setattr(locate, "_floor", lambda problem, single: 0)  # … after the broken identities
    monkeypatch.setattr(locate, "_search", stopped_on_the_whole_table)
    values = consistent_values("2021", seed=21)
    values["t2.deny_4.c_natural"] += 5
    [culprit] = only(check("2021", values), "locate.culprit")
    assert len(calls) == 2
    assert culprit.key == "t2.deny_4.c_natural"
    assert "未能证明是改动最少的" in culprit.message


def test_simultaneous_solver_runs_give_identical_results(monkeypatch):
    """HiGHS (highspy) runs in several threads at once: one model per call, same answers as one by one."""

    def undecided(*args, **kwargs):
        raise locate.Undecided("forced")

    monkeypatch.setattr(locate, "smallest_sets", undecided)
    inputs = [with_typos("2021", seed, 2 + seed % 3, seed % 2 == 0) for seed in range(8)]

    def findings(values):
        return [f.to_dict() for f in check("2021", values).findings]

    sequential = [findings(values) for values in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(findings, inputs))
    assert parallel == sequential


TYPED_REPORTS = [("2021", seed, typos, False) for seed in range(4) for typos in (6, 8, 10)] + [
    ("2019", seed, typos, False) for seed in range(3) for typos in (7, 9)
]


@pytest.mark.parametrize("case", TYPED_REPORTS)
def test_pruning_sets_whose_settled_change_cannot_be_kept_finds_the_same_sets_in_the_same_order(monkeypatch, case):
    """Cutting a branch as soon as a chosen cell's change is settled and unfit changes nothing but the work."""
    problem = first_problem(*case)
    deadline = time.monotonic() + 60

    def run():
        search = branch._Search(problem, locate.MAX_OPTIONS + 1, deadline)
        return [(s.changed, s.values) for s in search.run()], search.nodes

    pruned, nodes = run()
    monkeypatch.setattr(branch._Search, "_misfit", lambda self, *args: False)
    unpruned, every_node = run()
    assert pruned == unpruned
    assert nodes <= every_node


def test_the_pruning_cuts_nodes(monkeypatch):
    problem = first_problem("2021", 1, 10, False)
    deadline = time.monotonic() + 60
    pruned = branch._Search(problem, locate.MAX_OPTIONS + 1, deadline)
    pruned.run()
    monkeypatch.setattr(branch._Search, "_misfit", lambda self, *args: False)
    unpruned = branch._Search(problem, locate.MAX_OPTIONS + 1, deadline)
    unpruned.run()
    assert pruned.nodes < unpruned.nodes


def test_the_set_cover_bound_stopped_at_once_falls_back_to_the_packing(monkeypatch):
    """HiGHS stopped before it has a bound (no time left) reports −inf: the packing bound stands (no crash)."""
    set_option = highspy.Highs.setOptionValue

    def no_time(self, option, value):
        return set_option(self, option, 0.0 if option == "time_limit" else value)

    monkeypatch.setattr(highspy.Highs, "setOptionValue", no_time)
    groups = [frozenset({0, 1}), frozenset({1, 2}), frozenset({2, 3}), frozenset({3, 0}), frozenset({0, 2})]
    assert search.cover_bound(groups, 5, time.monotonic() + 10) == 2  # {0, 1} and {2, 3} share no cell


@pytest.mark.parametrize(("cut_short", "note"), [("unproven", locate.UNPROVEN), ("incomplete", locate.UNLISTED)])
def test_an_ambiguity_told_as_a_story_keeps_what_the_time_limit_cut_short(monkeypatch, cut_short, note):
    """The clerk's message for several possible cells is written anew by server.stories: the note stays."""
    search_of = locate._search

    def stopped(problem, deadline, work):
        answer = search_of(problem, deadline, work)
        if cut_short == "unproven":
            return locate._Answer(answer.problem, [locate._unproven(option) for option in answer.options])
        return locate._Answer(answer.problem, answer.options, complete=False)

    monkeypatch.setattr(locate, "_search", stopped)
    form = get_form("2021")
    one_of_cells = without_totals(form, consistent_values(form, seed=25))
    one_of_cells["t2.open.c_welfare"] += 1
    one_of_sets = with_typos("2021", 0, 2, True)
    for values, told in ((one_of_cells, "中有一个填错"), (one_of_sets, "可能是以下情况之一")):
        [ambiguous] = only(check("2021", values), "locate.ambiguous")
        assert note in ambiguous.message and told in ambiguous.message
        assert ambiguous.message.count("查找已到工作量上限") == 1
