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

from ..errors import DocumentUnreadable
from ..forms import FORMS
from .document import Cell
from .document import Document
from .document import Line
from .document import Paragraph
from .labels import CUT
from .labels import EXACT
from .labels import INDEX
from .pdf_positions import NUMBERED
from .pdf_positions import Word
from .pdf_positions import unruled_rows
from .pdf_positions import visual_lines
from .rows import T3_MIN_VALUES
from .rows import split_line
from .rows import value_like

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*共?\s*\d{1,3}\s*页?)?[-—–\s]*$")
_MIN_TEXT = 20
"""Characters below which a PDF counts as having no text layer."""
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 4}


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


def _words(page) -> list[Word]:
    raw = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    return [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw if w["text"].strip()]


def _read_page(page, number: int, doc: Document, carried: list[float]) -> int:
    """Read one page; ``carried`` holds the column positions of an unruled table running on from the page before."""
    words = _words(page)
    tables = [t for t in page.find_tables(table_settings=_TABLE_SETTINGS) if _is_data_table(t)]
    inside: set[int] = set()
    for index, table in enumerate(sorted(tables, key=lambda t: t.bbox[1]), start=1):
        inside |= _ruled_table(table, words, number, index, doc)
    rest = [w for i, w in enumerate(words) if i not in inside]
    lines = visual_lines(rest)
    lines = [line for line in lines if not _PAGE_NUMBER.match(" ".join(w.text for w in line))]
    if _has_rows(lines, 1 if not tables else 2):  # beside ruled tables, only a real table of numbers
        lines = unruled_rows(lines, number, doc, carried)
    _paragraphs(lines, number, page.width, doc)
    return sum(len(w.text) for w in words)


def _has_rows(lines: list[list[Word]], least: int) -> bool:
    """Whether the lines hold a table: some line ends in numbers (beside ruled tables: two lines ending in two
    numbers, or a line of 表三's many numbers)."""
    if least <= 1:
        return any(any(value_like(w.text) for w in line) for line in lines)
    ending = [line for line in lines if len(line) >= 2 and value_like(line[-1].text) and value_like(line[-2].text)]
    wide = any(sum(1 for w in line if value_like(w.text)) >= T3_MIN_VALUES for line in lines)
    return len(ending) >= least or wide


# Ruled tables -------------------------------------------------------------------------------


def _ruled_table(table, words: list[Word], page: int, number: int, doc: Document) -> set[int]:
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
    if not first or NUMBERED.match(first) or value_like(first):
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


def _within(word: Word, box) -> bool:
    x, y = word.middle
    x0, top, x1, bottom = box
    return x0 <= x <= x1 and top <= y <= bottom


def _join(words: list[Word]) -> str:
    """The text of words in reading order: line by line, left to right."""
    return "".join("".join(w.text for w in line) for line in visual_lines(words))


# Running text -------------------------------------------------------------------------------


def _paragraphs(lines: list[list[Word]], page: int, width: float, doc: Document) -> None:
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
