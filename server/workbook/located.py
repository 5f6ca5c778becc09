"""Where a workbook keeps each cell of a form: the result of locating the tables.

Both ways of locating — by the template layout (:mod:`server.workbook.reader`)
and by recognising labels (:mod:`server.workbook.labels`) — produce a
:class:`Located`; reading the values and reporting layout problems is then
done once.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from ..forms.model import Form

Position = tuple[str, int, int]
"""(sheet name, 1-based row, 1-based column)."""


@dataclass
class Located:
    """Positions of a form's cells and header fields in one workbook."""

    form: Form
    mode: str
    """template (found by the layout) or labels (found by recognising labels)."""
    positions: dict[str, Position] = field(default_factory=dict)
    """Cell key -> position of its value."""
    header_positions: dict[str, Position] = field(default_factory=dict)
    """Header field key (unit, year …) -> position of its value."""
    header_values: dict[str, object] = field(default_factory=dict)
    """Header values found inside a label cell or a title (填报单位：某某街道), by field key."""
    stray: list[Position] = field(default_factory=list)
    """Non-empty cells where the form has no cell (the locked — cells, or beside a table)."""
    missing_tables: list[str] = field(default_factory=list)
    missing_rows: list[tuple[str, str]] = field(default_factory=list)
    """(table key, row key) of rows not found."""
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    """(table key, column key) of columns not found."""
    moved: dict[str, str] = field(default_factory=dict)
    """Table key -> what differs from the template, for tables found by labels in a template workbook."""
