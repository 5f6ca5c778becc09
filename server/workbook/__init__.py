"""Workbooks as grids: the layout of the template, locating the tables, reading the cells.

This package is free of openpyxl and xlwings; the xlsx files
(:mod:`server.xlsx`) and the xlwings payloads (:mod:`server.xlwings_bridge`)
are turned into :class:`~server.workbook.grid.Grid` lists first.
"""

from __future__ import annotations

from ..findings import Report
from ..pipeline import MAX_FINDINGS
from ..pipeline import validate_values
from .grid import Grid
from .reader import WorkbookReading
from .reader import read_workbook


def validate_grids(
    grids: list[Grid], *, version: str | None = None, last_year: Report | None = None, max_findings: int = MAX_FINDINGS
) -> tuple[WorkbookReading, Report]:
    """Read a workbook and validate it: the pipeline every workbook door runs."""
    reading = read_workbook(grids, version=version)
    return reading, validate_reading(reading, last_year=last_year, max_findings=max_findings)


def validate_reading(
    reading: WorkbookReading, *, last_year: Report | None = None, max_findings: int = MAX_FINDINGS
) -> Report:
    """Validate a workbook already read (a door that needs its header first reads once, validates once)."""
    first_sheet = reading.sheet_names[0] if reading.sheet_names else None
    for header_field in reading.form.header_fields:
        reading.addresses.setdefault(f"header.{header_field.key}", (first_sheet, "A1"))
    report = validate_values(
        reading.form,
        reading.values,
        header=reading.header,
        addresses=reading.addresses,
        last_year=last_year,
        autofilled=reading.meta.autofilled,
        layout_findings=reading.findings,
        max_findings=max_findings,
    )
    return report
