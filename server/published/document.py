"""A published report as the readers hand it over: printed lines of cells and the running text.

Every reader (plain text, HTML, Word, PDF) turns a document into a
:class:`Document`: the table rows as printed (:class:`Line` of
:class:`Cell`), each with its evidence — where it stands in the document, in
the words a clerk uses (第 12 行, 第 3 页第 12 行, 第 2 个表格第 5 行第 3 列) —
and the paragraphs of the narrative. Nothing here knows the form; the
interpretation against the form definitions is :mod:`server.published.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Cell:
    """One printed cell (a table cell, a tab-separated field or one line of a one-cell-per-line table)."""

    text: str
    where: str | None = None
    """Where the cell itself is printed, when it has its own place (a line, a table column)."""

    @property
    def blank(self) -> bool:
        """True when nothing is printed in the cell."""
        return not self.text.strip()


@dataclass(frozen=True)
class Line:
    """A table row as printed: its cells left to right."""

    cells: tuple[Cell, ...]
    where: str
    """Where the row is printed (第 69 行, 第 2 页第 14 行, 第 1 个表格第 5 行)."""
    table: int | None = None
    """Number of the document table the row belongs to, when the document marks tables."""

    @property
    def text(self) -> str:
        """The row's cells joined by spaces."""
        return " ".join(cell.text.strip() for cell in self.cells if not cell.blank)


@dataclass(frozen=True)
class Paragraph:
    """A piece of running text (title, narrative, signature) with its place."""

    text: str
    where: str


@dataclass
class Document:
    """A published report read into lines and paragraphs."""

    kind: str
    """text | html | docx | pdf."""
    lines: list[Line] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    name: str = ""
