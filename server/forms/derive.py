"""What follows from a form's declarations: cells, derived cells, identities.

Nothing here lists a row by hand; every function walks the declarations of
:mod:`server.forms.model`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cached_property

from .model import Balance
from .model import Block
from .model import Column
from .model import ColumnTotal
from .model import Domain
from .model import Form
from .model import Row
from .model import RowTotal
from .model import Table


def cell_key(table: str, row: str, column: str) -> str:
    """The stable key of a cell."""
    return f"{table}.{row}.{column}"


@dataclass(frozen=True)
class Cell:
    """One numeric cell of a form."""

    key: str
    table: Table
    block: Block
    row: Row
    column: Column
    derived: bool
    """True for totals the validator computes (灰色 自动计算 cells)."""

    @property
    def domain(self) -> Domain:
        """The value class of the cell."""
        return self.column.domain

    @cached_property
    def label(self) -> str:
        """Human label: row label · column label (just the column in 表三)."""
        column = _column_text(self.column)
        if not self.row.labels:
            return column
        return f"{_row_text(self.row)}·{column}"


def short_label(label: str) -> str:
    """A label without its trailing explanatory bracket: （二）部分公开（区分处理的…） -> （二）部分公开."""
    match = re.fullmatch(r"(.+?)（[^（）]{6,}）", label)
    return match.group(1) if match else label


def _row_text(row: Row) -> str:
    if len(row.labels) >= 2 and row.labels[-1][:1].isdigit():
        return f"{short_label(row.labels[-2])}{row.labels[-1]}"
    return short_label(row.label)


def _column_text(column: Column) -> str:
    generic = {"总计", "其他", "结果维持", "结果纠正", "其他结果", "尚未审结"}
    if len(column.header) >= 2 and column.label in generic and column.header[-2] != "申请人情况":
        return f"{column.header[-2]}{column.label}"
    return column.label


@dataclass(frozen=True)
class Identity:
    """One instance of an identity: ``Σ left = Σ right`` on given cells."""

    id: str
    rule: str
    name: str
    label: str
    table: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    anchor: str
    """The cell a failure is reported on (the total, or 四 for the balance)."""
    along: str
    """Where the identity runs: 'row:<row key>' or 'column:<column key>'."""
    implied_by: tuple[str, ...] = ()
    """Identities whose failure makes this one fail too (reported once)."""

    @cached_property
    def cells(self) -> tuple[str, ...]:
        """Every cell involved, left then right, without repeats."""
        return tuple(dict.fromkeys(self.left + self.right))

    @cached_property
    def terms(self) -> dict[str, int]:
        """Cell key -> coefficient of ``Σ left − Σ right = 0``."""
        coefs: dict[str, int] = {}
        for key in self.left:
            coefs[key] = coefs.get(key, 0) + 1
        for key in self.right:
            coefs[key] = coefs.get(key, 0) - 1
        return {key: coef for key, coef in coefs.items() if coef}


def table_cells(table: Table) -> list[Cell]:
    """Every cell of a table, row by row."""
    derived = derived_keys(table)
    cells = []
    for block in table.blocks:
        for row in block.rows:
            for column in block.columns:
                key = cell_key(table.key, row.key, column.key)
                cells.append(Cell(key, table, block, row, column, key in derived))
    return cells


def derived_keys(table: Table) -> set[str]:
    """Keys of the cells that are totals of other cells."""
    keys = set()
    for total in table.row_totals:
        for row in _rows_with(table, total.total):
            keys.add(cell_key(table.key, row.key, total.total))
    for total in table.column_totals:
        for column in table.block_of(total.total).columns:
            keys.add(cell_key(table.key, total.total, column.key))
    return keys


def _rows_with(table: Table, column_key: str) -> list[Row]:
    return [row for block in table.blocks if any(c.key == column_key for c in block.columns) for row in block.rows]


def definitions(table: Table) -> dict[str, tuple[str, ...]]:
    """Derived cell key -> the keys it is the sum of (first declaration wins)."""
    parts: dict[str, tuple[str, ...]] = {}
    for total in table.row_totals:
        for row in _rows_with(table, total.total):
            key = cell_key(table.key, row.key, total.total)
            parts.setdefault(key, tuple(cell_key(table.key, row.key, p) for p in total.parts))
    for total in table.column_totals:
        for column in table.block_of(total.total).columns:
            key = cell_key(table.key, total.total, column.key)
            parts.setdefault(key, tuple(cell_key(table.key, p, column.key) for p in total.parts))
    return parts


def table_identities(table: Table) -> list[Identity]:
    """Every identity instance of a table, with the redundancy links."""
    identities = []
    for total in table.row_totals:
        identities.extend(_row_total_instances(table, total))
    for total in table.column_totals:
        identities.extend(_column_total_instances(table, total))
    for balance in table.balances:
        identities.extend(_balance_instances(table, balance))
    return _link_implied(table, identities)


def _row_total_instances(table: Table, total: RowTotal) -> list[Identity]:
    out = []
    for row in _rows_with(table, total.total):
        anchor = cell_key(table.key, row.key, total.total)
        parts = tuple(cell_key(table.key, row.key, p) for p in total.parts)
        out.append(
            Identity(
                id=f"{total.name}:{table.key}.{row.key}.{total.total}",
                rule=total.rule,
                name=total.name,
                label=total.label,
                table=table.key,
                left=(anchor,),
                right=parts,
                anchor=anchor,
                along=f"row:{row.key}",
            )
        )
    return out


def _column_total_instances(table: Table, total: ColumnTotal) -> list[Identity]:
    out = []
    for column in table.block_of(total.total).columns:
        anchor = cell_key(table.key, total.total, column.key)
        parts = tuple(cell_key(table.key, p, column.key) for p in total.parts)
        out.append(
            Identity(
                id=f"{total.name}:{table.key}.{total.total}.{column.key}",
                rule=total.rule,
                name=total.name,
                label=total.label,
                table=table.key,
                left=(anchor,),
                right=parts,
                anchor=anchor,
                along=f"column:{column.key}",
            )
        )
    return out


def _balance_instances(table: Table, balance: Balance) -> list[Identity]:
    out = []
    for column in table.block_of(balance.closing).columns:
        out.append(
            Identity(
                id=f"{balance.name}:{table.key}.{column.key}",
                rule=balance.rule,
                name=balance.name,
                label=balance.label,
                table=table.key,
                left=tuple(cell_key(table.key, r, column.key) for r in balance.left),
                right=tuple(cell_key(table.key, r, column.key) for r in balance.right),
                anchor=cell_key(table.key, balance.closing, column.key),
                along=f"column:{column.key}",
            )
        )
    return out


def _link_implied(table: Table, identities: list[Identity]) -> list[Identity]:
    """Mark column-wise identities on a total column as implied by the others.

    A column-wise identity E on the total column J of a row total is the sum
    of E on the part columns plus the row totals of the rows E touches
    (FORMS.md §5: "I3 on the J column follows from I1 and I3 on D–I").
    """
    by_id = {identity.id: identity for identity in identities}
    row_total_of = {
        (i.along.split(":", 1)[1], i.anchor.rsplit(".", 1)[1]): i.id for i in identities if i.along.startswith("row:")
    }
    linked = []
    for identity in identities:
        implied = _implying(table, identity, by_id, row_total_of)
        linked.append(_with_implied(identity, implied))
    return linked


def _implying(table: Table, identity: Identity, by_id: dict, row_total_of: dict) -> tuple[str, ...]:
    if not identity.along.startswith("column:"):
        return ()
    column = identity.along.split(":", 1)[1]
    for total in table.row_totals:
        if column != total.total:
            continue
        prefix = identity.id.rsplit(".", 1)[0]
        siblings = [f"{prefix}.{part}" for part in total.parts]
        rows = {key.split(".")[1] for key in identity.cells}
        row_ids = [row_total_of[(row, column)] for row in sorted(rows) if (row, column) in row_total_of]
        if all(s in by_id for s in siblings):
            return tuple(siblings + row_ids)
    return ()


def _with_implied(identity: Identity, implied: tuple[str, ...]) -> Identity:
    if not implied:
        return identity
    return dataclasses.replace(identity, implied_by=implied)


def form_cells(form: Form) -> dict[str, Cell]:
    """Cell key -> cell for every table of the form."""
    return {cell.key: cell for table in form.tables for cell in table_cells(table)}


def form_identities(form: Form) -> tuple[Identity, ...]:
    """All identity instances of the form."""
    return tuple(identity for table in form.tables for identity in table_identities(table))


def form_definitions(form: Form) -> dict[str, tuple[str, ...]]:
    """Derived cell key -> part keys, for the whole form."""
    out: dict[str, tuple[str, ...]] = {}
    for table in form.tables:
        out.update(definitions(table))
    return out


def expand(key: str, defs: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """A derived cell as a sum of input cells (coefficient per input key)."""
    if key not in defs:
        return {key: 1}
    out: dict[str, int] = {}
    for part in defs[key]:
        for leaf, coef in expand(part, defs).items():
            out[leaf] = out.get(leaf, 0) + coef
    return out
