"""Error localisation: which cells most likely hold the typing mistake.

Fellegi–Holt minimal change, solved as a mixed-integer program with HiGHS
(through :func:`scipy.optimize.milp`): find the fewest cells of a table
whose change makes every identity of that table hold. Cells whose value is
not evidence — blank totals, deduced blanks, unreadable text — may change
for free. Every cell the clerk typed (or left blank, counting as 0) costs 1.

One optimal set is reported as the culprits, each with the value to type
when that value is unique. When another set of the same size also works,
the answer is ambiguous and the options are listed instead.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.optimize import Bounds
from scipy.optimize import LinearConstraint
from scipy.optimize import milp

from .findings import CellRef
from .forms.derive import Identity
from .rules.base import Context
from .totals import BLANK
from .totals import COMPUTED
from .totals import TYPED

MAX_OPTIONS = 4
"""How many alternative culprit sets an ambiguous finding lists."""
_TIME_LIMIT = 2.0


class _Problem:
    """The MILP of one table: x (new values) then z (changed?) per costly variable.

    Cells outside ``variables`` keep their value (they are constants), except
    cells without a value (unreadable), which are always variables.
    """

    def __init__(self, ctx: Context, identities: list[Identity], variables: set[str] | None = None):
        self.ctx = ctx
        if variables is not None:
            identities = [i for i in identities if variables.intersection(i.cells)]
        self.identities = identities
        cells = list(dict.fromkeys(k for identity in identities for k in identity.cells))
        self.keys = [k for k in cells if variables is None or k in variables or ctx.values.get(k) is None]
        self.index = {key: i for i, key in enumerate(self.keys)}
        self.costly = [k for k in self.keys if _costs(ctx, k)]
        self.fixed = {k: float(ctx.values[k]) for k in cells if k not in self.index}
        self.current = {k: float(ctx.values[k]) for k in self.costly}
        self.big = 2 * sum(abs(v) for v in ctx.values.values() if v is not None) + 10

    def solve(self, cuts: list[list[str]]):
        """Optimal (cost, changed keys, values) under the given no-good cuts, or None."""
        n, m = len(self.keys), len(self.costly)
        constraints = [self._identities(n, m), *self._links(n, m)]
        if cuts:
            constraints.append(self._cuts(n, m, cuts))
        lower = np.concatenate([self._lower(), np.zeros(m)])
        upper = np.concatenate([np.full(n, np.inf), np.ones(m)])
        result = milp(
            np.concatenate([np.zeros(n), np.ones(m)]),
            constraints=constraints,
            integrality=np.concatenate([self._integral(), np.ones(m)]),
            bounds=Bounds(lower, upper),
            options={"time_limit": _TIME_LIMIT},
        )
        if result.status != 0 or result.x is None:
            return None
        x, z = result.x[:n], result.x[n:]
        changed = [k for j, k in enumerate(self.costly) if z[j] > 0.5]
        values = {k: _whole(x[self.index[k]]) for k in self.keys}
        return round(result.fun), changed, values

    def _identities(self, n: int, m: int) -> LinearConstraint:
        rows = np.zeros((len(self.identities), n + m))
        rhs = np.zeros(len(self.identities))
        for r, identity in enumerate(self.identities):
            for key, coef in identity.terms.items():
                if key in self.index:
                    rows[r, self.index[key]] += coef
                else:
                    rhs[r] -= coef * self.fixed[key]
        return LinearConstraint(rows, rhs, rhs)

    def _links(self, n: int, m: int) -> list[LinearConstraint]:
        """|x − current| ≤ big · z for every movable costly cell."""
        upper = np.zeros((m, n + m))
        lower = np.zeros((m, n + m))
        bounds = np.zeros(m)
        for j, key in enumerate(self.costly):
            i = self.index[key]
            upper[j, i], upper[j, n + j] = 1, -self.big
            lower[j, i], lower[j, n + j] = 1, self.big
            bounds[j] = self.current[key]
        return [LinearConstraint(upper, -np.inf, bounds), LinearConstraint(lower, bounds, np.inf)]

    def _cuts(self, n: int, m: int, cuts: list[list[str]]) -> LinearConstraint:
        rows = np.zeros((len(cuts), n + m))
        position = {k: j for j, k in enumerate(self.costly)}
        for r, cut in enumerate(cuts):
            for key in cut:
                rows[r, n + position[key]] = 1
        return LinearConstraint(rows, -np.inf, [len(cut) - 1 for cut in cuts])

    def _integral(self) -> np.ndarray:
        return np.array([1 if self.ctx.form.cells[k].domain.integral else 0 for k in self.keys])

    def _lower(self) -> np.ndarray:
        bounds = [self.ctx.form.cells[k].domain.lower_bound for k in self.keys]
        return np.array([-np.inf if b is None else b for b in bounds], dtype=float)

    def unique_values(self, changed: list[str]) -> set[str]:
        """Changed cells whose new value the identities fix uniquely."""
        free = [k for k in self.keys if k not in self.costly or k in changed]
        matrix = np.zeros((len(self.identities), len(free)))
        for r, identity in enumerate(self.identities):
            for key, coef in identity.terms.items():
                if key in free:
                    matrix[r, free.index(key)] += coef
        rank = np.linalg.matrix_rank(matrix)
        return {k for k in changed if np.linalg.matrix_rank(np.delete(matrix, free.index(k), axis=1)) < rank}


def _costs(ctx: Context, key: str) -> bool:
    """Whether changing the cell counts: it holds the clerk's number (or a blank read as 0)."""
    return ctx.state[key] in (TYPED, BLANK) and ctx.values.get(key) is not None


def _leaves(ctx: Context, key: str) -> dict[str, int]:
    """A computed total as the sum of the cells it was computed from."""
    if ctx.state[key] != COMPUTED:
        return {key: 1}
    out: dict[str, int] = defaultdict(int)
    for part in ctx.form.definitions[key]:
        for leaf, coef in _leaves(ctx, part).items():
            out[leaf] += coef
    return out


def _expanded(ctx: Context, identity: Identity) -> set[str] | None:
    """The costly cells a failed identity depends on once computed totals are expanded.

    None when the identity also depends on another free cell (unreadable or
    deduced), which could absorb the difference.
    """
    terms: dict[str, int] = defaultdict(int)
    for key, coef in identity.terms.items():
        for leaf, leaf_coef in _leaves(ctx, key).items():
            terms[leaf] += coef * leaf_coef
    cells = {k for k, c in terms.items() if c}
    return cells if all(_costs(ctx, k) for k in cells) else None


def _lower_bound(hard: list[set[str]]) -> int:
    """Fewest cells that touch every set (a set cover): no solution changes fewer."""
    if not hard:
        return 0
    cells = list(dict.fromkeys(k for group in hard for k in group))
    cover = np.array([[1 if k in group else 0 for k in cells] for group in hard])
    result = milp(
        np.ones(len(cells)),
        constraints=LinearConstraint(cover, 1, np.inf),
        integrality=np.ones(len(cells)),
        bounds=Bounds(0, 1),
    )
    return round(result.fun) if result.status == 0 else 0


def _variables(ctx: Context, identities: list[Identity], costly: set[str]) -> set[str]:
    """The candidate cells plus every free cell a change to them can flow through."""
    variables = set(costly)
    while True:
        grown = set(variables)
        for identity in identities:
            if grown.intersection(identity.cells):
                grown.update(k for k in identity.cells if not _costs(ctx, k))
        if grown == variables:
            return variables
        variables = grown


def _whole(value: float) -> int | float:
    rounded = round(value, 6)
    return int(rounded) if rounded == int(rounded) else rounded


def run(ctx: Context, failed: list[Identity]) -> None:
    """Add culprit (or ambiguity) findings for every table with failed identities."""
    for table in ctx.form.tables:
        if any(identity.table == table.key for identity in failed):
            _locate_table(ctx, table, [i for i in ctx.form.identities if i.table == table.key], failed)


def _locate_table(ctx: Context, table, identities: list[Identity], failed: list[Identity]) -> None:
    table_failed = [i for i in failed if i.table == table.key]
    failed_ids = {i.id for i in table_failed}
    primary = [i for i in table_failed if not failed_ids.intersection(i.implied_by)]
    expanded = [_expanded(ctx, i) for i in primary]
    candidates = set().union(
        *(group or {k for k in i.cells if _costs(ctx, k)} for group, i in zip(expanded, primary, strict=True))
    )
    problem = _Problem(ctx, identities, _variables(ctx, identities, candidates))
    best = problem.solve([])
    if best is None or best[0] > _lower_bound([group for group in expanded if group is not None]):
        problem = _Problem(ctx, identities)
        best = problem.solve([])
    if best is None or not best[1]:
        params = {"table": table.name}
        ctx.add(
            ctx.finding(
                "locate.failed",
                failed[0].anchor,
                params=params,
                expected="勾稽关系成立",
                actual="不成立",
                table=table.key,
            )
        )
        return
    options = [best]
    while len(options) <= MAX_OPTIONS:
        other = problem.solve([option[1] for option in options])
        if other is None or other[0] > best[0]:
            break
        options.append(other)
    if len(options) == 1:
        _culprits(ctx, table, problem, best, failed)
    else:
        _ambiguous(ctx, table, options, failed)


def _culprits(ctx: Context, table, problem: _Problem, best, failed: list[Identity]) -> None:
    _, changed, values = best
    unique = problem.unique_values(changed)
    for key in changed:
        others = [ctx.where(k) for k in changed if k != key]
        others_text = f"（需与 {'、'.join(others)} 一起修改）" if others else ""
        touched = [i.name for i in failed if key in i.cells]
        actual = _current(ctx, key)
        params = {
            "where": ctx.where(key),
            "actual": "空（按 0 计）" if actual is None else actual,
            "table": table.name,
            "others": others_text,
        }
        cells = (ctx.ref(key, "culprit"),) + tuple(ctx.ref(i.anchor, "total") for i in failed if key in i.cells)
        if key in unique:
            params["suggestion"] = values[key]
            ctx.add(
                ctx.finding(
                    "locate.culprit",
                    key,
                    params=params,
                    expected=values[key],
                    actual=actual,
                    suggestion=values[key],
                    cells=cells,
                    check="、".join(dict.fromkeys(touched)) or None,
                )
            )
        else:
            ctx.add(
                ctx.finding("locate.culprit", key, "locate.culprit_open", params=params, actual=actual, cells=cells)
            )


def _ambiguous(ctx: Context, table, options, failed: list[Identity]) -> None:
    described = []
    alternatives = []
    for number, (_, changed, values) in enumerate(options, start=1):
        steps = "，".join(f"{ctx.address(k)[1] or ctx.label(k)} 改为 {values[k]}" for k in changed)
        described.append(f"（{number}）{steps}")
        alternatives.append(
            tuple(
                {"key": k, "sheet": ctx.address(k)[0], "cell": ctx.address(k)[1], "suggestion": values[k]}
                for k in changed
            )
        )
    candidates = list(dict.fromkeys(k for _, changed, _ in options for k in changed))
    cells: tuple[CellRef, ...] = tuple(ctx.ref(k, "candidate") for k in candidates)
    params = {"table": table.name, "options": "；".join(described)}
    broken = f"{len([i for i in failed if i.table == table.key])} 处勾稽关系不成立"
    ctx.add(
        ctx.finding(
            "locate.ambiguous",
            candidates[0],
            params=params,
            expected="；".join(described),
            actual=broken,
            cells=cells,
            alternatives=tuple(alternatives),
            table=table.key,
        )
    )


def _current(ctx: Context, key: str):
    """What the clerk has in the cell: the number, or None when blank."""
    reading = ctx.readings[key]
    return reading.value if reading.usable and ctx.state[key] == TYPED else None
