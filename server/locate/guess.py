"""A good set found in milliseconds, for when the branch search runs out of nodes.

Many typos with the totals typed can take the exact search (:mod:`.branch`) far more
nodes than a click may spend: it has to prove that no smaller set exists, and value
bounds (counts ≥ 0, whole numbers) rule out most of the sets the identities alone
allow. Then this module finds a set that makes every identity hold with values that
fit, and the finding says it is the best found (unless the search had proven that
no smaller set exists: then it is the fewest).

1. Greedy steps: while some cell's change settles a broken identity (its difference
   becomes 0) without breaking one that holds, and brings the identities closer to
   holding (their total difference falls), the cell settling the most identities is
   changed — among those, the one bringing them closest, then the first in form order
   (or the last: see below). A mistake alone in its row and its column settles both
   identities at once and is taken first. Each cell changes once, by a change that
   fits its bounds.
2. What the steps leave is finished by the branch search on the differences left,
   with a small node budget of its own (:data:`FINISH_NODES`).
3. A cell the others can do without (their values worked out again, still fitting)
   is dropped.

It is run twice, ties taken in form order and in reverse form order, and the smaller
set is kept (the first in form order when both are as small). On reports with 15
typos (2021, totals typed) it finds sets of 13–16 cells where the fewest are 13–15,
in 2–6 ms; HiGHS, given the rest of two seconds, reported 16–36.
"""

from __future__ import annotations

import numpy as np

from .branch import Undecided
from .branch import Work
from .branch import kept_changes
from .branch import smallest_sets
from .matrices import TOLERANCE
from .matrices import Problem
from .search import Solution
from .search import order_key
from .search import whole

FINISH_NODES = 500
"""Nodes the branch search may use to finish what the greedy steps left (a few tens usually)."""
_SUM = np.add.reduce


def good_set(problem: Problem, deadline: float) -> Solution | None:
    """A set of costly cells that makes every identity hold with values that fit (not proven the fewest),
    or None when none was found this way."""
    if problem.loose:
        return None
    tried = (_safely(problem, reverse, deadline) for reverse in (False, True))
    return min((s for s in tried if s is not None), key=lambda s: (s.cost, order_key(s)), default=None)


def _safely(problem: Problem, reverse: bool, deadline: float) -> Solution | None:
    """:func:`_attempt`, None when the linear algebra fails (a least-squares solve that does not converge)."""
    try:
        return _attempt(problem, reverse, deadline)
    except np.linalg.LinAlgError:
        return None


class _Bounds:
    """What a cell's change must respect, for the problem's costly cells (positions in ``problem.costly``)."""

    def __init__(self, problem: Problem):
        matrix = problem.state.matrix
        self.current = problem.current
        self.lower = matrix.lower[problem.costly_index]
        self.integral = matrix.integral[problem.costly_index]
        self.big = problem.state.big

    def fit(self, cells: np.ndarray, change: np.ndarray) -> np.ndarray:
        """Whether each change of each cell is kept (the branch search's check at its leaves: :func:`kept_changes`)."""
        new = self.current[cells] + change
        return kept_changes(change, new, self.lower[cells], self.integral[cells], self.big)


def _attempt(problem: Problem, reverse: bool, deadline: float) -> Solution | None:
    """Greedy steps (ties in reverse form order when ``reverse``), the finish, the trim; None when no set
    that keeps every change was found."""
    coefs = problem.costly_coefs
    bounds = _Bounds(problem)
    count = coefs.shape[1]
    delta = np.zeros(count)
    used = np.zeros(count, dtype=bool)
    residual = _greedy(coefs, problem.residual(), bounds, delta, used, reverse)
    if np.any(np.abs(residual) > TOLERANCE) and not _finish(problem, residual, delta, used, deadline):
        return None
    cells = np.flatnonzero(used & (np.abs(delta) > TOLERANCE))
    if not _holds(coefs[:, cells], delta[cells], problem.residual()) or not bounds.fit(cells, delta[cells]).all():
        return None
    cells, change = _trim(coefs, problem.residual(), bounds, cells, delta[cells])
    costly = problem.costly_index
    new = bounds.current[cells] + change
    values = {int(costly[j]): whole(v) for j, v in zip(cells.tolist(), new.tolist(), strict=True)}
    return Solution(len(cells), tuple(int(costly[j]) for j in cells.tolist()), values, proven=False)


def _greedy(coefs, residual, bounds: _Bounds, delta, used, reverse: bool) -> np.ndarray:
    """Make the greedy steps (recorded in ``delta`` and ``used``); the differences left."""
    moves = np.abs(coefs) > TOLERANCE
    rank = -np.arange(coefs.shape[1]) if reverse else np.arange(coefs.shape[1])
    while True:
        broken = np.abs(residual) > TOLERANCE
        if not broken.any():
            return residual
        rows, cells = np.nonzero(moves & broken[:, None] & ~used)
        change = -residual[rows] / coefs[rows, cells]  # the change that settles that row with that cell alone
        kept = bounds.fit(cells, change)
        rows, cells, change = rows[kept], cells[kept], change[kept]
        after = residual[:, None] + coefs[:, cells] * change
        touched = moves[:, cells]
        settled = _SUM(touched & broken[:, None] & (np.abs(after) <= TOLERANCE), axis=0)
        breaks = _SUM(touched & ~broken[:, None], axis=0)
        closer = _SUM(np.abs(residual)[:, None] - np.abs(after), axis=0)
        good = np.flatnonzero((breaks == 0) & (closer > TOLERANCE))
        if not len(good):
            return residual
        pick = good[np.lexsort((rank[cells[good]], -closer[good], -settled[good]))[0]]
        cell = cells[pick]
        residual = after[:, pick].copy()
        delta[cell] = change[pick]
        used[cell] = True


class _Rest:
    """The problem once the greedy steps are made: what the branch search is asked to finish."""

    loose = ()

    def __init__(self, problem: Problem, current: np.ndarray, residual: np.ndarray):
        self.state = problem.state
        self.costly, self.costly_index, self.costly_coefs = problem.costly, problem.costly_index, problem.costly_coefs
        self.current = current
        self.left = residual
        self.memo: dict[str, object] = {}

    def residual(self) -> np.ndarray:
        return self.left


def _finish(problem: Problem, residual, delta, used, deadline: float) -> bool:
    """Settle the differences the greedy steps left with the branch search (on top of their changes)."""
    rest = _Rest(problem, problem.current + delta, residual)
    try:
        found = smallest_sets(rest, 1, deadline, Work(FINISH_NODES))
    except Undecided as stopped:
        found = stopped.found
    if not found:
        return False
    finish = min(found, key=lambda s: (s.cost, order_key(s)))
    position = {int(j): k for k, j in enumerate(problem.costly_index.tolist())}
    for cell, value in finish.values.items():
        k = position[cell]
        delta[k] = value - problem.current[k]
        used[k] = True
    return True


def _holds(columns: np.ndarray, change: np.ndarray, residual: np.ndarray) -> bool:
    return bool(np.all(np.abs(columns @ change + residual) <= TOLERANCE))


def _trim(coefs, residual, bounds: _Bounds, cells: np.ndarray, change: np.ndarray):
    """Drop, one at a time in form order, a cell the others can do without (their values worked out again
    and still fitting); the cells left and their changes."""
    dropped = True
    while dropped and len(cells) > 1:
        dropped = False
        k = 0
        while k < len(cells) and len(cells) > 1:
            rest = np.delete(cells, k)
            columns = coefs[:, rest]
            solved, _, rank, _ = np.linalg.lstsq(columns, -residual, rcond=None)
            if rank == len(rest) and _holds(columns, solved, residual) and bounds.fit(rest, solved).all():
                cells, change, dropped = rest, solved, True
            else:
                k += 1
    return cells, change
