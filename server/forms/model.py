"""The vocabulary of a report form: frozen dataclasses, no IO.

A :class:`Form` (one per format version) holds three :class:`Table` objects. A
table is made of one or more :class:`Block` objects (表一 has five blocks, one
per item of 条例第二十条; 表二 and 表三 have one). A block is a grid of
:class:`Row` x :class:`Column`; every row/column pair is a :class:`Cell` with
the stable key ``"{table}.{row}.{column}"`` (for example ``t2.deny_2.c_total``).

Sum declarations (:class:`RowTotal`, :class:`ColumnTotal`, :class:`Balance`)
say which cells are derived and which identities (勾稽关系) hold. Everything
else — the derived cells, the identity instances, the template layout, the
rules, the API schema and the database keys — is computed from these
declarations (see :mod:`server.forms.derive`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property


class Domain(enum.Enum):
    """Value class of a cell (FORMS.md §6.1)."""

    COUNT = "count"
    """n: a whole number ≥ 0 (件, 项)."""
    SIGNED = "signed"
    """±n: a whole number that may be negative (V2019 本年增/减)."""
    AMOUNT = "amount"
    """amt: a money amount ≥ 0 with up to four decimals, in 万元."""

    @property
    def integral(self) -> bool:
        """Whether values must be whole numbers."""
        return self is not Domain.AMOUNT

    @property
    def lower_bound(self) -> float | None:
        """The smallest allowed value, or None when negatives are allowed."""
        return None if self is Domain.SIGNED else 0


@dataclass(frozen=True)
class Column:
    """A numeric column of a block."""

    key: str
    header: tuple[str, ...]
    """Header path from the top header row down to this column's own label."""
    domain: Domain = Domain.COUNT
    unit: str = "件"
    """Unit of the values; 万元 for money."""
    aliases: tuple[str, ...] = ()
    """Other spellings of the column's own label met in real reports."""
    help: str = ""

    @property
    def label(self) -> str:
        """The column's own (lowest) header label."""
        return self.header[-1]

    @property
    def display_label(self) -> str:
        """The label printed in the template: the unit is added for money columns."""
        if self.domain is Domain.AMOUNT and self.unit not in self.label:
            return f"{self.label}（单位：{self.unit}）"
        return self.label


@dataclass(frozen=True)
class Row:
    """A data row of a block."""

    key: str
    labels: tuple[str, ...] = ()
    """Label path: section, group, item (only the levels the row has)."""
    aliases: tuple[str, ...] = ()
    """Other spellings of the row's own label met in real reports."""
    help: str = ""

    @property
    def label(self) -> str:
        """The row's own (innermost) label; empty for 表三's single row."""
        return self.labels[-1] if self.labels else ""


@dataclass(frozen=True)
class Block:
    """A rectangular part of a table with its own header."""

    key: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    title: str | None = None
    """Full-width title row above the header (表一: 第二十条第（一）项)."""
    corner: str = ""
    """Text over the row-label column(s) (信息内容, or 表二's 勾稽关系 note)."""
    stretch: bool = False
    """When the block has fewer columns than the table: True merges the last
    column over the rest; False leaves the rest as locked 'no cell' (—)."""


@dataclass(frozen=True)
class RowTotal:
    """In every row of the table: ``total`` column = sum of ``parts`` columns."""

    rule: str
    name: str
    label: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ColumnTotal:
    """In every column of the table: ``total`` row = sum of ``parts`` rows."""

    rule: str
    name: str
    label: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Balance:
    """In every column: sum of ``left`` rows = sum of ``right`` rows."""

    rule: str
    name: str
    label: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    closing: str
    """The row whose cell a failing balance is reported on (四、结转下年度)."""


@dataclass(frozen=True)
class Table:
    """One of the three statistical tables."""

    key: str
    name: str
    """Short name: 表一, 表二, 表三."""
    title: str
    """Section heading in the report: 二、主动公开政府信息情况 …"""
    sheet: str
    """Worksheet name in the template."""
    blocks: tuple[Block, ...]
    row_totals: tuple[RowTotal, ...] = ()
    column_totals: tuple[ColumnTotal, ...] = ()
    balances: tuple[Balance, ...] = ()

    @cached_property
    def rows(self) -> tuple[Row, ...]:
        """All rows of all blocks, top to bottom."""
        return tuple(row for block in self.blocks for row in block.rows)

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """All distinct columns, in first-seen order."""
        seen: dict[str, Column] = {}
        for block in self.blocks:
            for column in block.columns:
                seen.setdefault(column.key, column)
        return tuple(seen.values())

    def block_of(self, row_key: str) -> Block:
        """The block that holds a row."""
        for block in self.blocks:
            if any(row.key == row_key for row in block.rows):
                return block
        raise KeyError(row_key)


@dataclass(frozen=True)
class Term:
    """One term of a :class:`Check`: ``coef`` x the value of a cell.

    ``row``/``column`` left as None stand for the row/column the check is
    being applied to; ``year`` is 0 for the report year and -1 for the year
    before (cross-year rules).
    """

    row: str | None = None
    column: str | None = None
    coef: int = 1
    year: int = 0


@dataclass(frozen=True)
class Check:
    """A declared comparison ``Σ left  op  Σ right`` applied row- or column-wise.

    Used for the single-year plausibility rules (P1–P3) and the cross-year
    rules (X1–X4) of FORMS.md §7. A check whose terms name a cell the form
    (or last year's form) does not have is not applicable and is skipped.
    """

    rule: str
    name: str
    label: str
    table: str
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    severity: str = "warning"
    advice: str = ""
    """What the clerk should do when the check fails."""


@dataclass(frozen=True)
class Special:
    """A plausibility rule whose logic lives in code, with its cells from the form."""

    rule: str
    name: str
    params: tuple[tuple[str, object], ...] = ()

    def param(self, name: str):
        """One parameter by name (KeyError when the form did not declare it)."""
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, object]:
        return dict(self.params)


@dataclass(frozen=True)
class HeaderField:
    """A front-matter field of the workbook (填报单位, 报告年度 …)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    help: str = ""
    required: bool = False


@dataclass(frozen=True)
class Form:
    """One format version of the report tables."""

    version: str
    name: str
    basis: str
    first_year: int
    last_year: int | None
    tables: tuple[Table, ...]
    checks: tuple[Check, ...] = ()
    specials: tuple[Special, ...] = ()
    header_fields: tuple[HeaderField, ...] = field(default=())
    label_aliases: tuple[tuple[str, str], ...] = ()
    """(alias, official label) pairs accepted when reading labels."""

    @cached_property
    def cells(self):
        """Cell key -> :class:`~server.forms.derive.Cell`, in table order."""
        from .derive import form_cells

        return form_cells(self)

    @cached_property
    def identities(self):
        """Every identity instance (勾稽关系) of the form."""
        from .derive import form_identities

        return form_identities(self)

    @cached_property
    def definitions(self) -> dict[str, tuple[str, ...]]:
        """Derived cell key -> the keys it is the sum of."""
        from .derive import form_definitions

        return form_definitions(self)

    @cached_property
    def labels(self) -> frozenset[str]:
        """Every label the form prints (rows, columns, titles, corners)."""
        texts: set[str] = set()
        for table in self.tables:
            for block in table.blocks:
                texts.update(filter(None, [block.title, block.corner]))
                for column in block.columns:
                    texts.update(column.header)
                for row in block.rows:
                    texts.update(row.labels)
        return frozenset(texts)

    def applies_to(self, year: int) -> bool:
        """Whether this version is the one to use for a report year."""
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def table(self, key: str) -> Table:
        """A table by key (t1, t2, t3)."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def years_text(self) -> str:
        """Report years this version applies to, in Chinese."""
        if self.last_year is None:
            return f"{self.first_year}年度起"
        return f"{self.first_year}—{self.last_year}年度"
