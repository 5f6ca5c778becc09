"""Finding the fewest changed cells: one-cell explanations first, then HiGHS.

Most mistakes are one typo. Whether changing one cell alone makes every row
hold is a residual check done for all cells at once (:func:`single_changes`),
so one typo costs no solver call at all. Everything else is a mixed-integer
program solved by HiGHS through highspy (:class:`Milp`): the model is passed
in one call, and alternatives are found by adding a no-good row and running
again on the same model. The model carries valid inequalities — a broken row
needs a changed cell, a row that holds cannot have exactly one changed cell —
which make the relaxation tight enough that many typos take milliseconds
instead of growing exponentially.

A solve that reaches the time limit keeps HiGHS's best solution so far; the
caller says in the finding that it is the best found, not proven minimal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from .matrices import TOLERANCE
from .matrices import Problem

_FEASIBLE = 2
"""HiGHS ``primal_solution_status`` of a usable solution."""
_OPTIONS = {"mip_heuristic_run_rens": False, "mip_heuristic_run_rins": False}
"""The sub-MIP heuristics cost far more than they save on these small models."""


@dataclass(frozen=True)
class Solution:
    """Cells to change (table column indices, in the problem's order) and their new values."""

    cost: int
    changed: tuple[int, ...]
    values: dict[int, int | float]
    proven: bool = True
    """False when a time limit stopped the search: the best found, maybe not the fewest cells."""


def whole(value: float) -> int | float:
    """A solver value as clerks would type it."""
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def order_key(solution: Solution) -> tuple[int, ...]:
    """Equally good solutions are listed by their cells' places in the form."""
    return tuple(sorted(solution.changed))


# One cell ------------------------------------------------------------------------------------


def single_changes(problem: Problem, limit: int | None = None) -> list[Solution] | None:
    """Every way to make all rows hold by changing one costly cell, in form order (the first ``limit``).

    ``[Solution(0, ())]`` when nothing needs to change; None when the problem
    has cells without a value or deduced cells (only the MILP can say).
    """
    if problem.loose:
        return None
    residual = problem.residual()
    broken = np.abs(residual) > TOLERANCE
    if not broken.any():
        return [Solution(0, (), {})]
    if not problem.costly:
        return []
    coefs = problem.costly_coefs
    # A change δ of cell j moves exactly the rows where j has a coefficient: they must be the broken rows.
    fits = (problem.moves == broken[:, None]).all(axis=0)
    first = int(np.argmax(broken))
    candidates = np.flatnonzero(fits)
    delta = -residual[first] / coefs[first, candidates]
    exact = np.all(np.abs(coefs[:, candidates] * delta + residual[:, None]) <= TOLERANCE, axis=0)
    new = problem.current[candidates] + delta
    state = problem.state
    cells = problem.costly_index[candidates]
    whole_ok = ~state.matrix.integral[cells] | (np.abs(new - np.round(new)) <= TOLERANCE)
    ok = exact & whole_ok & (new >= state.matrix.lower[cells] - TOLERANCE) & (np.abs(delta) <= state.big)
    cells, new = cells[ok], new[ok]
    first = np.argsort(cells, kind="stable")[:limit]  # one cell each: form order is the order of the cells
    return [Solution(1, (j,), {j: v}) for j, v in zip(cells[first].tolist(), _whole_all(new[first]), strict=True)]


def _whole_all(values: np.ndarray) -> list[int | float]:
    """:func:`whole` of each value (NumPy rounds an array exactly as it rounds each of its numbers)."""
    return [int(v) if v == int(v) else v for v in np.round(values, 6)]


# Many cells ----------------------------------------------------------------------------------


class Milp:
    """The problem as a MILP in HiGHS: x (new values of costly then loose cells), then z (changed?)."""

    def __init__(self, problem: Problem, deadline: float):
        self.problem = problem
        self.deadline = deadline
        self.highs = highspy.Highs()
        self.highs.silent()
        for option, value in _OPTIONS.items():
            self.highs.setOptionValue(option, value)
        self.columns = problem.costly + problem.loose
        self.feasible = self._pass_model()
        self.stopped = False
        """Whether a solve ended at the deadline rather than with an answer (a set, or the proof there is none)."""

    def solve(self) -> Solution | None:
        """The fewest changes not excluded yet (or the best found before the deadline), or None."""
        if not self.feasible:
            return None
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.stopped = True
            return None
        self.highs.setOptionValue("time_limit", remaining)
        self.highs.run()
        status = self.highs.getModelStatus()
        self.stopped = status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
        if self.highs.getInfo().primal_solution_status != _FEASIBLE:
            return None
        proven = status == highspy.HighsModelStatus.kOptimal
        x = np.asarray(self.highs.getSolution().col_value)
        n = len(self.columns)
        changed = tuple(j for k, j in enumerate(self.problem.costly) if x[n + k] > 0.5)
        values = {j: whole(x[self.columns.index(j)]) for j in changed}
        return Solution(len(changed), changed, values, proven)

    def at_most(self, cost: int) -> None:
        """Look only for sets of at most ``cost`` cells from now on (proving there is none is quicker)."""
        n, m = len(self.columns), len(self.problem.costly)
        self.highs.addRow(-highspy.kHighsInf, cost, m, np.arange(n, n + m, dtype=np.int32), np.ones(m))

    def exclude(self, changed: tuple[int, ...]) -> None:
        """Forbid changing exactly these cells together again (a no-good row)."""
        n = len(self.columns)
        z = np.array([n + self.problem.costly.index(j) for j in changed], dtype=np.int32)
        self.highs.addRow(-highspy.kHighsInf, len(z) - 1, len(z), z, np.ones(len(z)))

    # Building the model ------------------------------------------------------------------------

    def _pass_model(self) -> bool:
        problem, state = self.problem, self.problem.state
        coefs = problem.coefs[:, self.columns]
        used = np.any(np.abs(coefs) > TOLERANCE, axis=1)
        if np.any(np.abs(problem.rhs[~used]) > TOLERANCE):
            return False  # a row no variable can fix
        n, m = len(self.columns), len(problem.costly)
        rows = _Rows()
        for r in np.flatnonzero(used):
            support = np.flatnonzero(np.abs(coefs[r]) > TOLERANCE)
            rows.add(problem.rhs[r], problem.rhs[r], support, coefs[r, support])
        self._links(rows, n)
        self._cuts(rows, coefs[used], problem.residual()[used], n)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n + m, rows.count
        lp.col_cost_ = np.concatenate([np.zeros(n), np.ones(m)])
        lp.col_lower_ = np.concatenate([state.matrix.lower[self.columns], np.zeros(m)])
        lp.col_upper_ = np.concatenate([np.full(n, highspy.kHighsInf), np.ones(m)])
        integral = np.concatenate([state.matrix.integral[self.columns], np.ones(m, dtype=bool)])
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integral]
        lp.row_lower_, lp.row_upper_ = rows.lower, rows.upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + m, rows.count
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = rows.starts(), rows.index, rows.value
        self.highs.passModel(lp)
        return True

    def _links(self, rows: _Rows, n: int) -> None:
        """x − big·z ≤ current and x + (current − lower)·z ≥ current: unchanged unless z = 1."""
        state = self.problem.state
        for k, j in enumerate(self.problem.costly):
            current, lower = state.values[j], state.matrix.lower[j]
            down = current - lower if np.isfinite(lower) else state.big
            rows.add(-highspy.kHighsInf, current, [k, n + k], [1.0, -state.big])
            rows.add(current, highspy.kHighsInf, [k, n + k], [1.0, down])

    def _cuts(self, rows: _Rows, coefs: np.ndarray, residual: np.ndarray, n: int) -> None:
        """Valid inequalities on z for rows of costly cells only."""
        m = len(self.problem.costly)
        for r in range(len(coefs)):
            support = np.flatnonzero(np.abs(coefs[r]) > TOLERANCE)
            if not len(support) or support[-1] >= m:
                continue  # no variable, or a loose cell can absorb any difference
            z = n + support
            if abs(residual[r]) > TOLERANCE:
                rows.add(1, highspy.kHighsInf, z, np.ones(len(z)))
            elif len(z) > 1:
                for one in range(len(z)):
                    rows.add(0, highspy.kHighsInf, z, np.where(np.arange(len(z)) == one, -1.0, 1.0))


class _Rows:
    """Rows of a model collected row-wise."""

    def __init__(self):
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.lengths: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    @property
    def count(self) -> int:
        return len(self.lower)

    def add(self, lower: float, upper: float, index, value) -> None:
        self.lower.append(float(lower))
        self.upper.append(float(upper))
        self.lengths.append(len(index))
        self.index.extend(int(i) for i in index)
        self.value.extend(float(v) for v in value)

    def starts(self) -> list[int]:
        return np.concatenate([[0], np.cumsum(self.lengths)]).astype(int).tolist()


# The set-cover bound -------------------------------------------------------------------------


def cover_bound(groups: list[frozenset[int]], enough: int, deadline: float) -> int:
    """Fewest cells touching every group (no solution changes fewer); stops early at ``enough``."""
    if not groups:
        return 0
    packing = _packing(groups)
    if packing >= enough:
        return packing
    cells = sorted(set().union(*groups))
    position = {c: i for i, c in enumerate(cells)}
    highs = highspy.Highs()
    highs.silent()
    highs.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
    rows = _Rows()
    for group in groups:
        rows.add(1, highspy.kHighsInf, [position[c] for c in sorted(group)], np.ones(len(group)))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cells), rows.count
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.ones(len(cells)), np.zeros(len(cells)), np.ones(len(cells))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cells)
    lp.row_lower_, lp.row_upper_ = rows.lower, rows.upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cells), rows.count
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = rows.starts(), rows.index, rows.value
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        return round(highs.getInfo().objective_function_value)
    bound = highs.getInfo().mip_dual_bound
    return max(packing, round(bound)) if np.isfinite(bound) else packing  # no bound yet when stopped at once


def _packing(groups: list[frozenset[int]]) -> int:
    """Groups with no cell in common, taken greedily smallest first: each needs its own change."""
    taken: set[int] = set()
    count = 0
    for group in sorted(groups, key=lambda g: (len(g), sorted(g))):
        if not taken.intersection(group):
            taken |= group
            count += 1
    return count
