"""Colours shared by the template, the annotated copy and the Excel add-in.

Hex strings as xlwings' ``setRangeColor`` takes them; openpyxl takes the
same without the ``#``.
"""

from __future__ import annotations

from ..findings import ERROR
from ..findings import WARNING
from .layout import DERIVED
from .layout import HEADER
from .layout import INPUT
from .layout import VOID

TEMPLATE_FILL = {
    INPUT: "#FFFFFF",
    HEADER: "#FFFFFF",
    DERIVED: "#E7E6E6",
    VOID: "#BFBFBF",
}
"""Fill of each kind of value cell in the blank template."""

LABEL_FILL = "#F2F2F2"
TITLE_FILL = "#DDEBF7"

EXPLAINED = "explained"
"""Flag of a cell that is only a consequence of a mistake elsewhere (or a total held until the fix)."""

FLAG_FILL = {ERROR: "#FFC7CE", WARNING: "#FFEB9C", EXPLAINED: "#FCE4D6"}
"""Fill of a flagged cell: light red for errors, light yellow for warnings, pale orange for a cell
that is right but shows the consequence of a mistake elsewhere (its note names the mistake)."""

FONT = "等线"
"""The default Chinese font of current Excel; LibreOffice falls back to a CJK font."""
