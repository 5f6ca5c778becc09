"""The branch-and-bound of server/locate/branch.py against brute force on small random tables.

Without value bounds (negatives allowed, fractions allowed), a smallest set of cells that makes every
identity hold has independent columns and a unique change with no zero in it, so the search must
return exactly the sets of fewest cells that brute force finds (every subset, smallest first). This is
the check any new bound or pruning of the search has to pass: a bound that is not a true lower bound
makes the search miss sets or answer with bigger ones.
"""

from __future__ import annotations

import itertools
import random
import time
from types import SimpleNamespace

import numpy as np
import pytest

from server.locate import branch
from server.locate.matrices import TOLERANCE


def _problem(coefs: np.ndarray, residual: np.ndarray) -> SimpleNamespace:
    """A stand-in for matrices.Problem: cells 0..n−1, all costly, no value bounds."""
    n = coefs.shape[1]
    current = np.full(n, 10.0)
    rhs = coefs @ current - residual
    matrix = SimpleNamespace(lower=np.full(n, -np.inf), integral=np.zeros(n, dtype=bool))
    return SimpleNamespace(
        loose=[],
        costly=list(range(n)),
        coefs=coefs,
        current=current,
        rhs=rhs,
        state=SimpleNamespace(matrix=matrix, big=1e9),
        residual=lambda: coefs @ current - rhs,
    )


def _smallest_by_brute_force(coefs: np.ndarray, residual: np.ndarray) -> list[tuple[int, ...]]:
    """Every set of fewest columns whose span holds −residual (all sets of that size, in order)."""
    n = coefs.shape[1]
    if np.all(np.abs(residual) <= TOLERANCE):
        return [()]
    for size in range(1, n + 1):
        found = []
        for cells in itertools.combinations(range(n), size):
            columns = coefs[:, cells]
            delta = np.linalg.lstsq(columns, -residual, rcond=None)[0]
            if np.all(np.abs(columns @ delta + residual) <= TOLERANCE):
                found.append(cells)
        if found:
            return found
    return []


def _grid(rng: random.Random, rows: int, cols: int, typos: int) -> tuple[np.ndarray, np.ndarray]:
    """A table with row and column totals (typed), ``typos`` detail cells changed by 1–5."""
    cells = [(r, c) for r in range(rows + 1) for c in range(cols + 1)]  # the last row and column are totals
    index = {cell: j for j, cell in enumerate(cells)}
    identities = []
    for r in range(rows + 1):  # row r: its details − its total = 0
        line = np.zeros(len(cells))
        for c in range(cols):
            line[index[r, c]] = 1
        line[index[r, cols]] = -1
        identities.append(line)
    for c in range(cols + 1):  # column c: its details − its total = 0
        line = np.zeros(len(cells))
        for r in range(rows):
            line[index[r, c]] = 1
        line[index[rows, c]] = -1
        identities.append(line)
    coefs = np.array(identities)
    change = np.zeros(len(cells))
    details = [index[r, c] for r in range(rows) for c in range(cols)]
    for j in rng.sample(details, typos):
        change[j] = rng.choice([1, 2, 3, 5])
    return coefs, coefs @ change


def _sparse(rng: random.Random, identities: int, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Random identities of 2–4 cells with coefficients ±1 or ±2, broken by changing a few cells."""
    coefs = np.zeros((identities, cells))
    for line in coefs:
        for j in rng.sample(range(cells), rng.randint(2, 4)):
            line[j] = rng.choice([-2, -1, 1, 2])
    change = np.zeros(cells)
    for j in rng.sample(range(cells), rng.randint(1, 4)):
        change[j] = rng.choice([-3, -1, 1, 2, 4])
    return coefs, coefs @ change


def _cases():
    rng = random.Random(11)
    cases = []
    for number in range(40):
        rows, cols = rng.randint(2, 3), rng.randint(2, 3)
        cases.append((f"grid-{number}", *_grid(rng, rows, cols, rng.randint(1, min(4, rows * cols)))))
    for number in range(40):
        cases.append((f"sparse-{number}", *_sparse(rng, rng.randint(3, 6), rng.randint(6, 10))))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_the_search_finds_every_smallest_set_that_brute_force_finds(case):
    _, coefs, residual = case
    expected = _smallest_by_brute_force(coefs, residual)
    found = branch.smallest_sets(_problem(coefs, residual), 10_000, time.monotonic() + 60)
    assert sorted(s.changed for s in found) == expected


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_the_lower_bound_is_never_above_the_smallest_set(case):
    _, coefs, residual = case
    expected = _smallest_by_brute_force(coefs, residual)
    if expected:
        assert branch.lower_bound(_problem(coefs, residual)) <= len(expected[0])


def test_the_random_tables_include_breaks_that_need_several_cells():
    sizes = [len(_smallest_by_brute_force(coefs, residual)[0]) for _, coefs, residual in CASES]
    assert max(sizes) >= 4
    assert sum(size >= 2 for size in sizes) >= 30
