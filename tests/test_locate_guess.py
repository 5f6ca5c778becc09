"""The quick guess for a search out of nodes (server/locate/guess.py): valid, lean, steady, close to the fewest."""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from builders import with_typos
from engine import check
from test_locate_branch import BOUNDED
from test_locate_branch import _problem

import server.locate as locate
from server.locate import branch
from server.locate import guess
from server.locate.matrices import TOLERANCE


def _problems(version: str, seed: int, typos: int) -> list:
    """Every problem localisation searches for a typo report (totals typed), in order."""
    seen = []
    search = locate._search

    def recorded(problem, deadline, work):
        seen.append(problem)
        return search(problem, deadline, work)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(locate, "_search", recorded)
        check(version, with_typos(version, seed, typos, False))
    return seen


REPORTS = [(v, seed, typos) for v in ("2019", "2021") for typos in (12, 15, 20) for seed in range(3)]


@functools.cache
def _last_problem(case: tuple) -> object:
    return _problems(*case)[-1]


def _changes(problem, solution) -> tuple[np.ndarray, np.ndarray]:
    """The solution's cells as positions among the problem's costly cells, and their changes."""
    position = {int(j): k for k, j in enumerate(problem.costly_index.tolist())}
    cells = np.array([position[j] for j in solution.changed], dtype=int)
    return cells, np.array([solution.values[j] for j in solution.changed], dtype=float) - problem.current[cells]


def _kept(problem, cells: np.ndarray, change: np.ndarray) -> bool:
    """Every identity holds with these changes, and each fits its cell: changed, not below its lower
    bound, whole where the cell holds whole numbers."""
    residual = problem.residual()
    holds = np.all(np.abs(problem.costly_coefs[:, cells] @ change + residual) <= TOLERANCE)
    columns = problem.costly_index[cells]
    new = problem.current[cells] + change
    matrix = problem.state.matrix
    whole = ~matrix.integral[columns] | (np.abs(new - np.round(new)) <= TOLERANCE)
    return bool(
        holds
        and np.all(np.abs(change) > TOLERANCE)
        and np.all(new >= matrix.lower[columns] - TOLERANCE)
        and whole.all()
    )


def _assert_valid_and_lean(problem, solution) -> None:
    assert solution is not None and not solution.proven
    assert list(solution.changed) == sorted(solution.changed, key=list(problem.costly_index).index)  # form order
    cells, change = _changes(problem, solution)
    assert solution.cost == len(cells) and _kept(problem, cells, change)
    for k in range(len(cells)):  # no cell can be left out (the others' values worked out again)
        rest = np.delete(cells, k)
        solved, _, rank, _ = np.linalg.lstsq(problem.costly_coefs[:, rest], -problem.residual(), rcond=None)
        assert not (rank == len(rest) and _kept(problem, rest, solved))


@pytest.mark.parametrize("case", REPORTS, ids=[f"{v}-{s}-{t}" for v, s, t in REPORTS])
def test_the_guess_makes_every_identity_hold_with_values_that_fit_and_no_cell_to_spare(case):
    problem = _last_problem(case)
    solution = guess.good_set(problem, time.monotonic() + 60)
    _assert_valid_and_lean(problem, solution)
    assert solution.cost <= case[2] + 1  # close to the typos made (the fewest are often fewer)
    assert guess.good_set(problem, time.monotonic() + 60) == solution


def test_each_attempt_leaves_no_cell_to_spare_and_the_smaller_is_kept():
    """2019, seed 2, 20 typos: the greedy steps and their finish change cells the others can do without."""
    for problem in _problems("2019", 2, 20):
        tried = [guess._attempt(problem, reverse, time.monotonic() + 60) for reverse in (False, True)]
        attempts = [attempt for attempt in tried if attempt is not None]  # None: no set found this way
        for attempt in attempts:
            _assert_valid_and_lean(problem, attempt)
        smaller = min(attempts, key=lambda s: (s.cost, sorted(s.changed)), default=None)
        assert guess.good_set(problem, time.monotonic() + 60) == smaller


@pytest.mark.parametrize("case", BOUNDED[:30], ids=[case[0] for case in BOUNDED[:30]])
def test_on_small_tables_the_guess_is_valid_and_never_below_the_fewest(case):
    _, coefs, residual, typed = case
    problem = _problem(coefs, residual, typed)
    fewest = branch.smallest_sets(problem, 1, time.monotonic() + 60)
    solution = guess.good_set(problem, time.monotonic() + 60)
    if not fewest:
        return
    _assert_valid_and_lean(problem, solution)
    assert solution.cost >= fewest[0].cost


def test_what_the_greedy_steps_leave_is_finished_by_the_branch_search():
    """2021, seed 9, 15 typos: the greedy steps stall with identities still broken; the finish settles them."""
    problem = _problems("2021", 9, 15)[-1]
    bounds = guess._Bounds(problem)
    count = len(problem.costly)
    left = guess._greedy(
        problem.costly_coefs, problem.residual(), bounds, np.zeros(count), np.zeros(count, dtype=bool), False
    )
    assert np.any(np.abs(left) > TOLERANCE)
    _assert_valid_and_lean(problem, guess.good_set(problem, time.monotonic() + 60))


def test_simultaneous_guesses_give_identical_sets():
    """The problems' matrices are shared read-only across requests (kept per cell-state pattern)."""
    cases = [(case, _last_problem(case)) for case in REPORTS]
    alone = {case: guess.good_set(problem, time.monotonic() + 60) for case, problem in cases}
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda item: (item[0], guess.good_set(item[1], time.monotonic() + 60)), cases * 3))
    assert all(solution == alone[case] for case, solution in together)


def test_a_least_squares_solve_that_fails_gives_no_guess_instead_of_an_error(monkeypatch):
    """The caller then asks HiGHS: a door never answers with an internal error for it."""

    def diverges(*args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge")

    problem = _last_problem(("2021", 0, 15))
    monkeypatch.setattr(guess.np.linalg, "lstsq", diverges)
    assert guess.good_set(problem, time.monotonic() + 60) is None
