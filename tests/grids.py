"""Workbooks as grids for tests, without openpyxl."""

from __future__ import annotations

from server.workbook.grid import Grid
from server.workbook.layout import META_MARKER
from server.workbook.layout import META_SHEET
from server.workbook.layout import TEMPLATE_REVISION
from server.workbook.layout import layout_for


def _put(rows: list[list], row: int, col: int, value) -> None:
    while len(rows) < row:
        rows.append([])
    line = rows[row - 1]
    while len(line) < col:
        line.append(None)
    line[col - 1] = value


def template_grids(
    version: str, values: dict | None = None, header: dict | None = None, *, meta: bool = False
) -> list[Grid]:
    """The official template of a version rendered into grids, with values at the layout addresses.

    With ``meta`` the hidden metadata sheet is added (a workbook made from the
    template); without it the grids look like a workbook typed by hand.
    """
    values, header = values or {}, header or {}
    grids = []
    for sheet in layout_for(version).sheets:
        rows: list[list] = []
        for region in sheet.regions:
            if region.text:
                _put(rows, region.row, region.col, region.text)
        for slot in sheet.slots:
            field = slot.key.split(".", 1)[1] if slot.key and slot.key.startswith("header.") else None
            value = header.get(field) if field else values.get(slot.key)
            if value is not None:
                _put(rows, slot.row, slot.col, value)
        grids.append(Grid(sheet.name, rows))
    if meta:
        grids.append(Grid(META_SHEET, [[META_MARKER, version], ["revision", TEMPLATE_REVISION]], hidden=True))
    return grids


def put(grids: list[Grid], sheet: str, row: int, col: int, value) -> None:
    """Write one value into a grid of the list."""
    grid = next(g for g in grids if g.name == sheet)
    _put(grid.rows, row, col, value)


def insert_row(grid: Grid, before: int, count: int = 1) -> None:
    """Insert empty rows before a 1-based row."""
    for _ in range(count):
        grid.rows.insert(before - 1, [])


def insert_column(grid: Grid, before: int) -> None:
    """Insert an empty column before a 1-based column."""
    for line in grid.rows:
        if len(line) >= before:
            line.insert(before - 1, None)
