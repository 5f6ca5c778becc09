"""A printed row taken apart: label cells and value cells, what a cell holds, values fitted to columns.

Shared by the table reader (:mod:`server.published.tables`) and the PDF reader, which uses
the same judgement of what is a value to rebuild rows from word positions.
"""

from __future__ import annotations

import re

from ..forms.model import Domain
from ..forms.model import Form
from ..readings import UNREADABLE
from ..readings import read
from .document import Cell
from .document import Line
from .labels import CUT
from .labels import EXACT
from .labels import INDEX
from .labels import Match

T3_MIN_VALUES = 10
"""A row without a label is 表三's data row when it has at least this many values."""
_VALUE_TEXT = 6
"""Text after a row's label this short is a value typed as words (若干, 不详); longer text is not."""


def value_like(text: str) -> bool:
    """Whether a printed cell reads as a value (0, 37个, 46.3万元, 0%, —, 无)."""
    text = text.strip()
    return bool(text) and read(text, Domain.AMOUNT).kind != UNREADABLE


def raw_value(text: str) -> object:
    """What a printed cell holds: None when blank, a number when plainly printed, else the text."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.\d+", text):
        return float(text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return int(text.replace(",", ""))
    return text


def split_line(line: Line) -> tuple[list[Cell], list[Cell]]:
    """(label cells, value cells) of a printed row."""
    cells = list(line.cells)
    start = 0
    while start < len(cells) and cells[start].blank:
        start += 1
    labels: list[Cell] = []
    pos = start
    while pos < len(cells):
        cell = cells[pos]
        if cell.blank:
            nxt = pos
            while nxt < len(cells) and cells[nxt].blank:
                nxt += 1
            if labels and nxt < len(cells) and not value_like(cells[nxt].text):
                pos = nxt
                continue
            break
        if value_like(cell.text):
            break
        labels.append(cell)
        pos += 1
    values = cells[pos:] if labels else cells[start:]
    return labels, values


def numbers_only(lines: list[Line], index: int) -> bool:
    """Whether the line at ``index`` holds a few numbers and no label (the numbers of the label above)."""
    if index >= len(lines):
        return False
    labels, values = split_line(lines[index])
    return not labels and 0 < sum(not cell.blank for cell in values) < T3_MIN_VALUES


def match_labels(
    labels: list[Cell], values: list[Cell], form: Form, following: str
) -> tuple[Match | None, list[Cell], list[Cell]]:
    """The row the label cells name; text in the first value cells (若干, ×) is not part of the label.

    The longest run of leading label cells naming a row exactly wins; the cells after
    it are values. Failing that, in a row with numbers leading cells may be dropped (pieces
    of a group label spanning several rows, placed beside one of them). Without an exact name the whole
    label is matched loosely.
    """
    if not labels:
        return None, labels, values
    firsts = range(len(labels)) if any(not cell.blank for cell in values) else range(1)
    runs = [(first, last) for first in firsts for last in range(len(labels), first, -1)]
    matches = [
        (first, last, INDEX.match("".join(cell.text for cell in labels[first:last]), form, following))
        for first, last in runs
    ]
    for own in (True, False):
        for first, last, match in matches:
            if match is not None and match.how in (EXACT, CUT) and (match.ref.form is form) == own:
                rest = [cell for cell in labels[last:] if len(cell.text.strip()) <= _VALUE_TEXT]
                return match, labels[first:last], rest + values
    return matches[0][2], labels, values


def fit(values: list[Cell], columns: int) -> tuple[list[Cell], list[Cell]]:
    """(cells for the columns, extra cells): blank cells at either end give way first."""
    cells = list(values)
    while len(cells) > columns and cells[-1].blank:
        cells.pop()
    while len(cells) > columns and cells[0].blank:
        cells.pop(0)
    return cells[:columns], cells[columns:]


def _groups(columns) -> list[tuple[str, list[int]]]:
    """(group label, column indexes) of header groups without a total of their own (法人或其他组织)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, column in enumerate(columns):
        if len(column.header) >= 3:
            groups.setdefault(column.header[:-1], []).append(index)
    return [
        (path[-1], indexes) for path, indexes in groups.items() if not any(columns[i].label == "总计" for i in indexes)
    ]


def drop_subtotal(values: list[Cell], columns, where: str) -> tuple[list[Cell], Cell | None, str]:
    """Values without an added subtotal of a header group (法人或其他组织小计), the dropped cell and the group.

    A row with exactly one value more than the columns, where the value after a group's
    last column is the sum of the group, printed a subtotal column the form does not have.
    """
    cells = list(values)
    while cells and cells[-1].blank:
        cells.pop()
    while cells and cells[0].blank:
        cells.pop(0)
    if len(cells) != len(columns) + 1 or any(cell.blank for cell in cells):
        return values, None, ""
    numbers = [raw_value(cell.text) for cell in cells]
    for label, indexes in _groups(columns):
        after = indexes[-1] + 1
        parts = [numbers[i] for i in indexes] + [numbers[after]]
        if all(isinstance(x, (int, float)) for x in parts) and numbers[after] == sum(parts[:-1]):
            placed = [Cell(c.text, c.where or f"{where}第{k}个数") for k, c in enumerate(cells, start=1)]
            return placed[:after] + placed[after + 1 :], placed[after], label
    return values, None, ""
