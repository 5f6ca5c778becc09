"""PDF reports with a text layer (pdfplumber): tables rebuilt from the positions of the words.

Every word comes with its box on the page. Where the table is ruled (as every
report exported from Word is), the ruling lines give the cells: the words whose
centre lies in a cell make its text, so a row label wrapped over two lines or a
header printed one character per line (结/果/维/持) reads as one label. Where a
page has no ruling, rows are rebuilt from the words' lines: a line with numbers
is a row, label lines just above or below it (a wrapped label) join its label.
A table broken across pages simply continues on the next page; page numbers,
running heads and footers are left out. A scanned PDF (pages without any text)
gets a clear message: there is no text recognition (OCR).

Evidence: 第 3 页第 2 个表格第 5 行第 3 列; running text 第 3 页第 12 行.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from ..errors import DocumentUnreadable
from ..forms import FORMS
from .document import Cell
from .document import Document
from .document import Line
from .document import Paragraph
from .labels import CUT
from .labels import EXACT
from .labels import INDEX
from .tables import split_line
from .tables import value_like

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*共?\s*\d{1,3}\s*页?)?[-—–\s]*$")
_LINE_TOLERANCE = 3.0
_MIN_TEXT = 20
"""Characters below which a PDF counts as having no text layer."""
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 4}


@dataclass(frozen=True)
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def middle(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.top + self.bottom) / 2)


def read_pdf(data: bytes, name: str = "") -> Document:
    """Read a PDF report into lines (table rows) and paragraphs."""
    import pdfplumber
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    doc = Document("pdf", name=name)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            characters = 0
            carried: list[float] = []
            for number, page in enumerate(pdf.pages, start=1):
                characters += _read_page(page, number, doc, carried)
    except (PdfminerException, PSException, ValueError, KeyError) as error:
        raise DocumentUnreadable("PDF 文件无法打开，可能已损坏或加密。请重新导出后上传。") from error
    doc.lines[:] = _join_broken_rows(doc.lines)
    if _unmapped(doc) > _MIN_TEXT:
        raise DocumentUnreadable(
            "这个 PDF 的文字无法提取（所用字体缺少编码，取出的是乱码）。请上传报告的网页或 Word 版本，"
            "或用 Word 重新导出 PDF。"
        )
    if characters < _MIN_TEXT:
        raise DocumentUnreadable(
            "这个 PDF 没有文字层（可能是扫描件或图片），无法读取表格和正文。本系统不做文字识别（OCR）："
            "请上传由 Word 直接导出的 PDF，或报告的网页、Word 版本。"
        )
    return doc


def _unmapped(doc: Document) -> int:
    """How many characters came out as (cid:NN): glyphs the PDF gives no text for."""
    texts = [p.text for p in doc.paragraphs] + [c.text for line in doc.lines for c in line.cells]
    return sum(text.count("(cid:") for text in texts)


def _words(page) -> list[_Word]:
    raw = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    return [_Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw if w["text"].strip()]


def _read_page(page, number: int, doc: Document, carried: list[float]) -> int:
    """Read one page; ``carried`` holds the column positions of an unruled table running on from the page before."""
    words = _words(page)
    tables = [t for t in page.find_tables(table_settings=_TABLE_SETTINGS) if _is_data_table(t)]
    inside: set[int] = set()
    for index, table in enumerate(sorted(tables, key=lambda t: t.bbox[1]), start=1):
        inside |= _ruled_table(table, words, number, index, doc)
    rest = [w for i, w in enumerate(words) if i not in inside]
    lines = _visual_lines(rest)
    lines = [line for line in lines if not _PAGE_NUMBER.match(" ".join(w.text for w in line))]
    if any(any(value_like(w.text) for w in line) for line in lines) and not tables:
        lines = _unruled_rows(lines, number, doc, carried)
    _paragraphs(lines, number, page.width, doc)
    return sum(len(w.text) for w in words)


# Ruled tables -------------------------------------------------------------------------------


def _ruled_table(table, words: list[_Word], page: int, number: int, doc: Document) -> set[int]:
    """Lines of a table found by its ruling; returns the indexes of the words used."""
    used: set[int] = set()
    for r, row in enumerate(table.rows, start=1):
        cells = []
        for c, box in enumerate(row.cells, start=1):
            if box is None:
                continue
            members = [i for i, w in enumerate(words) if _within(w, box)]
            used.update(members)
            text = _join([words[i] for i in members])
            cells.append(Cell(text, f"第{page}页第{number}个表格第{r}行第{c}列"))
        if cells and not _PAGE_NUMBER.match(" ".join(c.text for c in cells if not c.blank) or "x"):
            doc.lines.append(Line(tuple(cells), f"第{page}页第{number}个表格第{r}行", table=page * 100 + number))
    return used


def _is_data_table(table) -> bool:
    """A grid of at least two rows and two columns; a frame round the page or a boxed paragraph is not one."""
    return len(table.rows) >= 2 and max(len(row.cells) for row in table.rows) >= 2


def _join_broken_rows(lines: list[Line]) -> list[Line]:
    """A ruled row broken by a page: its first row on the next page continues each cell of its last row.

    Joined only when the row's label names no row of any form as printed and does once joined
    column by column (“（六）” + “其他处理”, “1.申请” + “人无正当理由逾期不补正…”).
    """
    out: list[Line] = []
    for line in lines:
        previous = out[-1] if out else None
        if previous is not None and _continues(previous, line):
            out[-1] = _joined(previous, line)
        else:
            out.append(line)
    return out


def _continues(previous: Line, line: Line) -> bool:
    if previous.table is None or line.table is None or line.table // 100 != previous.table // 100 + 1:
        return False
    upper, lower = _aligned(previous.cells, line.cells)
    if len(upper) != len(lower) or not line.where.endswith("个表格第1行"):
        return False
    first = next((c.text for c in line.cells if not c.blank), "")
    if not first or _NUMBERED.match(first) or value_like(first):
        return False
    return not _names_a_row(previous) and _names_a_row(_joined(previous, line))


def _names_a_row(line: Line) -> bool:
    labels, _ = split_line(line)
    text = "".join(cell.text for cell in labels)
    return any((match := INDEX.match(text, form)) is not None and match.how in (EXACT, CUT) for form in FORMS.values())


def _aligned(top: tuple[Cell, ...], bottom: tuple[Cell, ...]) -> tuple[tuple[Cell, ...], tuple[Cell, ...]]:
    """The two parts' cells side by side: a spanning cell left out on one page is an empty cell on the other."""
    while len(bottom) > len(top) and bottom[0].blank:
        bottom = bottom[1:]
    while len(top) > len(bottom) and top[0].blank:
        top = top[1:]
    return top, bottom


def _joined(top: Line, bottom: Line) -> Line:
    cells = []
    for upper, lower in zip(*_aligned(top.cells, bottom.cells), strict=True):
        if value_like(upper.text) or value_like(lower.text):
            cells.append(upper if not upper.blank else lower)
        else:
            cells.append(Cell(upper.text + lower.text, upper.where))
    return Line(tuple(cells), top.where, top.table)


def _within(word: _Word, box) -> bool:
    x, y = word.middle
    x0, top, x1, bottom = box
    return x0 <= x <= x1 and top <= y <= bottom


def _join(words: list[_Word]) -> str:
    """The text of words in reading order: line by line, left to right."""
    return "".join("".join(w.text for w in line) for line in _visual_lines(words))


def _visual_lines(words: list[_Word]) -> list[list[_Word]]:
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(lines[-1][0].top - word.top) <= _LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


# Unruled tables -----------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d+[.．、]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
_ALIGN = 9.0
"""Points within which a value lies under a column position of its table."""


@dataclass
class _Segment:
    """A run of label words on one word line (a gap of about a character ends it)."""

    words: list[_Word]
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


def _unruled_rows(lines: list[list[_Word]], page: int, doc: Document, carried: list[float]) -> list[list[_Word]]:
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
    headers: list[tuple[int, list[_Word]]] = []
    for i, line in enumerate(lines):
        if i in rows:
            segments += [_Segment(part, i) for part in _split(line[: _values_start(line)])]
        elif line[0].top <= last_top + 3 * height and line[-1].x1 <= values_x + 2 and not _sentence(line):
            segments += [_Segment(part, None) for part in _split(line)]
        elif first_top - 6 * height <= line[0].top <= last_top and not _sentence(line):
            headers.append((i, line))  # column headers over the numbers
        else:
            text_lines.append(line)
    labels, ends = _label_blocks(segments, lines, rows, height)
    if ends:  # the end of a label begun on the page before (a row broken by the page)
        doc.lines.append(Line(tuple(Cell(text) for text in ends), f"第{page}页第{rows[0] + 1}行之前"))
    slots = _slots(lines, rows, values_x, carried, dict(headers))
    printed = [
        (i, [Cell(t) for t in labels.get(i, [])] + _placed(lines[i][_values_start(lines[i]) :], slots[i])) for i in rows
    ]
    printed += [(i, [Cell("".join(w.text for w in part)) for part in _split(line)]) for i, line in headers]
    for i, cells in sorted(printed, key=lambda item: item[0]):
        doc.lines.append(Line(tuple(cells), f"第{page}页第{i + 1}行"))
    carried[:] = slots[rows[-1]]
    return text_lines


def _sentence(line: list[_Word]) -> bool:
    """A line of running text rather than headers: long, or ending like a sentence."""
    text = "".join(w.text for w in line)
    return len(text) > 40 or text.endswith(("。", "：", ":", "；"))


def _values_start(line: list[_Word]) -> int | None:
    """Index of the first word of the trailing run of values, None when the line ends in text."""
    start = len(line)
    while start > 0 and value_like(line[start - 1].text):
        start -= 1
    return start if start < len(line) else None


def _split(words: list[_Word]) -> list[list[_Word]]:
    parts: list[list[_Word]] = []
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
        if owner is None and block[-1].bottom < first_top and not _NUMBERED.match(text):
            carried.append(text)
            continue
        if owner is None:
            middle = (block[0].top + block[-1].bottom) / 2
            owner = min(rows, key=lambda r: abs((lines[r][0].top + lines[r][0].bottom) / 2 - middle))
        out.setdefault(owner, []).append((block[0].x0, block[0].top, text))
    return {row: [text for _, _, text in sorted(texts)] for row, texts in out.items()}, carried


def _open_block(blocks: list[list[_Segment]], segment: _Segment, height: float) -> list[_Segment] | None:
    """The block a segment continues: just above it, overlapping it, and not ended by a new label."""
    if _NUMBERED.match(segment.text):
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


def _slots(
    lines, rows: list[int], values_x: float, carried: list[float], headers: dict[int, list[_Word]]
) -> dict[int, list[float]]:
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
        above = [headers[k] for k in range(start + 1, zone[0]) if k in headers]
        leaves = [x for x in _header_leaves(above) if x >= slots[0] - _ALIGN]  # not the corner over the labels
        if len(leaves) > len(slots) and all(any(abs(x - leaf) <= _ALIGN for leaf in leaves) for x in slots):
            slots = leaves  # a value missing in every row: the headers above still show its column
        out.update({i: slots for i in zone if i >= 0})
        start = max(zone)
    return out


def _header_leaves(lines: list[list[_Word]]) -> list[float]:
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


def _placed(words: list[_Word], slots: list[float]) -> list[Cell]:
    """The row's values under the column positions; a position without a value is a blank cell."""
    cells = [Cell("") for _ in slots]
    for word in words:
        x = (word.x0 + word.x1) / 2
        nearest = min(range(len(slots)), key=lambda k: abs(slots[k] - x))
        cells[nearest] = Cell(cells[nearest].text + word.text)
    return cells


# Running text -------------------------------------------------------------------------------


def _paragraphs(lines: list[list[_Word]], page: int, width: float, doc: Document) -> None:
    """Lines joined into paragraphs: a line reaching the right margin continues on the next."""
    if not lines:
        return
    right = max(line[-1].x1 for line in lines)
    buffer, start = "", 0
    for number, line in enumerate(lines, start=1):
        text = " ".join(w.text for w in line)
        if not buffer:
            start = number
        buffer += text
        full = line[-1].x1 >= right - 20 and not text.endswith(("。", "：", ":"))
        if not full:
            doc.paragraphs.append(Paragraph(buffer, f"第{page}页第{start}行"))
            buffer = ""
    if buffer:
        doc.paragraphs.append(Paragraph(buffer, f"第{page}页第{start}行"))
