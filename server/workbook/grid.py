"""A worksheet as plain values: what every workbook door reads into.

openpyxl files (:mod:`server.xlsx.load`) and xlwings payloads
(:mod:`server.xlwings_bridge`) both become a list of :class:`Grid` objects,
so locating the tables and reading the cells is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass
class Grid:
    """One worksheet's cell values; ``rows[0][0]`` is A1. Merged cells hold None."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    hidden: bool = False

    def get(self, row: int, col: int) -> object:
        """The value at a 1-based (row, col); None outside the used range."""
        if row < 1 or col < 1 or row > len(self.rows):
            return None
        line = self.rows[row - 1]
        return line[col - 1] if col <= len(line) else None

    @property
    def height(self) -> int:
        """Number of rows held."""
        return len(self.rows)

    @property
    def width(self) -> int:
        """Number of columns of the widest row."""
        return max((len(line) for line in self.rows), default=0)

    def cells(self):
        """Yield (row, col, value) for every non-empty cell, row by row."""
        for r, line in enumerate(self.rows, start=1):
            for c, value in enumerate(line, start=1):
                if value is not None and not (isinstance(value, str) and not value.strip()):
                    yield r, c, value
