"""Error localisation: which cells most likely hold the typing mistake.

Fellegi–Holt minimal change: find the fewest cells of a table whose change
makes every identity of that table hold. Cells whose value is not evidence —
blank totals, deduced blanks, unreadable text — may change for free. Every
cell the clerk typed (or left blank, counting as 0) costs 1.

The search first looks among the cells of the broken identities (and the
free cells they reach); when that cannot reach the set-cover lower bound it
looks at the whole table. One-cell explanations are found by a residual
check over all cells at once (:func:`.search.single_changes`); more cells by
a branch-and-bound over the broken identities (:mod:`.branch`); HiGHS decides
what that search cannot (cells without a value, bounds, too many nodes).
The matrices are built once per form (:mod:`.matrices`).

One optimal set is reported as the culprits, each with the value to type
when that value is unique. When another set of the same size also works,
the answer is ambiguous and up to five sets are listed, in the order their
cells appear in the form. A table's searches share a node budget
(:data:`.branch.NODE_LIMIT`); when it runs out, the smallest set known is
reported — one the search found, or the quick guess of :mod:`.guess` — and
the finding says that it is the best found, not proven minimal, unless the
search had proven that no smaller set exists. The same is said when the time
limit stops HiGHS (or the search, on a very slow machine).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from ..findings import CellRef
from ..forms.derive import Identity
from ..rules.base import Context
from ..rules.messages import render
from ..totals import TYPED
from .branch import Undecided
from .branch import Work
from .branch import lower_bound
from .branch import smallest_sets
from .guess import good_set
from .matrices import Problem
from .matrices import TableState
from .matrices import table_matrix
from .search import Milp
from .search import Solution
from .search import cover_bound
from .search import order_key
from .search import single_changes

MAX_OPTIONS = 4
"""How many alternatives an ambiguous finding lists besides the first set."""
TIME_LIMIT = 2.0
"""Seconds per table; past it the best set found so far is reported. The node budget
(:data:`.branch.NODE_LIMIT`, about 0.3–0.45 s here) ends the branch search long before."""
UNPROVEN = render("locate.unproven")
_NAMED_OTHERS = 3
"""How many of a large set's other cells a culprit's message names (each has its own finding)."""
UNLISTED = render("locate.unlisted")
"""The set is proven the fewest, but the search for equally good ones stopped at the time limit."""


def run(ctx: Context, failed: list[Identity]) -> None:
    """Add culprit (or ambiguity) findings for every table with failed identities."""
    big = 2 * sum(map(abs, [v for v in ctx.values.values() if v is not None])) + 10
    for table in ctx.form.tables:
        if any(identity.table == table.key for identity in failed):
            state = TableState(ctx, table_matrix(ctx.form, table.key), big)
            _locate_table(ctx, table, state, failed)


def _locate_table(ctx: Context, table, state: TableState, failed: list[Identity]) -> None:
    rows = state.matrix.row_of
    failed_ids = {i.id for i in failed}
    primary = [rows[i.id] for i in failed if i.table == table.key and not failed_ids.intersection(i.implied_by)]
    groups = [state.group(r) for r in primary]
    candidates = np.zeros(len(state.matrix.keys), dtype=bool)
    for r, group in zip(primary, groups, strict=True):
        candidates[list(group) if group is not None else state.matrix.touches[r] & state.costly] = True
    hard = [group for group in groups if group is not None]
    deadline = time.monotonic() + TIME_LIMIT
    work = Work()  # the table's searches share its node budget
    restricted = Problem(state, state.variables(candidates))
    floor = _floor(restricted, _single(restricted))
    cover = _Cover(hard, deadline)
    if floor > cover.at_least(floor):  # its answer could not be kept: search the whole table at once
        answer = _search(Problem(state), deadline, work)
    else:
        # Its sets are kept only when as few as the set-cover bound: past it, the search stops (None).
        restricted.memo["enough"] = cover.reached
        answer = _search(restricted, deadline, work)
        best = answer.best
        if best is None or best.cost > cover.at_least(best.cost):
            answer = _better(answer, _search(Problem(state), deadline, work))
    if answer.best is None or not answer.best.changed:
        _failed(ctx, table, failed)
    elif len(answer.options) == 1:
        _culprits(ctx, table, answer.problem, answer.best, failed, _note(answer))
    else:
        _ambiguous(ctx, table, state, answer.options, failed, _note(answer))


class _Cover:
    """The set-cover bound of a table's broken identities (:func:`cover_bound`), worked out once when exact."""

    def __init__(self, hard: list[frozenset[int]], deadline: float):
        self.hard = hard
        self.deadline = deadline
        self.known = 0
        """The largest bound found so far (exact once ``exact``)."""
        self.exact = False

    def at_least(self, enough: int) -> int:
        """:func:`cover_bound` stopping early at ``enough`` (the exact bound once known)."""
        if not self.exact:
            bound = cover_bound(self.hard, enough, self.deadline)
            self.exact = bound < enough  # below ``enough``: it was not stopped early
            self.known = max(self.known, bound)
        return self.known

    def reached(self, budget: int) -> bool:
        """Whether sets of ``budget`` cells are more than the bound: none of them would be kept."""
        return budget >= self.at_least(budget + 1)


def _single(problem: Problem) -> list[Solution] | None:
    """The one-cell explanations listed (:func:`single_changes`), worked out once per problem."""
    if "single" not in problem.memo:
        problem.memo["single"] = single_changes(problem, MAX_OPTIONS + 1)
    return problem.memo["single"]


def _floor(problem: Problem, single: list[Solution] | None) -> int:
    """:func:`lower_bound` of the problem; 1 without working it out when one cell explains the broken
    identities (``single``: its :func:`single_changes`): they need a change, and one is enough."""
    return 1 if single and single[0].changed else lower_bound(problem)


@dataclass(frozen=True)
class _Answer:
    """The sets found for one problem: the first is the one reported when it is alone."""

    problem: Problem
    options: list[Solution]
    complete: bool = True
    """False when the time limit stopped the search for equally good sets: more may exist."""

    @property
    def best(self) -> Solution | None:
        return self.options[0] if self.options else None


def _note(answer: _Answer) -> str:
    """What the finding says of an answer the time limit cut short (nothing when it did not)."""
    if not all(option.proven for option in answer.options):
        return UNPROVEN
    return "" if answer.complete else UNLISTED


def _search(problem: Problem, deadline: float, work: Work) -> _Answer:
    """The best set and up to MAX_OPTIONS equally good ones, in form order (none when nothing was found)."""
    single = _single(problem)
    if single:
        return _Answer(problem, single)
    try:
        found = smallest_sets(problem, MAX_OPTIONS + 1, deadline, work)  # None: stopped at problem.memo["enough"]
        return _Answer(problem, [] if found is None else sorted(found, key=order_key))
    except Undecided as stopped:
        if stopped.fewest:  # proven the fewest; the search for more as small stopped: more may exist
            return _Answer(problem, sorted(stopped.found, key=order_key), complete=False)
        if stopped.ran_out:
            known = _best_known(problem, stopped, deadline)
            if known is not None:
                return known
        found = stopped.found
    options, complete = _solve(problem, deadline)
    if found:  # the branch search stopped with sets in hand: keep the smallest unless the solver did better
        smallest = min(found, key=lambda s: (s.cost, order_key(s)))
        if not options or smallest.cost < options[0].cost:
            options = [_unproven(smallest)]
    return _Answer(problem, options, complete)


def _best_known(problem: Problem, stopped: Undecided, deadline: float) -> _Answer | None:
    """The smallest set known when the search ran out of nodes — one it found, or :func:`good_set`'s —
    proven the fewest when the search had proven that no smaller set exists (others as small may exist);
    else said to be the best found. None when no set is known (HiGHS is asked then)."""
    guess = good_set(problem, deadline)
    known = [*stopped.found, guess] if guess is not None else stopped.found
    if not known:
        return None
    best = min(known, key=lambda s: (s.cost, order_key(s)))
    if best.cost <= stopped.floor:
        return _Answer(problem, [dataclasses.replace(best, proven=True)], complete=False)
    return _Answer(problem, [_unproven(best)])


def _solve(problem: Problem, deadline: float) -> tuple[list[Solution], bool]:
    """The MILP's best set and the equally good ones, in form order; and whether the search for equally
    good ones ran to its end (False: the time limit stopped it, more may exist)."""
    milp = Milp(problem, deadline)
    best = milp.solve()
    options = [] if best is None else [best]
    if best is not None:
        milp.at_most(best.cost)
    while best is not None and best.proven and len(options) <= MAX_OPTIONS:
        milp.exclude(options[-1].changed)
        other = milp.solve()
        if other is None or other.cost > best.cost or not other.proven:
            break
        options.append(other)
    return sorted(options, key=order_key), not milp.stopped


def _unproven(solution: Solution) -> Solution:
    return dataclasses.replace(solution, proven=False)


def _better(restricted: _Answer, whole_table: _Answer) -> _Answer:
    """The whole table's answer, unless its search stopped without finding anything as good.

    Never thrown away: when the whole table could not be searched in time, the
    broken identities' answer — if that search found sets at all (it stops, finding none, once its
    sets could no longer be kept: past the set-cover bound) — is kept, said to be the best found.
    """
    if whole_table.best is None and restricted.best is not None:
        return _Answer(restricted.problem, [_unproven(option) for option in restricted.options])
    if whole_table.best is not None and restricted.best is not None and restricted.best.cost < whole_table.best.cost:
        return _Answer(restricted.problem, [_unproven(option) for option in restricted.options])
    return whole_table


def _failed(ctx: Context, table, failed: list[Identity]) -> None:
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


def _culprits(ctx: Context, table, problem: Problem, best: Solution, failed: list[Identity], note: str) -> None:
    keys = problem.state.matrix.keys
    unique = problem.unique(list(best.changed))
    changed = [keys[j] for j in best.changed]
    for j, key in zip(best.changed, changed, strict=True):
        others = [ctx.where(k) for k in changed if k != key]
        others_text = _together(others)
        touched = [i.name for i in failed if key in i.cells]
        actual = _current(ctx, key)
        params = {
            "where": ctx.where(key),
            "actual": "空（按 0 计）" if actual is None else actual,
            "table": table.name,
            "others": others_text + note,
        }
        cells = (ctx.ref(key, "culprit"),) + tuple(ctx.ref(i.anchor, "total") for i in failed if key in i.cells)
        if j in unique:
            value = best.values[j]
            params["suggestion"] = value
            ctx.add(
                ctx.finding(
                    "locate.culprit",
                    key,
                    params=params,
                    expected=value,
                    actual=actual,
                    suggestion=value,
                    cells=cells,
                    check="、".join(dict.fromkeys(touched)) or None,
                )
            )
        else:
            ctx.add(
                ctx.finding("locate.culprit", key, "locate.culprit_open", params=params, actual=actual, cells=cells)
            )


def _together(others: list[str]) -> str:
    """The other cells of the set, named in a culprit's message (the first few when the set is large)."""
    if not others:
        return ""
    if len(others) <= _NAMED_OTHERS:
        return f"（需与 {'、'.join(others)} 一起修改）"
    return f"（需与 {'、'.join(others[:_NAMED_OTHERS])} 等另外 {len(others)} 格一起修改，各格分别列出）"


def _ambiguous(
    ctx: Context, table, state: TableState, options: list[Solution], failed: list[Identity], note: str
) -> None:
    keys = state.matrix.keys
    described = []
    alternatives = []
    for number, option in enumerate(options, start=1):
        changed = [keys[j] for j in option.changed]
        values = {keys[j]: v for j, v in option.values.items()}
        steps = "，".join(f"{ctx.address(k)[1] or ctx.label(k)} 改为 {values[k]}" for k in changed)
        described.append(f"（{number}）{steps}")
        alternatives.append(
            tuple(
                {"key": k, "sheet": ctx.address(k)[0], "cell": ctx.address(k)[1], "suggestion": values[k]}
                for k in changed
            )
        )
    candidates = list(dict.fromkeys(keys[j] for option in options for j in option.changed))
    cells: tuple[CellRef, ...] = tuple(ctx.ref(k, "candidate") for k in candidates)
    params = {"table": table.name, "options": "；".join(described) + note}
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
