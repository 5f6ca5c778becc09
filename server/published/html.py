"""Web pages as government websites publish them (lxml).

The report's tables are ``<table>`` elements with rowspan/colspan, ``&nbsp;``
for blank cells and ``<p>``/``<br>`` inside cells; the page often wraps the
content in layout tables, and some sites put the whole report into a
JavaScript string that a script writes into the page. Data tables are the
innermost tables; everything else is running text. Evidence names the table
and the row and column as printed: 第 2 个表格第 5 行第 3 列 (columns counted
on the table's grid, so a merged cell keeps its place).
"""

from __future__ import annotations

import codecs
import html as html_lib
import re

from lxml import etree
from lxml import html as lxml_html

from ..errors import DocumentUnreadable
from .document import Cell
from .document import Document
from .document import Line
from .document import Paragraph

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br", "tr", "title",
    "blockquote", "pre", "center", "dd", "dt", "ul", "ol", "header", "footer", "main", "form", "body",
}  # fmt: skip
_SKIPPED = {"script", "style", "noscript", "template", "iframe", "select", "option", "button", "head"}
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_JS_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1).)*?)\1""", re.DOTALL)
_SPACES = re.compile(r"[ \t\r\n\u00a0\u3000\u2002\u2003\u200b]+")


def decode_html(data: bytes) -> str:
    """The page's text: its declared charset, else UTF-8, else GB18030."""
    declared = _CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for encoding in [*candidates, "utf-8", "gb18030"]:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def read_html(data: bytes | str, name: str = "") -> Document:
    """Read a web page into lines (the innermost tables' rows) and paragraphs."""
    text = decode_html(data) if isinstance(data, bytes) else data
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise DocumentUnreadable("网页是空的，没有可读的内容。")
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise DocumentUnreadable("网页无法解析，请另存为完整网页（.html）后重试。") from error
    walker = _Walker(Document("html", name=name))
    title = root.find(".//title")
    if title is not None and title.text:
        walker.doc.paragraphs.append(Paragraph(_clean(title.text), "网页标题"))
    walker.walk(root)
    walker.flush()
    return walker.doc


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _Walker:
    """Walk the page in reading order: data tables become lines, other text paragraphs."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.buffer: list[str] = []
        self.tables = 0
        self.depth = 0

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.doc.paragraphs.append(Paragraph(text, f"第{len(self.doc.paragraphs) + 1}段"))

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag == "script":
            self._script(element)
        elif tag in _SKIPPED or not tag:
            pass
        elif tag == "table" and not element.xpath(".//table"):
            self.flush()
            self._table(element)
        else:
            block = tag in _BLOCKS or tag == "table"
            if block:
                self.flush()
            if element.text:
                self.buffer.append(element.text)
            for child in element:
                self.walk(child)
                if child.tail:
                    self.buffer.append(child.tail)
            if block:
                self.flush()

    def _script(self, element) -> None:
        """A report written into the page from a JavaScript string."""
        source = element.text or ""
        if not re.search(r"<\s*table|&lt;\s*table|\\u003ctable", source, re.IGNORECASE):
            return
        pieces = [_js_unescape(match.group(2)) for match in _JS_STRING.finditer(source)]
        markup = "".join(piece for piece in pieces if "<" in piece or "&lt;" in piece)
        if "&lt;" in markup and "<table" not in markup.lower():
            markup = html_lib.unescape(markup)
        if not markup.strip() or self.depth > 2:
            return
        self.flush()
        self.depth += 1
        try:
            fragment = lxml_html.fragment_fromstring(markup, create_parent="div")
        except (etree.ParserError, ValueError):
            return
        finally:
            self.depth -= 1
        self.walk(fragment)
        self.flush()

    def _table(self, table) -> None:
        self.tables += 1
        number = self.tables
        occupied: dict[tuple[int, int], bool] = {}
        for r, row in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"), start=1):
            cells, col = [], 1
            for cell in row.xpath("./td|./th"):
                while occupied.get((r, col)):
                    col += 1
                span = _span(cell, "colspan")
                for dr in range(_span(cell, "rowspan")):
                    for dc in range(span):
                        occupied[(r + dr, col + dc)] = True
                cells.append(Cell(_cell_text(cell), f"第{number}个表格第{r}行第{col}列"))
                col += span
            if cells:
                self.doc.lines.append(Line(tuple(cells), f"第{number}个表格第{r}行", table=number))


def _span(cell, attribute: str) -> int:
    try:
        return max(1, min(int(cell.get(attribute, "1")), 100))
    except ValueError:
        return 1


def _cell_text(cell) -> str:
    for skipped in cell.xpath(".//script|.//style"):
        skipped.drop_tree()
    return _clean(cell.text_content())


_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": ""}


def _js_unescape(text: str) -> str:
    """The value of a JavaScript string literal's body (\\uXXXX, \\xXX, \\n, \\", \\/ …)."""

    def one(match: re.Match) -> str:
        escape = match.group(1)
        if escape.startswith(("u", "x")) and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, escape)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", one, text, flags=re.DOTALL)
