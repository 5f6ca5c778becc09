"""PDF pages without table ruling: rows rebuilt from where the words stand.

A line of words ending in numbers is a row. Its numbers are put under the column
positions of their table (the centres of the numbers of the rows that line up, carried
across pages, and the headers above): a blank cell stays blank. Label words left of the
numbers are gathered into labels — a label wrapped over lines continues until a line
starting with its own number (1., （三）, 一、) — and each label goes to the row printed on
its first line, else to the row nearest it; the end of a label carried over from the page
before is put first, so that the row it belongs to can be completed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Cell
from .document import Document
from .document import Line
from .rows import value_like

_HEADER_REACH = 6
"""Lines above a table's first row kept as its header lines."""
_LEAF_REACH = 12
"""Lines above a table's first row that may give its column positions (headers one character per line)."""
LINE_TOLERANCE = 3.0
"""Points within which words share a line."""


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def middle(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.top + self.bottom) / 2)


def visual_lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(lines[-1][0].top - word.top) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


NUMBERED = re.compile(r"^(\d+[.．、]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
_ALIGN = 9.0
"""Points within which a value lies under a column position of its table."""


@dataclass
class _Segment:
    """A run of label words on one word line (a gap of about a character ends it)."""

    words: list[Word]
    row: int | None
    """The value row on whose line the segment is printed, if any."""

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1


def unruled_rows(lines: list[list[Word]], page: int, doc: Document, carried: list[float]) -> list[list[Word]]:
    """Rows rebuilt from word lines on a page without ruling; returns the lines that are running text.

    A line ending in numbers is a row. The numbers are put under the column positions of their
    table (so a blank cell stays blank); label words left of the numbers are gathered into labels
    (a label wrapped over lines continues until a line starting with its own number, 1. or （三）)
    and each label goes to the row printed on its first line, else to the row nearest to it.
    """
    rows = [i for i, line in enumerate(lines) if _values_start(line) is not None]
    if not rows:
        return lines
    labelled = [i for i in rows if _values_start(lines[i]) > 0] or rows
    values_x = min(lines[i][_values_start(lines[i])].x0 for i in labelled)
    height = max(w.bottom - w.top for i in rows for w in lines[i]) or 10
    first_top, last_top = lines[rows[0]][0].top, lines[rows[-1]][0].top
    segments: list[_Segment] = []
    text_lines = []
    headers: list[tuple[int, list[Word]]] = []
    for i, line in enumerate(lines):
        if i in rows:
            segments += [_Segment(part, i) for part in _split(line[: _values_start(line)])]
        elif line[0].top <= last_top + 3 * height and line[-1].x1 <= values_x + 2 and not sentence_like(line):
            segments += [_Segment(part, None) for part in _split(line)]
        elif first_top - _HEADER_REACH * height <= line[0].top <= last_top and not sentence_like(line):
            headers.append((i, line))  # column headers over the numbers
        else:
            text_lines.append(line)
    labels, ends = _label_blocks(segments, lines, rows, height)
    if ends:  # the end of a label begun on the page before (a row broken by the page)
        doc.lines.append(Line(tuple(Cell(text) for text in ends), f"第{page}页第{rows[0] + 1}行之前"))
    slots = _slots(lines, rows, values_x, carried)
    printed = [
        (i, [Cell(t) for t in labels.get(i, [])] + _placed(lines[i][_values_start(lines[i]) :], slots[i])) for i in rows
    ]
    printed += [(i, [Cell("".join(w.text for w in part)) for part in _split(line)]) for i, line in headers]
    for i, cells in sorted(printed, key=lambda item: item[0]):
        doc.lines.append(Line(tuple(cells), f"第{page}页第{i + 1}行"))
    carried[:] = slots[rows[-1]]
    return text_lines


def sentence_like(line: list[Word]) -> bool:
    """A line of running text rather than headers: long, or ending like a sentence."""
    text = "".join(w.text for w in line)
    return len(text) > 40 or text.endswith(("。", "：", ":", "；"))


def _values_start(line: list[Word]) -> int | None:
    """Index of the first word of the trailing run of values, None when the line ends in text."""
    start = len(line)
    while start > 0 and value_like(line[start - 1].text):
        start -= 1
    return start if start < len(line) else None


def _split(words: list[Word]) -> list[list[Word]]:
    parts: list[list[Word]] = []
    for word in words:
        size = max(word.bottom - word.top, 4)
        if parts and word.x0 - parts[-1][-1].x1 <= 0.9 * size:
            parts[-1].append(word)
        else:
            parts.append([word])
    return parts


def _label_blocks(
    segments: list[_Segment], lines, rows: list[int], height: float
) -> tuple[dict[int, list[str]], list[str]]:
    """(row index -> its label texts left to right, label ends carried over from the page before)."""
    blocks: list[list[_Segment]] = []
    for segment in sorted(segments, key=lambda s: (s.top, s.x0)):
        block = _open_block(blocks, segment, height)
        if block is None:
            blocks.append([segment])
        else:
            block.append(segment)
    out: dict[int, list[tuple[float, float, str]]] = {}
    carried: list[str] = []
    first_top = lines[rows[0]][0].top
    for block in blocks:
        text = "".join(s.text for s in block)
        owner = next((s.row for s in block if s.row is not None), None)
        if owner is None and block[-1].bottom < first_top and not NUMBERED.match(text):
            carried.append(text)
            continue
        if owner is None:
            middle = (block[0].top + block[-1].bottom) / 2
            owner = min(rows, key=lambda r: abs((lines[r][0].top + lines[r][0].bottom) / 2 - middle))
        out.setdefault(owner, []).append((block[0].x0, block[0].top, text))
    return {row: [text for _, _, text in sorted(texts)] for row, texts in out.items()}, carried


def _open_block(blocks: list[list[_Segment]], segment: _Segment, height: float) -> list[_Segment] | None:
    """The block a segment continues: just above it, overlapping it, and not ended by a new label."""
    if NUMBERED.match(segment.text):
        return None
    for block in reversed(blocks):
        last = block[-1]
        near = 0 <= segment.top - last.bottom <= 0.9 * height
        overlaps = segment.x0 < last.x1 and last.x0 < segment.x1
        if near and overlaps:
            if segment.row is not None and any(s.row is not None for s in block):
                return None
            return block
    return None


def _slots(lines, rows: list[int], values_x: float, carried: list[float]) -> dict[int, list[float]]:
    """Row index -> the column positions of its table: the centres of values in rows that line up.

    A table ends where a line of headers (words over the value columns) comes between two rows.
    """
    centres = {i: [(w.x0 + w.x1) / 2 for w in lines[i][_values_start(lines[i]) :]] for i in rows}
    zones: list[list[int]] = []
    for i in rows:
        headed = zones and any(lines[k][-1].x1 > values_x + 2 for k in range(zones[-1][-1] + 1, i))
        if zones and not headed and _lines_up(centres[i], _zone_slots(zones[-1], centres)):
            zones[-1].append(i)
        else:
            zones.append([i])
    headed = any(lines[k][-1].x1 > values_x + 2 for k in range(rows[0]))
    if carried and not headed and _lines_up(centres[rows[0]], carried):
        centres[-1] = carried  # the table runs on from the page before
        zones[0].append(-1)
    out = {}
    start = -1
    for zone in zones:
        slots = _zone_slots(zone, centres)
        above = _lines_above(lines, start, zone[0])
        leaves = [x for x in _header_leaves(above) if x >= slots[0] - _ALIGN]  # not the corner over the labels
        if len(leaves) > len(slots) and all(any(abs(x - leaf) <= _ALIGN for leaf in leaves) for x in slots):
            slots = leaves  # a value missing in every row: the headers above still show its column
        out.update({i: slots for i in zone if i >= 0})
        start = max(zone)
    return out


def _lines_above(lines, start: int, first: int) -> list[list[Word]]:
    """Lines between the table before (``start``) and a table's first row, near enough to be its headers."""
    height = max((w.bottom - w.top for w in lines[first]), default=10) or 10
    top = lines[first][0].top - _LEAF_REACH * height
    return [lines[k] for k in range(start + 1, first) if lines[k][0].top >= top and not sentence_like(lines[k])]


def _header_leaves(lines: list[list[Word]]) -> list[float]:
    """Column positions from the headers: centres of header pieces with no other header under them."""
    pieces = [part for line in lines for part in _split(line)]
    leaves: list[float] = []
    for piece in pieces:
        x0, x1, bottom = piece[0].x0, piece[-1].x1, piece[0].bottom
        below = [p for p in pieces if p[0].top > bottom - 1 and p[0].x0 < x1 and x0 < p[-1].x1 and p is not piece]
        centre = (x0 + x1) / 2
        if not below and not any(abs(centre - leaf) <= _ALIGN for leaf in leaves):
            leaves.append(centre)
    return sorted(leaves)


def _zone_slots(zone: list[int], centres: dict[int, list[float]]) -> list[float]:
    slots: list[float] = []
    for i in zone:
        for x in centres[i]:
            if not any(abs(x - slot) <= _ALIGN for slot in slots):
                slots.append(x)
    return sorted(slots)


def _lines_up(row: list[float], slots: list[float]) -> bool:
    """The row's values stand under the slots, but for one or two (blank cells in either)."""
    under = sum(1 for x in row if any(abs(x - s) <= _ALIGN for s in slots))
    return len(row) - under <= 2 and abs(len(row) - len(slots)) <= 2 and under >= min(len(row), len(slots)) - 2


def _placed(words: list[Word], slots: list[float]) -> list[Cell]:
    """The row's values under the column positions; a position without a value is a blank cell."""
    cells = [Cell("") for _ in slots]
    for word in words:
        x = (word.x0 + word.x1) / 2
        nearest = min(range(len(slots)), key=lambda k: abs(slots[k] - x))
        cells[nearest] = Cell(cells[nearest].text + word.text)
    return cells
