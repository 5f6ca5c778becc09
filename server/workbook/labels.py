"""Finding the form in a workbook by its labels (no template marker, or a changed structure).

Works on workbooks typed by hand from last year's published tables: the
tables may sit on any sheet, several on one sheet, at any offset; labels may
carry stray spaces, ASCII brackets, ``1、`` numbering or the aliases the
form declares. Rows are found by their labels, value columns by the header
labels above them (so 总计 may sit on any header row), 表三 by its header
structure. Fingerprints for recognising the version come from the form
definitions, never from a hand-written list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from ..forms import FORMS
from ..forms import form_for_year
from ..forms import latest_form
from ..forms.derive import cell_key
from ..forms.model import Block
from ..forms.model import Form
from ..forms.model import Row
from ..forms.model import Table
from .grid import Grid
from .labels_header import locate_header
from .located import Located
from .normalize import normalize_label

_HEADER_REACH = 6
"""How many rows above a block's first data row its column headers may be."""
_STRAY_GAP = 3
"""Empty columns that end the search for stray values right of a table."""
_MIN_MATCHES = 3


@dataclass(frozen=True)
class Text:
    """A non-empty text cell with its normalised label."""

    sheet: str
    row: int
    col: int
    norm: str


class Index:
    """Every text cell of a workbook, by normalised text."""

    def __init__(self, grids: list[Grid]):
        self.grids = {grid.name: grid for grid in grids}
        self.order = [grid.name for grid in grids]
        self.texts: list[Text] = []
        self.by_norm: dict[str, list[Text]] = defaultdict(list)
        for grid in grids:
            for row, col, value in grid.cells():
                if isinstance(value, str):
                    text = Text(grid.name, row, col, normalize_label(value))
                    self.texts.append(text)
                    self.by_norm[text.norm].append(text)

    def find(self, labels) -> list[Text]:
        """Cells whose whole text is one of the labels, in workbook order."""
        found = [t for label in labels for t in self.by_norm.get(normalize_label(label), [])]
        return sorted(set(found), key=lambda t: (self.order.index(t.sheet), t.row, t.col))

    def value(self, sheet: str, row: int, col: int):
        """The raw value at a position."""
        return self.grids[sheet].get(row, col)


# Version -------------------------------------------------------------------------------


def detect_version(grids: list[Grid], index: Index | None = None) -> Form | None:
    """The format version whose own labels the workbook prints, or None when it holds no table.

    ``index``: the workbook's :class:`Index` when the caller has it already (it is only read).
    """
    index = index or Index(grids)
    scores = {version: _count(index, fingerprint(version)) for version in FORMS}
    best = max(scores.values())
    winners = [v for v, score in scores.items() if score == best]
    if best > 0 and len(winners) == 1:
        return FORMS[winners[0]]
    if _count(index, shared_labels()) < _MIN_MATCHES:
        return None
    year = locate_header(latest_form(), index).year
    return (form_for_year(year) if year else None) or latest_form()


@cache
def fingerprint(version: str) -> frozenset[str]:
    """The normalised labels only this format version prints (how a workbook or a document shows its version)."""
    form = FORMS[version]
    others = set()
    for other in FORMS.values():
        if other is not form:
            others |= {normalize_label(label) for label in other.labels}
    return frozenset({normalize_label(label) for label in form.labels} - others)


@cache
def shared_labels() -> frozenset[str]:
    """The normalised labels every format version prints (a table of some version, whichever)."""
    return frozenset(set.intersection(*(set(map(normalize_label, form.labels)) for form in FORMS.values())))


def _count(index: Index, norms: set[str]) -> int:
    return sum(len(index.by_norm.get(norm, [])) for norm in norms)


# Locating --------------------------------------------------------------------------------


def locate(form: Form, grids: list[Grid], index: Index | None = None) -> Located:
    """Positions of every cell and header field of ``form`` found by labels (``index`` as for
    :func:`detect_version`)."""
    index = index or Index(grids)
    located = Located(form, "labels")
    for table in form.tables:
        if table.rows and not table.rows[0].labels:
            _locate_headed(index, table, located)
        else:
            _locate_labelled(index, table, located)
    header = locate_header(form, index)
    located.header_positions.update(header.positions)
    located.header_values.update(header.values)
    return located


def _locate_labelled(index: Index, table: Table, located: Located) -> None:
    found_rows: dict[str, Text] = {}
    previous: Text | None = None
    for row in table.rows:
        hit = _find_row(index, row, previous)
        if hit is not None:
            found_rows[row.key] = hit
            previous = hit
    if not found_rows:
        located.missing_tables.append(table.key)
        return
    located.missing_rows.extend((table.key, row.key) for row in table.rows if row.key not in found_rows)
    for block in table.blocks:
        hits = [(row, found_rows[row.key]) for row in block.rows if row.key in found_rows]
        if hits:
            _place_block(index, table, block, hits, located)


def _row_labels(row: Row) -> list[str]:
    return [row.label, *row.aliases]


def _find_row(index: Index, row: Row, previous: Text | None) -> Text | None:
    candidates = index.find(_row_labels(row)) or _combined(index, row)
    if not candidates:
        return None
    if previous is not None:
        after = [t for t in candidates if t.sheet == previous.sheet and t.row > previous.row]
        if after:
            return min(after, key=lambda t: t.row - previous.row)
    return candidates[0]


def _combined(index: Index, row: Row) -> list[Text]:
    """Cells holding a group label and the item label together: （六）其他处理 1.申请人…"""
    if len(row.labels) < 2:
        return []
    items = [normalize_label(label) for label in _row_labels(row)]
    groups = {normalize_label(label) for label in row.labels[:-1]}
    out = []
    for text in index.texts:
        for item in items:
            if text.norm.endswith(item) and text.norm != item and _only_groups(text.norm[: -len(item)], groups):
                out.append(text)
    return out


def _only_groups(prefix: str, groups: set[str]) -> bool:
    for group in sorted(groups, key=len, reverse=True):
        prefix = prefix.replace(group, "")
    return prefix == ""


def _place_block(index: Index, table: Table, block: Block, hits: list[tuple[Row, Text]], located: Located) -> None:
    first = min((text for _, text in hits), key=lambda t: t.row)
    columns = _header_columns(index, block, first) or _following_columns(block, hits)
    for row, text in hits:
        for column, col in zip(block.columns, columns, strict=True):
            located.positions[cell_key(table.key, row.key, column.key)] = (text.sheet, text.row, col)
        _stray_right(index, text.sheet, text.row, columns[-1], located)


def _header_columns(index: Index, block: Block, first: Text) -> list[int] | None:
    """Columns of the block's headers above its first data row, matched left to right."""
    previous = first.col
    out = []
    for column in block.columns:
        labels = [column.label, column.display_label, *column.aliases]
        hits = [
            t
            for t in index.find(labels)
            if t.sheet == first.sheet and first.row - _HEADER_REACH <= t.row < first.row and t.col > previous
        ]
        if not hits:
            return None
        best = min(hits, key=lambda t: (first.row - t.row, t.col))
        out.append(best.col)
        previous = best.col
    return out


def _following_columns(block: Block, hits: list[tuple[Row, Text]]) -> list[int]:
    """Without headers: the columns right after the rightmost row label of the block."""
    base = max(text.col for _, text in hits) + 1
    return [base + i for i in range(len(block.columns))]


def _stray_right(index: Index, sheet: str, row: int, last: int, located: Located) -> None:
    gap, col = 0, last + 1
    while gap < _STRAY_GAP:
        value = index.value(sheet, row, col)
        if value is None or (isinstance(value, str) and not value.strip()):
            gap += 1
        else:
            gap = 0
            located.stray.append((sheet, row, col))
        col += 1


# 表三: no row labels, found by its header ------------------------------------------------


def _locate_headed(index: Index, table: Table, located: Located) -> None:
    block = table.blocks[0]
    anchors = index.find([block.columns[0].header[0]]) or index.find([block.columns[0].label])
    for anchor in anchors:
        hits = _headed_columns(index, block, anchor)
        if hits is not None:
            columns = [hit.col for hit in hits]
            row = _data_row(index, anchor.sheet, max(hit.row for hit in hits), columns)
            for column, col in zip(block.columns, columns, strict=True):
                located.positions[cell_key(table.key, block.rows[0].key, column.key)] = (anchor.sheet, row, col)
            _stray_right(index, anchor.sheet, row, columns[-1], located)
            return
    located.missing_tables.append(table.key)


def _headed_columns(index: Index, block: Block, anchor: Text) -> list[Text] | None:
    depth = max(len(column.header) for column in block.columns)
    rows = range(anchor.row, anchor.row + depth + 1)
    previous = anchor.col - 1
    out = []
    for column in block.columns:
        hits = [
            t
            for t in index.find([column.label, *column.aliases])
            if t.sheet == anchor.sheet and t.row in rows and t.col > previous
        ]
        if not hits:
            return None
        best = min(hits, key=lambda t: t.col)
        out.append(best)
        previous = best.col
    return out


def _data_row(index: Index, sheet: str, header_bottom: int, columns: list[int]) -> int:
    """The first row below the header with a value in the table's columns."""
    below = header_bottom + 1
    grid = index.grids[sheet]
    for row in range(below, min(grid.height, below + 5) + 1):
        if any(grid.get(row, col) not in (None, "") for col in columns):
            return row
    return below
