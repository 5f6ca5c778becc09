"""Word documents (.docx) read with python-docx: paragraphs and tables in document order.

Tables are read from their XML so that merged cells keep their place: a
horizontally merged cell (gridSpan) is one cell spanning columns, a
vertically merged continuation (vMerge) prints nothing and is left out, as
a web page leaves out a rowspan's rows. Evidence: 第 2 个表格第 5 行第 3 列,
paragraphs 第 N 段.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import DocumentUnreadable
from .document import Cell
from .document import Document
from .document import Line
from .document import Paragraph

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str = "") -> Document:
    """Read a .docx report into lines (table rows) and paragraphs."""
    from docx import Document as open_docx

    try:
        body = open_docx(io.BytesIO(data)).element.body
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentUnreadable("Word 文件无法打开：请确认是 .docx 格式（.doc 请先另存为 .docx）。") from error
    reader = _Reader(Document("docx", name=name))
    reader.walk(body)
    return reader.doc


class _Reader:
    def __init__(self, doc: Document):
        self.doc = doc
        self.tables = 0

    def walk(self, element) -> None:
        for child in element:
            if child.tag == f"{_W}p":
                self._paragraph(child)
            elif child.tag == f"{_W}tbl":
                self._table(child)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.walk(content)

    def _paragraph(self, element) -> None:
        text = _text(element).strip()
        if text:
            self.doc.paragraphs.append(Paragraph(text, f"第{len(self.doc.paragraphs) + 1}段"))

    def _table(self, table) -> None:
        if table.findall(f".//{_W}tc//{_W}tbl"):
            for cell in table.iter(f"{_W}tc"):
                self.walk(cell)
            return
        self.tables += 1
        number = self.tables
        for r, row in enumerate(table.findall(f"{_W}tr"), start=1):
            col = 1 + _int(row.find(f"{_W}trPr/{_W}gridBefore"))
            cells = []
            for cell in row.findall(f"{_W}tc"):
                span = max(1, _int(cell.find(f"{_W}tcPr/{_W}gridSpan")))
                merge = cell.find(f"{_W}tcPr/{_W}vMerge")
                continued = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
                if not continued:
                    text = "".join(_text(p) for p in cell.iter(f"{_W}p"))
                    cells.append(Cell(text.strip(), f"第{number}个表格第{r}行第{col}列"))
                col += span
            if cells:
                self.doc.lines.append(Line(tuple(cells), f"第{number}个表格第{r}行", table=number))


def _text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        parts.append((node.text or "") if node.tag == f"{_W}t" else " ")
    return "".join(parts)


def _int(element) -> int:
    if element is None:
        return 0
    try:
        return int(element.get(f"{_W}val", "0"))
    except ValueError:
        return 0
