"""Plain-text reports (as in the seed files): one document line per table row or per cell.

Three ways of printing a table meet in text exported from Word or copied
from a web page, and one document may mix them:

* tab-separated rows: ``规章<TAB>0<TAB>0<TAB>0`` (seeds 001 and 004);
* one cell per line, each line starting with a tab, rows separated by an
  empty line (seeds 000, 002, 003) — a line holding only a tab is an empty
  cell;
* pipe tables: ``| 规章 | 0 | 0 | 0 |``;
* rows whose values are separated by spaces: ``规章  0  0  0`` (text copied from a PDF).

Every other line is running text (:class:`~server.published.document.Paragraph`).
"""

from __future__ import annotations

import re

from .document import Cell
from .document import Document
from .document import Line
from .document import Paragraph

_PIPE_RULE = re.compile(r"^[\s|:\-+=]+$")
_VALUE_TOKEN = re.compile(r"^[+\-]?(\d[\d,]*(\.\d+)?%?|[-—/／])$")
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]")


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Chinese Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def read_text(data: bytes | str, name: str = "") -> Document:
    """Read a plain-text report into lines and paragraphs."""
    text = decode(data) if isinstance(data, bytes) else data
    doc = Document("text", name=name)
    group: list[Cell] = []
    start = 0

    def close() -> None:
        if group:
            doc.lines.append(Line(tuple(group), f"第{start}行"))
            group.clear()

    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = _ARTEFACT.sub("", raw).rstrip("\n")
        if _is_cell_line(line):
            if not group:
                start = number
            group.append(Cell(line[1:].strip(), f"第{number}行"))
            continue
        close()
        if not line.strip():
            continue
        cells = _row_cells(line)
        if cells is not None:
            doc.lines.append(Line(tuple(Cell(c) for c in cells), f"第{number}行"))
        else:
            doc.paragraphs.append(Paragraph(line.strip(), f"第{number}行"))
    close()
    return doc


def _is_cell_line(line: str) -> bool:
    """A line of the one-cell-per-line layout: a leading tab and no other tab."""
    return line.startswith("\t") and "\t" not in line[1:]


def _row_cells(line: str) -> list[str] | None:
    """The cells of a table row printed on one line, or None for running text."""
    if "\t" in line:
        return [part.strip() for part in line.split("\t")]
    if line.count("|") >= 2:
        if _PIPE_RULE.match(line):
            return []
        parts = [part.strip() for part in line.strip().split("|")]
        return parts[1:-1] if line.strip().startswith("|") else parts
    return _spaced(line)


def _spaced(line: str) -> list[str] | None:
    """``规章  0  0  0``: a label followed by values separated by spaces."""
    tokens = line.split()
    values = 0
    while values < len(tokens) and _VALUE_TOKEN.match(tokens[-1 - values]):
        values += 1
    if values == 0:
        return None
    label = tokens[: len(tokens) - values]
    if not label:
        return tokens
    if values < 2 and len("".join(label)) > 40:
        return None
    return ["".join(label), *tokens[len(tokens) - values :]]
