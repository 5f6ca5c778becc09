"""The identities of a table as matrices: built once per form, specialised per validation.

:func:`table_matrix` turns a table's identities into a coefficient matrix
the first time a form is localised and keeps it (a lock makes the first
build safe when the web server validates in several threads at once).
:class:`TableState` adds one validation's values and cell states, and
:class:`Problem` is the Fellegi–Holt problem of one table on a chosen set
of variables, with the blank totals the engine computed eliminated: such a
total is the sum of its parts, so it is replaced by them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple

import numpy as np

from ..forms.derive import Identity
from ..forms.model import Form
from ..rules.base import Context
from ..totals import BLANK
from ..totals import COMPUTED
from ..totals import TYPED

TOLERANCE = 1e-6
"""Differences below this are zero (as in the identity rules)."""


@dataclass(frozen=True)
class TableMatrix:
    """A table's identities (rows) over its cells (columns, in form order)."""

    identities: tuple[Identity, ...]
    keys: tuple[str, ...]
    coefs: np.ndarray
    """Coefficient of each cell in ``Σ left − Σ right = 0``."""
    touches: np.ndarray
    """Whether the cell is one of the identity's cells (even with a net coefficient of 0)."""
    appearance: np.ndarray
    """Where the cell first appears in the identity (row-major rank), +inf when it does not."""
    parts: np.ndarray
    """parts[c, p] = 1 when cell p is a part of the total c."""
    integral: np.ndarray
    lower: np.ndarray
    """Smallest allowed value per cell (−inf when negatives are allowed)."""
    touch_weights: np.ndarray
    """``touches`` as 1.0 and 0.0 (for products)."""
    row_of: dict[str, int]
    """Identity id -> its row."""
    patterns: dict = field(default_factory=dict, compare=False, repr=False)
    """(cell states, cells without a value) -> what :class:`TableState` derives from them alone (bounded)."""


_CACHE: dict[int, tuple[Form, dict[str, TableMatrix]]] = {}
_LOCK = threading.Lock()


def table_matrix(form: Form, table: str) -> TableMatrix:
    """The matrices of one table of a form, built on first use."""
    entry = _CACHE.get(id(form))
    if entry is None or entry[0] is not form:
        with _LOCK:
            entry = _CACHE.get(id(form))
            if entry is None or entry[0] is not form:
                entry = (form, {t.key: _build(form, t.key) for t in form.tables})
                _CACHE[id(form)] = entry
    return entry[1][table]


def _build(form: Form, table: str) -> TableMatrix:
    identities = tuple(i for i in form.identities if i.table == table)
    involved = {k for i in identities for k in i.cells}
    keys = tuple(k for k in form.cells if k in involved)
    index = {k: j for j, k in enumerate(keys)}
    shape = (len(identities), len(keys))
    coefs, touches, appearance = np.zeros(shape), np.zeros(shape, dtype=bool), np.full(shape, np.inf)
    width = len(keys) + 1
    for r, identity in enumerate(identities):
        for key, coef in identity.terms.items():
            coefs[r, index[key]] = coef
        for position, key in enumerate(identity.cells):
            touches[r, index[key]] = True
            appearance[r, index[key]] = r * width + position
    parts = np.zeros((len(keys), len(keys)))
    for key, defined_by in form.definitions.items():
        if key in index:
            for part in defined_by:
                parts[index[key], index[part]] += 1
    domains = [form.cells[k].domain for k in keys]
    lower = np.array([-np.inf if d.lower_bound is None else d.lower_bound for d in domains], dtype=float)
    integral = np.array([d.integral for d in domains])
    row_of = {identity.id: r for r, identity in enumerate(identities)}
    return TableMatrix(
        identities, keys, coefs, touches, appearance, parts, integral, lower, touches.astype(float), row_of
    )


_PATTERNS = 256
"""Cell-state patterns kept per table (most clicks repeat a few: totals blank, totals typed)."""


class _Pattern(NamedTuple):
    """What one pattern of cell states decides on a table; shared by every validation with the same
    states, in every thread: the arrays are read-only."""

    costly: np.ndarray
    computed: np.ndarray
    expanded: np.ndarray
    costly_cells: tuple[bool, ...]
    loose_cells: tuple[bool, ...]
    groups: tuple[frozenset[int] | None, ...]
    """Per identity: :meth:`TableState.group`."""
    free: np.ndarray
    """1.0 for a cell whose change is free (not costly), else 0.0."""
    missing: np.ndarray
    """Cells without a value."""
    reach: dict
    """Candidate cells (bytes of the mask) -> :meth:`TableState.variables` of them (bounded)."""
    shapes: dict
    """Variables (bytes of the mask, None for every cell) -> the :class:`_Shape` of that :class:`Problem` (bounded)."""


_KEPT_PER_PATTERN = 64
"""Entries kept in each of a pattern's ``reach`` and ``shapes``."""


class _Shape(NamedTuple):
    """What a :class:`Problem` takes from its pattern and variables alone (read-only, shared)."""

    rows: np.ndarray
    costly: tuple[int, ...]
    loose: tuple[int, ...]
    coefs: np.ndarray
    fixed: np.ndarray
    """The cells that are constants of the problem."""
    minus_fixed: np.ndarray
    """Minus their coefficients (``rhs`` is this times their values)."""
    costly_index: np.ndarray
    costly_coefs: np.ndarray
    moves: np.ndarray


def _pattern(matrix: TableMatrix, states: tuple[str, ...], values: np.ndarray) -> _Pattern:
    costly = np.array([state in (TYPED, BLANK) for state in states]) & ~np.isnan(values)
    computed = np.array([state == COMPUTED for state in states])
    expanded = _expand(matrix, computed, matrix.coefs)
    groups = []
    for row in np.abs(expanded) > TOLERANCE:
        cells = np.flatnonzero(row)
        groups.append(frozenset(cells.tolist()) if costly[cells].all() else None)
    free, missing = (~costly).astype(float), np.isnan(values)
    for array in (costly, computed, expanded, free, missing):
        array.flags.writeable = False
    loose = tuple((~costly & ~computed).tolist())
    return _Pattern(costly, computed, expanded, tuple(costly.tolist()), loose, tuple(groups), free, missing, {}, {})


def _expand(matrix: TableMatrix, computed: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """Coefficients with every computed total replaced by its parts (recursively)."""
    out = coefs.copy()
    while np.any(out[:, computed]):
        pushed = out[:, computed] @ matrix.parts[computed]
        out[:, computed] = 0
        out += pushed
    return out


class TableState:
    """One validation's values and cell states on a table's matrices."""

    def __init__(self, ctx: Context, matrix: TableMatrix, big: float):
        self.matrix = matrix
        self.big = big
        keys = matrix.keys
        self.values = np.array(list(map(ctx.values.get, keys)), dtype=float)  # a cell without a value is NaN
        states = tuple(map(ctx.state.__getitem__, keys))
        pattern = (states, np.isnan(self.values).tobytes())
        known = matrix.patterns.get(pattern)
        if known is None:
            known = _pattern(matrix, states, self.values)
            if len(matrix.patterns) < _PATTERNS:
                matrix.patterns[pattern] = known
        self.pattern = known
        self.costly, self.computed, self.expanded = known.costly, known.computed, known.expanded

    def group(self, row: int) -> frozenset[int] | None:
        """The costly cells an identity depends on once computed totals are expanded.

        None when it also depends on another free cell (unreadable or deduced),
        which could absorb the difference.
        """
        return self.pattern.groups[row]

    def variables(self, candidates: np.ndarray) -> np.ndarray:
        """The candidate cells plus every free cell a change to them can flow through (read-only: kept
        per pattern and candidates)."""
        key = candidates.tobytes()
        known = self.pattern.reach.get(key)
        if known is None:
            known = _reach(self.matrix, self.pattern, candidates)
            if len(self.pattern.reach) < _KEPT_PER_PATTERN:
                self.pattern.reach[key] = known
        return known


def _reach(matrix: TableMatrix, pattern: _Pattern, candidates: np.ndarray) -> np.ndarray:
    variables = candidates.copy()
    touches, free = matrix.touch_weights, pattern.free
    while True:
        rows = touches @ variables > 0  # the identities touching a variable
        grown = variables | ((rows @ touches) * free > 0)  # and the free cells they touch
        if (grown == variables).all():
            variables.flags.writeable = False
            return variables
        variables = grown


class Problem:
    """Fewest costly cells to change so that every identity of the rows holds.

    Variables are the cells in ``variables`` (all cells when None) plus the
    cells without a value; the other cells of the rows keep their values.
    Computed totals among the variables are eliminated (replaced by their
    parts). ``costly`` lists the cells whose change counts, in the order
    they first appear in the rows (the order findings name them in).
    """

    def __init__(self, state: TableState, variables: np.ndarray | None = None):
        self.state = state
        shapes = state.pattern.shapes
        key = None if variables is None else variables.tobytes()
        shape = shapes.get(key)
        if shape is None:
            shape = _shape(state, variables)
            if len(shapes) < _KEPT_PER_PATTERN:
                shapes[key] = shape
        self.rows, self.coefs = shape.rows, shape.coefs
        self.costly, self.loose = list(shape.costly), list(shape.loose)
        self.costly_index, self.costly_coefs, self.moves = shape.costly_index, shape.costly_coefs, shape.moves
        """``costly`` as an array; the rows' coefficients of the costly cells; which rows each one moves (read-only)."""
        self.rhs = shape.minus_fixed @ state.values[shape.fixed]
        self.current = state.values[shape.costly_index]
        self.memo: dict[str, object] = {}
        """What the search worked out about this problem and may need again."""

    def residual(self) -> np.ndarray:
        """How far each row is from holding with every costly cell unchanged (loose cells left out)."""
        return self.costly_coefs @ self.current - self.rhs

    def unique(self, changed: list[int]) -> set[int]:
        """Changed cells whose new value the identities fix uniquely."""
        free = self.loose + [j for j in self.costly if j in changed]
        columns = self.coefs[:, free]
        if len(free) == 1:  # one cell alone (most typos): its value is fixed when any identity holds it
            return set(changed) if columns.any() else set()
        rank = np.linalg.matrix_rank(columns)
        return {j for j in changed if np.linalg.matrix_rank(np.delete(columns, free.index(j), axis=1)) < rank}


def _shape(state: TableState, variables: np.ndarray | None) -> _Shape:
    """A problem's rows, cells and coefficients: they depend on the pattern and the variables alone."""
    matrix = state.matrix
    if variables is None:
        rows = np.ones(len(matrix.identities), dtype=bool)
    else:
        rows = matrix.touch_weights @ variables > 0  # the identities touching a variable
    involved = rows @ matrix.touch_weights > 0  # the cells of those identities
    movable = involved if variables is None else involved & (variables | state.pattern.missing)
    order = np.argsort(matrix.appearance[rows].min(axis=0), kind="stable")
    order = order[movable[order]].tolist()
    costly_cells, loose_cells = state.pattern.costly_cells, state.pattern.loose_cells
    costly = tuple(j for j in order if costly_cells[j])
    loose = tuple(j for j in order if loose_cells[j])
    coefs = state.expanded[rows]
    # Expanded totals can reach cells outside the rows: every cell that is not a variable is a constant.
    fixed = ~movable & np.any(coefs != 0, axis=0)
    minus_fixed = -coefs[:, fixed]
    costly_index = np.array(costly, dtype=np.intp)
    costly_coefs = coefs[:, costly_index]
    moves = np.abs(costly_coefs) > TOLERANCE
    for array in (rows, coefs, fixed, minus_fixed, costly_index, costly_coefs, moves):
        array.flags.writeable = False
    return _Shape(rows, costly, loose, coefs, fixed, minus_fixed, costly_index, costly_coefs, moves)
