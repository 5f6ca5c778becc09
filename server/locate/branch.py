"""Several typos: a branch-and-bound over the broken identities, without a solver.

Every set of cells that explains the breaks must contain a cell of each
broken identity. The search takes the broken identity with the fewest cells,
tries each of its cells in form order and eliminates that cell from the
other identities (Gaussian elimination: the cell is now free), so the
identities left are what the remaining cells must explain. Two lower bounds
prune it — identities with no cell in common each need their own change, and
k cells cannot touch more broken identities than their k largest counts —
and iterative deepening finds the smallest sets first. A typo costs a
handful of nodes, so ten typos take milliseconds.

This ignores the bounds (counts ≥ 0, whole numbers) until a set is found;
each found set is then checked. When a set smaller than the answer failed
that check, a bigger set containing it might be the true answer, so the
search gives up (:class:`Undecided`) and the caller asks the MILP instead —
as it does when there are cells without a value. When the table's node budget
runs out (:data:`NODE_LIMIT`, shared through :class:`Work`), the caller reports
the best set known instead (:mod:`.guess`), proven the fewest when the search
got that far.

One check comes earlier: once a pass can only find sets of exactly its
budget (the pass before found no set at all), a branch stops as soon as the
change of one of its chosen cells is settled (no cell still allowed can
alter it) and breaks its bound — every set below would fail that check at
its leaf. This only saves work: the sets found, and their order, stay the same.
Where the bounds say every set below has exactly the budget's cells, the same
pass also counts what the cells can settle alone with changes that fit
(:meth:`_Search._fit_worth`): when even that cannot reach every broken
identity, or a cell cannot be part of such a set, the branch or the cell is
skipped (the cells tried, and their order, are unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .matrices import TOLERANCE
from .matrices import Problem
from .search import Solution
from .search import whole

NODE_LIMIT = 3_000
"""Search nodes one table's searches may use together (:class:`Work`); past them the caller reports the
best set known (:mod:`.guess`), said to be the best found unless the search proved its size the fewest.

A count of nodes, not a share of the time, so that the answer does not depend on the machine or its
load. 3,000 nodes are 0.3–0.45 s; every recorded typo report (tests/test_locate_answers.py: up to 15
typos) needs at most 2,922. The clock (the table's time limit) still stops a search on a machine so
slow that these nodes would take longer.
"""
_MAX_STEP = 50
"""Largest step tried along the free direction of a set with one cell more."""
_SUM, _ANY, _ALL = np.add.reduce, np.logical_or.reduce, np.logical_and.reduce
"""The reductions themselves: the array methods' Python wrappers cost more than the tiny arrays of a node."""
_MARGIN = 1e-9
"""Rounding allowed for: a settled change is judged unfit early only when it fails a leaf's check by more."""


class Undecided(Exception):
    """The search cannot give an exact answer; the MILP must decide (or, when it ran out of nodes,
    the best set known is reported)."""

    def __init__(
        self,
        reason: str,
        found: list[Solution] | None = None,
        *,
        fewest: bool = False,
        ran_out: bool = False,
        floor: int = 0,
    ):
        super().__init__(reason)
        self.found = found or []
        """Sets found before giving up: they explain every break, but may not be the smallest."""
        self.fewest = fewest
        """The sets found have the fewest cells of all (the pass they came from is exact): only the search
        for more equally small ones was stopped."""
        self.ran_out = ran_out
        """Stopped by its nodes (or the clock), not because the bounds defeat it."""
        self.floor = floor
        """No set of fewer cells makes every identity hold (proven; 0 when nothing is known)."""


class Work:
    """The nodes used by the searches sharing it (one table's): together they may use :data:`NODE_LIMIT`,
    or ``limit`` when given."""

    __slots__ = ("nodes", "limit")

    def __init__(self, limit: int | None = None):
        self.nodes = 0
        self.limit = limit

    @property
    def spent(self) -> bool:
        return self.nodes > (NODE_LIMIT if self.limit is None else self.limit)


def smallest_sets(problem: Problem, wanted: int, deadline: float, work: Work | None = None) -> list[Solution] | None:
    """Up to ``wanted`` smallest sets (every one when fewer exist), in the order found; [] when none exists.

    ``problem.memo["enough"]``, when the caller put it there, is asked after each pass that found no set,
    with its budget: True stops the search, which answers None (the caller has no use for sets that big).
    ``work``: the nodes shared with the table's other searches (a budget of its own when None).
    """
    if problem.loose:
        raise Undecided("cells without a value")
    return _Search(problem, wanted, deadline, work).run(getattr(problem, "memo", {}).get("enough"))


def lower_bound(problem: Problem) -> int:
    """No set of fewer cells makes every identity hold (0 when cells without a value could absorb anything)."""
    if problem.loose:
        return 0
    coefs, residual = problem.costly_coefs, problem.residual()
    failed = np.abs(residual) > TOLERANCE
    if not failed.any():
        return 0
    return _bound(np.abs(coefs[failed]) > TOLERANCE, coefs[failed], residual[failed])


class _Search:
    def __init__(self, problem: Problem, wanted: int, deadline: float, work: Work | None = None):
        self.problem = problem
        self.wanted = wanted
        self.deadline = deadline
        self.work = Work() if work is None else work
        self.coefs = problem.costly_coefs
        self.residual = problem.residual()
        # Per-search lookups of the chosen cells' bounds (a cell j of the search is column costly[j]).
        self.costly = problem.costly_index
        matrix = problem.state.matrix
        self.lower = matrix.lower[self.costly]
        self.integral = matrix.integral[self.costly]
        self.nodes = 0
        self.found: dict[tuple[int, ...], Solution] = {}
        self.unsure = np.inf
        """Sets of this size or more may have been missed (they contain a set that broke a bound)."""
        self.leaves = 0
        """Sets found to make every identity hold, whether or not their values fit."""
        self.exact = True
        """Every set the current pass can find has exactly ``budget`` cells (no smaller set exists)."""
        self.budget = 0
        """The current pass's budget."""

    def run(self, enough: Callable[[int], bool] | None = None) -> list[Solution] | None:
        allowed = np.ones(len(self.problem.costly), dtype=bool)
        failed = np.abs(self.residual) > TOLERANCE
        if not failed.any():
            return [Solution(0, (), {})]
        broken = np.abs(self.coefs[failed]) > TOLERANCE
        rejected = False
        self.exact = True
        for budget in range(_bound(broken, self.coefs[failed], self.residual[failed]), len(allowed) + 1):
            self.unsure = np.inf
            self.budget = budget
            leaves = self.leaves
            self._branch(self.coefs, self.residual, allowed, [], budget, np.zeros((0, len(allowed))), np.zeros(0))
            # A pass without a leaf proves there is no smaller set: every leaf of the next pass has budget cells.
            self.exact = self.leaves == leaves
            rejected = rejected or self.unsure < np.inf
            if self.found and self.unsure <= budget:
                raise Undecided("a smaller set breaks a bound", list(self.found.values()))
            if self.found:
                return list(self.found.values())
            if enough is not None and enough(budget):
                return None
        if rejected:
            raise Undecided("every set breaks a bound")
        return []

    def _branch(self, coefs, residual, allowed, chosen: list[int], budget: int, pivots, settle) -> None:
        """Search below the cells ``chosen``; row i of ``pivots``·δ + ``settle``[i] = 0 gives chosen[i]'s change."""
        self._count()
        failed = np.abs(residual) > TOLERANCE
        if not _ANY(failed):
            self._leaf(coefs, chosen, budget)
            return
        lines = coefs[failed]  # only the broken identities' cells are needed until the last cell
        broken = (np.abs(lines) > TOLERANCE) & allowed
        left = budget - len(chosen)
        sizes = _SUM(broken, axis=1)
        if not _ALL(sizes):
            return
        worth = _worth(broken, lines, residual[failed])
        need = 2 * len(broken)
        ordered = worth.copy()
        ordered.sort()
        reach = ordered[::-1].cumsum()
        floor = _reach(reach, need)
        if floor > left:
            return
        packing = _packing(broken, sizes)
        if packing > left:
            return
        # Every set below has exactly ``left`` more cells when the bound says so (none fewer, so none with
        # a cell to spare): then a branch can stop when no set below can keep its changes (see _fit_worth).
        fitting = self.exact and max(floor, packing) == left
        if fitting:
            fit = self._fit_worth(broken, lines, residual[failed])
            fitted = fit.copy()
            fitted.sort()
            fitted = fitted[::-1].cumsum()
            if _reach(fitted, need) > left:
                return
        if left == 1:
            if not (self.exact and self._misfit(pivots, settle, allowed, chosen, budget)):
                support = (np.abs(coefs) > TOLERANCE) & allowed
                self._last_cell(coefs, residual, failed, support, chosen, budget)
            return
        # A cell is worth choosing only if it and the left − 1 best others can reach the need.
        allowed = allowed & (worth >= need - reach[left - 2])
        counts = _SUM(broken & allowed, axis=1)
        if not _ALL(counts):
            return
        if self.exact and self._misfit(pivots, settle, allowed, chosen, budget):
            return
        keep = None
        if fitting:  # the cells tried and their order stay those above; a cell no kept set can contain is skipped
            keep = fit >= need - fitted[left - 2]
            if not _ALL(_SUM(broken & allowed & keep, axis=1)):
                return
        smallest = counts.argmin()
        row = int(failed.nonzero()[0][smallest])
        pivot = coefs[row]
        for j in (broken[smallest] & allowed).nonzero()[0].tolist():
            allowed[j] = False
            if keep is not None and not keep[j]:
                continue
            factor = coefs[:, j] / pivot[j]
            reduced = coefs - factor[:, None] * pivot
            rest = residual - factor * residual[row]
            reduced[row], rest[row] = 0, 0
            below = settled = None
            if self.exact:  # the chosen cells' changes are only needed to cut branches early
                carried = pivots[:, j] / pivot[j]
                below = np.concatenate((pivots - carried[:, None] * pivot, pivot[None]))
                settled = np.concatenate((settle - carried * residual[row], residual[row : row + 1]))
            self._branch(reduced, rest, allowed, [*chosen, j], budget, below, settled)
            if len(self.found) >= self.wanted:
                return

    def _fit_worth(self, broken: np.ndarray, coefs: np.ndarray, residual: np.ndarray) -> np.ndarray:
        """:func:`_worth` of the sets whose changes fit (their leaf's check keeps them).

        A cell settles an identity alone only with the change −residual / coefficient, which is that
        cell's change in the set: when it breaks the cell's bound (below the lower bound, not whole, 0,
        too big), no set that is kept settles that identity with that cell alone. With the value bounds
        the linear bounds cannot see (typed totals, several typos), this is what proves that no set of
        the budget can be kept. Only asked where every set below has exactly the budget's cells, which
        have independent columns (a set with a cell to spare would contain a smaller set below): such a
        set is kept exactly when its changes fit, so cutting where none fits loses no set found and no
        sign that a smaller set broke a bound; like :meth:`_misfit`, it only leaves uncounted the leaves
        that would have failed their check.
        """
        touches = _SUM(broken, axis=0)
        change = np.divide(-residual[:, None], coefs, out=np.full(coefs.shape, np.nan), where=broken)
        new = self.problem.current + change
        bad = (
            (np.abs(change) < TOLERANCE - _MARGIN)
            | (new < self.lower - TOLERANCE - _MARGIN)
            | (self.integral & (np.abs(new - np.round(new)) > TOLERANCE + _MARGIN))
            | (np.abs(change) > self.problem.state.big * (1 + _MARGIN))
        )
        kept = broken & ~bad
        ordered = np.where(kept, change, np.nan).round(9)
        ordered.sort(axis=0)
        agreeing = _SUM(ordered[1:] == ordered[:-1], axis=0)
        alone = np.where(_ANY(kept, axis=0), 1 + agreeing, 0)
        return touches + np.minimum(touches, alone)

    def _count(self) -> None:
        """One more node; past the node budget or the deadline the search gives up."""
        self.nodes += 1
        work = self.work
        work.nodes += 1
        if work.spent or (self.nodes % 64 == 0 and time.monotonic() > self.deadline):
            # In an exact pass no set of fewer cells than its budget makes every identity hold. Sets found
            # in it have the budget's cells; with nothing in the pass so far saying a smaller one broke a
            # bound, they are the fewest.
            fewest = bool(self.found) and self.exact and self.unsure > self.budget
            floor = self.budget if self.exact else 0
            found = list(self.found.values())
            raise Undecided("node budget", found, fewest=fewest, ran_out=True, floor=floor)

    def _misfit(self, pivots, settle, allowed, chosen: list[int], budget: int) -> bool:
        """Whether a chosen cell's change is already settled and cannot be kept (beyond rounding).

        Only asked when every set below has ``budget`` cells: each such set would
        break that cell's bound at its leaf, so none is kept and none is extended
        (what the leaves would have recorded in ``unsure`` is recorded here).
        """
        if not chosen:
            return False
        open_ = np.abs(pivots[:, allowed]) > TOLERANCE
        settled = ~_ANY(open_, axis=1)
        if not _ANY(settled):
            return False
        rows = settled.nonzero()[0]
        cells = np.array(chosen)[rows]
        delta = -settle[rows] / pivots[rows, cells]
        problem = self.problem
        new = problem.current[cells] + delta
        bad = (
            (np.abs(delta) < TOLERANCE - _MARGIN)
            | (new < self.lower[cells] - TOLERANCE - _MARGIN)
            | (self.integral[cells] & (np.abs(new - np.round(new)) > TOLERANCE + _MARGIN))
            | (np.abs(delta) > problem.state.big * (1 + _MARGIN))
        )
        if not _ANY(bad):
            return False
        self.unsure = min(self.unsure, budget + 1)
        return True

    def _last_cell(self, coefs, residual, failed, support, chosen: list[int], budget: int) -> None:
        """One cell left: those whose single change settles every broken identity, checked all at once."""
        fits = np.flatnonzero((support == failed[:, None]).all(axis=0))
        if not len(fits):
            return
        first = int(np.argmax(failed))
        change = -residual[first] / coefs[first, fits]
        exact = np.all(np.abs(coefs[:, fits] * change + residual[:, None]) <= TOLERANCE, axis=0)
        for j in fits[exact].tolist():
            self._leaf(None, [*chosen, j], budget)
            if len(self.found) >= self.wanted:
                return

    # Checking the bounds ----------------------------------------------------------------------

    def _leaf(self, reduced: np.ndarray | None, chosen: list[int], budget: int) -> None:
        """Keep a set that makes every identity hold if its values fit; else try it with one more cell."""
        self.leaves += 1
        columns = self.coefs[:, chosen]
        delta, _, rank, _ = np.linalg.lstsq(columns, -self.residual, rcond=None)
        if rank < len(chosen) or np.any(np.abs(columns @ delta + self.residual) > TOLERANCE):
            self.unsure = min(self.unsure, len(chosen))
            return
        if self._fits(chosen, delta):
            self._keep(chosen, delta)
            return
        self.unsure = min(self.unsure, len(chosen) + (2 if len(chosen) < budget else 1))
        if reduced is not None and len(chosen) < budget:
            self._extend(reduced, chosen, delta)

    def _extend(self, reduced: np.ndarray, chosen: list[int], delta: np.ndarray) -> None:
        """Add one cell whose change the chosen cells can absorb, moving along the one free direction."""
        absorbed = ~np.any(np.abs(reduced) > TOLERANCE, axis=0)
        absorbed[chosen] = False
        columns = self.coefs[:, chosen]
        for t in np.flatnonzero(absorbed).tolist():
            direction = np.append(-np.linalg.lstsq(columns, self.coefs[:, t], rcond=None)[0], 1.0)
            cells = [*chosen, t]
            step = self._step(cells, np.append(delta, 0.0), direction)
            if step is not None:
                self._keep(cells, np.append(delta, 0.0) + step * direction)

    def _step(self, cells: list[int], delta: np.ndarray, direction: np.ndarray) -> float | None:
        """The smallest whole step along ``direction`` that changes every cell and fits, or None."""
        for size in range(1, _MAX_STEP + 1):
            for step in (-size, size):
                if self._fits(cells, delta + step * direction):
                    return float(step)
        return None

    def _fits(self, chosen: list[int], delta: np.ndarray) -> bool:
        problem = self.problem
        new = problem.current[chosen] + delta
        return bool(kept_changes(delta, new, self.lower[chosen], self.integral[chosen], problem.state.big).all())

    def _keep(self, chosen: list[int], delta: np.ndarray) -> None:
        problem = self.problem
        cells = self.costly[chosen]
        new = problem.current[chosen] + delta
        order = {j: i for i, j in enumerate(problem.costly)}
        changed = tuple(sorted(cells.tolist(), key=order.__getitem__))
        if changed not in self.found:
            values = {int(j): whole(v) for j, v in zip(cells, new, strict=True)}
            self.found[changed] = Solution(len(changed), changed, values)


def kept_changes(
    change: np.ndarray, new: np.ndarray, lower: np.ndarray, integral: np.ndarray, big: float
) -> np.ndarray:
    """Which changes a set may keep (the check at a leaf): not 0, the new value not below the cell's lower
    bound and whole where the cell holds whole numbers, the change not bigger than ``big``."""
    return (
        (np.abs(change) > TOLERANCE)
        & (new >= lower - TOLERANCE)
        & (~integral | (np.abs(new - np.round(new)) <= TOLERANCE))
        & (np.abs(change) <= big)
    )


def _bound(broken: np.ndarray, coefs: np.ndarray, residual: np.ndarray) -> int:
    """Fewest cells that can explain every broken identity (rows of ``broken``: their cells)."""
    worth = _worth(broken, coefs, residual)
    return max(_reach(np.cumsum(np.sort(worth)[::-1]), 2 * len(broken)), _packing(broken))


def _worth(broken: np.ndarray, coefs: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """What each cell can contribute towards explaining the broken identities.

    An identity touched by one chosen cell alone fixes that cell's change
    (−residual / coefficient), so a cell settles alone only identities that
    agree on that change, and every other identity it touches needs a second
    cell. Summed over the chosen cells, touches + identities settled alone
    ≥ 2 × broken identities; a cell's worth is its touches plus an upper
    bound of what it can settle alone.
    """
    touches = _SUM(broken, axis=0)
    worth = 2 * touches  # a cell touching at most one identity settles it alone if it touches it
    # Only the cells touching two identities or more can find them agreeing: those few are compared.
    shared = (touches > 1).nonzero()[0]
    broken, coefs, touches = broken[:, shared], coefs[:, shared], touches[shared]
    change = np.divide(-residual[:, None], coefs, out=np.full(coefs.shape, np.nan), where=broken)
    ordered = change.round(9)
    ordered.sort(axis=0)
    agreeing = _SUM(ordered[1:] == ordered[:-1], axis=0)
    worth[shared] = touches + np.minimum(touches, 1 + agreeing)
    return worth


def _reach(cumulative: np.ndarray, need: int) -> int:
    """Fewest cells whose worth (best first, summed in ``cumulative``) reaches ``need``."""
    return int(cumulative.searchsorted(need)) + 1


def _packing(broken: np.ndarray, sizes: np.ndarray | None = None) -> int:
    """Broken identities with no cell in common, taken greedily smallest first (``sizes``: their cell counts)."""
    packed = np.packbits(broken, axis=1)
    width = packed.shape[1]
    data = packed.tobytes()
    sizes = _SUM(broken, axis=1) if sizes is None else sizes
    taken = count = 0
    for row in sizes.argsort(kind="stable").tolist():
        cells = int.from_bytes(data[row * width : (row + 1) * width], "big")
        if not cells & taken:
            taken |= cells
            count += 1
    return count
