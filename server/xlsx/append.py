"""Append many plain rows to sheets of a saved workbook, streamed: never all rows in memory.

openpyxl keeps every cell of a normal workbook as an object (some 100 bytes
each), which a 汇总 of 10,000 units by 150 cells cannot afford. The styled
part (template, titles, widths, frozen panes) is built with openpyxl as
usual and saved; the long tables are then written straight into the sheet
XML, the way openpyxl itself writes plain values (numbers as ``%.16g``, text
as inline strings), so a reader sees no difference.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from posixpath import join
from posixpath import normpath
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters XML 1.0 cannot hold (openpyxl refuses them too)."""
_CHUNK = 500
"""Rows written to the zip stream at a time."""
_LEVEL = 1
"""Deflate level: the fastest; long sheets of numbers compress well at any level."""


@dataclass(frozen=True)
class Rows:
    """Rows to append to one sheet: ``count`` rows of at most ``width`` cells (for the sheet's dimension)."""

    rows: Iterable[Sequence]
    count: int
    width: int


def append_rows(data: bytes, sheets: dict[str, Rows]) -> bytes:
    """A copy of a saved workbook (bytes) with rows appended to the named sheets."""
    source = zipfile.ZipFile(io.BytesIO(data))
    paths = {path: name for name, path in _sheet_paths(source).items() if name in sheets}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as target:
        for info in source.infolist():
            if info.filename in paths:
                _write_sheet(source.read(info).decode("utf-8"), sheets[paths[info.filename]], target, info)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the zip, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in relations.iter(f"{_PACKAGE_REL}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(f"{_REL}id")]
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return paths


def _write_sheet(xml: str, rows: Rows, target: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, tail = xml.split("</sheetData>", 1)
    first = _last_row(head) + 1
    last_row, width = max(first + rows.count - 1, 1), max(rows.width, _width(head))
    dimension = f'<dimension ref="A1:{get_column_letter(width)}{last_row}"/>'
    head = re.sub(r'<dimension ref="[^"]*"/>', dimension, head, count=1)
    letters = [get_column_letter(index) for index in range(1, width + 1)]
    with target.open(info.filename, "w") as stream:  # by name: the archive's compression and level
        stream.write(head.encode("utf-8"))
        chunk = []
        for number, row in enumerate(rows.rows, start=first):
            chunk.append(_row(number, row, letters))
            if len(chunk) >= _CHUNK:
                stream.write("".join(chunk).encode("utf-8"))
                chunk = []
        stream.write(("".join(chunk) + "</sheetData>" + tail).encode("utf-8"))


def _last_row(head: str) -> int:
    numbers = re.findall(r'<row r="(\d+)"', head)
    return int(numbers[-1]) if numbers else 0


def _width(head: str) -> int:
    match = re.search(r'<dimension ref="[A-Z]+\d+:([A-Z]+)\d+"/>', head)
    if not match:
        return 1
    width = 0
    for letter in match.group(1):
        width = width * 26 + ord(letter) - 64
    return width


def _row(number: int, values: Sequence, letters: list[str]) -> str:
    cells = []
    for letter, value in zip(letters, values, strict=False):
        kind = type(value)
        if kind is float or kind is int:  # most cells: the fast path
            if math.isfinite(value):
                cells.append(f'<c r="{letter}{number}" t="n"><v>{value:.16g}</v></c>')
        elif value is None or value == "":
            continue
        elif isinstance(value, bool):
            cells.append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            if math.isfinite(value):
                cells.append(f'<c r="{letter}{number}" t="n"><v>{value:.16g}</v></c>')
        else:
            text = escape(_ILLEGAL.sub("", str(value)))
            space = ' xml:space="preserve"' if text != text.strip() else ""
            cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'
