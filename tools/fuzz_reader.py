"""Differential fuzzing of the reading fast path (:mod:`server.xlsx.fast`) against the openpyxl path.

Each case is a seed workbook (template workbooks of both form versions, district
workbooks, openpyxl books with dates, booleans, rich text and hidden sheets, the
handmade sheets of ``tests/test_read_fast.py``) whose XML parts get one to four
structure-aware mutations (positions, types, styles, numbers, formulas,
whitespace, prefixes, entities, escapes, CDATA, comments, encodings, shared
strings, sheet states, date system …) or random byte edits, rezipped deflated or
stored. Both paths read it in a child process under a memory limit and a time
limit; a case is a finding when

* the fast path gives grids that differ from openpyxl's (values with their types,
  names, order, hidden flags), or gives grids where openpyxl refuses;
* the fast path raises (``why_not`` says "unforeseen") or the child dies or hangs;
* ``fast.read`` takes more than ``--slow-ms`` of CPU time on a file under 1 MB.

A case is reproducible from (seed, index) alone::

    .venv/bin/python -m tools.fuzz_reader --cases 20000 --seed 1
    .venv/bin/python -m tools.fuzz_reader --seed 1 --show 1234 > case.xlsx
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import random
import re
import sys
import time
import zipfile
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 1536 * 1024 * 1024
"""Address space of a child (calamine's grid for a cell at XFD1048576 would need far more)."""


# Seeds -----------------------------------------------------------------------------------------


def seeds() -> list[bytes]:
    """The seed workbooks, always the same."""
    for path in (str(ROOT), str(ROOT / "tests")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import datetime as dt

    import openpyxl
    from builders import consistent_values
    from builders import header_for
    from district_data import workbook
    from openpyxl.cell.rich_text import CellRichText
    from openpyxl.cell.rich_text import TextBlock
    from openpyxl.cell.text import InlineFont
    from test_read_fast import ODD
    from test_read_fast import PLAIN
    from test_read_fast import SHARED
    from test_read_fast import handmade

    from server.forms import FORMS
    from server.forms import get_form
    from server.xlsx.template import make_workbook

    def saved(book) -> bytes:
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def steady(data: bytes) -> bytes:
        """The workbook without its save time (the same seeds on every run)."""
        source = zipfile.ZipFile(io.BytesIO(data))
        parts = {info.filename: source.read(info) for info in source.infolist()}
        for name in parts:
            if name.startswith("docProps/"):
                parts[name] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-15T08:00:00Z", parts[name])
        return _zipped(parts, zipfile.ZIP_DEFLATED)

    out = []
    for version in sorted(FORMS):
        form = get_form(version)
        out.append(saved(make_workbook(version, consistent_values(form, seed=1), header_for(form))))
    out.append(workbook("乙镇人民政府", year=2019, seed=2019))
    out.append(workbook("甲街道办事处", year=2025, seed=5, **{"t2.open.c_natural": " 12 "}))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet["A1"], sheet["B1"], sheet["C1"] = dt.date(2025, 12, 31), dt.time(8, 30), dt.timedelta(hours=30)
    sheet["A2"], sheet["B2"], sheet["C2"] = True, False, dt.datetime(1900, 1, 1, 12)
    sheet["A3"], sheet["B3"], sheet["C3"] = 5.0, 1e20, -0.0
    sheet["A4"] = CellRichText([TextBlock(InlineFont(b=True), "加粗"), " 普通"])
    sheet["B4"], sheet["C4"] = "=1+2", "#N/A"
    sheet["D5"] = " 前后 "
    book.create_sheet("隐藏").sheet_state = "hidden"
    book["隐藏"]["B2"] = "x"
    book.create_sheet("深藏").sheet_state = "veryHidden"
    out.append(saved(book))
    out = [steady(data) for data in out]
    out.append(handmade(list(PLAIN.values()), strings=SHARED))
    out.append(handmade(list(PLAIN.values()), strings=SHARED, prefix="x"))
    for odd in ODD.values():  # each odd sheet beside plain ones: a mutation may make it readable or not
        pr = '<workbookPr date1904="1"/>' if len(odd) % 3 == 0 else "<workbookPr/>"
        out.append(handmade([PLAIN["shared"], odd, PLAIN["numbers"]], strings=SHARED, workbook_pr=pr))
    return out


# Mutations -------------------------------------------------------------------------------------

ODD_NUMBERS = [
    "5.0", "1E+20", "1e3", "-0", "0x10", " 5", "5 ", "", "NaN", "nan", "inf", "-inf", "1e999", "1" * 40,
    "0.1", "-2", "+3", "007", "1_000", "٣", "1.", ".5", "1e-400", "2958465", "2958466", "-1", "60", "59.999",
    "1.0E5", "12345678901234567", "0.30000000000000004", "&#53;", "5&#46;0", "1,5", "TRUE", "#N/A",
]  # fmt: skip
TYPES = ["n", "s", "str", "inlineStr", "b", "e", "d", "x", "", "S", "n "]
REFS = ["A1", "B2", "XFD1048576", "A1048577", "CV1", "CW1", "a1", "A0", "A01", "1", "", "ZZZ9", "D8", "A1000",
        "A1001", "$A$1", "A1:B2", " A1", "AAAA1", "A99999999"]  # fmt: skip
TEXTS = ["&amp;", "&#1;", "&#x10FFFF;", "&#10;", "&#13;", "&#32;", "&#x20;", "&#065;", "_x000D_", "_x0041_",
         " ", "\n", "\t", "\r\n", "&lt;", "&#65535;", "&#xFFFE;", "&#55296;", "&nbsp;", "<![CDATA[x]]>",
         "<!--c-->", "<?pi x?>", "\u00a0", "\u3000", "漢字", "a" * 300, "&#12288;", "&quot;"]  # fmt: skip
JUNK = ["<!-- c -->", "<?pi x?>", "<![CDATA[7]]>", "\n", "  ", "\t", "<x/>", '<extLst a="1"/>', "<is/>",
        "<v>9</v>", "<f>1+1</f>", "<t>x</t>", "<r><t>y</t></r>", "<c/>", '<c r="A1"/>', "<row/>", "&#10;"]  # fmt: skip
STYLES = ["0", "1", "2", "3", "5", "7", "14", "99999", "-1", "x", "", " 1", "01"]

_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>.*?</(?:\w+:)?row>)", re.S)
_GAP = re.compile(rb">(?=<)")
_TEXT = re.compile(rb"(<(?:\w+:)?[tv]\b[^>/]*>)([^<]*)(</)")


def _pick(rng: random.Random, pattern: re.Pattern, content: bytes):
    found = list(pattern.finditer(content))
    return rng.choice(found) if found else None


def _splice(content: bytes, match, new: bytes, group: int = 0) -> bytes:
    return content[: match.start(group)] + new + content[match.end(group) :]


def _set_attr(tag: bytes, name: bytes, value: bytes | None) -> bytes:
    """The tag with attribute ``name`` set (None: removed)."""
    end = tag.find(b">")
    head, rest = tag[:end], tag[end:]
    if head.endswith(b"/"):
        head, rest = head[:-1], b"/" + rest
    found = re.search(rb"\s" + name + rb'="[^"]*"', head)
    if found is not None:
        head = head[: found.start()] + head[found.end() :]
    if value is not None:
        head += b" " + name + b'="' + value + b'"'
    return head + rest


def m_ref(rng, parts, sheet):
    content = parts[sheet]
    cell = _pick(rng, rng.choice([_CELL, _ROW]), content)
    if cell is None:
        return
    tag = cell.group()
    choice = rng.random()
    if choice < 0.2:
        new = _set_attr(tag, b"r", None)
    elif choice < 0.4 and tag.startswith((b"<c", b"<x:c")):
        other = _pick(rng, _CELL, content)
        ref = re.search(rb' r="([^"]*)"', other.group()) if other else None
        new = _set_attr(tag, b"r", ref.group(1) if ref else b"A1")
    elif tag.startswith((b"<row", b"<x:row")):
        new = _set_attr(tag, b"r", str(rng.choice([0, 1, 2, 3, 999, 1000, 1001, 1048576, 10**9, -1])).encode())
    else:
        new = _set_attr(tag, b"r", rng.choice(REFS).encode())
    parts[sheet] = _splice(content, cell, new)


def m_swap_rows(rng, parts, sheet):
    content = parts[sheet]
    rows = list(_ROW.finditer(content))
    if len(rows) < 2:
        return
    a, b = sorted(rng.sample(range(len(rows)), 2))
    ra, rb = rows[a], rows[b]
    if rng.random() < 0.3:  # duplicate a row instead
        parts[sheet] = content[: rb.end()] + ra.group() + content[rb.end() :]
        return
    parts[sheet] = (
        content[: ra.start()] + rb.group() + content[ra.end() : rb.start()] + ra.group() + content[rb.end() :]
    )


def m_type(rng, parts, sheet):
    cell = _pick(rng, _CELL, parts[sheet])
    if cell is not None:
        kind = rng.choice(TYPES + [None])
        parts[sheet] = _splice(
            parts[sheet], cell, _set_attr(cell.group(), b"t", None if kind is None else kind.encode())
        )


def m_style(rng, parts, sheet):
    cell = _pick(rng, _CELL, parts[sheet])
    if cell is not None:
        style = rng.choice(STYLES + [None])
        parts[sheet] = _splice(
            parts[sheet], cell, _set_attr(cell.group(), b"s", None if style is None else style.encode())
        )


def m_value(rng, parts, sheet):
    content = parts[sheet]
    found = [m for m in _TEXT.finditer(content) if m.group(1).startswith((b"<v", b"<x:v"))]
    if found:
        match = rng.choice(found)
        parts[sheet] = _splice(content, match, rng.choice(ODD_NUMBERS).encode(), 2)
    else:
        cell = _pick(rng, _CELL, content)
        if cell is not None and cell.group().endswith(b"/>"):
            parts[sheet] = _splice(
                content, cell, cell.group()[:-2] + b"><v>" + rng.choice(ODD_NUMBERS).encode() + b"</v></c>"
            )


def m_formula(rng, parts, sheet):
    content = parts[sheet]
    cell = _pick(rng, _CELL, content)
    if cell is None:
        return
    tag = cell.group()
    formula = rng.choice([b"<f>1+2</f>", b"<f/>", b'<f t="shared" si="0"/>', b'<f>A1&amp;"x"</f>', b"<f></f>"])
    if tag.endswith(b"/>"):
        new = tag[:-2] + b">" + formula + (b"<v>3</v>" if rng.random() < 0.5 else b"") + b"</c>"
    else:
        start = tag.find(b">") + 1
        if rng.random() < 0.5:
            new = tag[:start] + formula + tag[start:]
        else:
            new = tag[:start] + formula + b"</c>"
    parts[sheet] = _splice(content, cell, new)


def m_junk(rng, parts, name):
    content = parts[name]
    gaps = list(_GAP.finditer(content))
    if gaps:
        gap = rng.choice(gaps)
        parts[name] = content[: gap.end()] + rng.choice(JUNK).encode() + content[gap.end() :]


def m_text(rng, parts, name):
    content = parts[name]
    match = _pick(rng, _TEXT, content)
    if match is None:
        return
    text = match.group(2)
    add = rng.choice(TEXTS).encode()
    where = rng.choice([0, len(text), len(text) // 2])
    new = text[:where] + add + text[where:] if rng.random() < 0.8 else add
    parts[name] = _splice(content, match, new, 2)


def m_preserve(rng, parts, name):
    content = parts[name]
    found = list(re.finditer(rb"<(?:\w+:)?t\b([^>]*)>", content))
    if found:
        match = rng.choice(found)
        attrs = rng.choice([b"", b' xml:space="preserve"', b' xml:space="default"', b" xml:space='preserve'"])
        parts[name] = _splice(content, match, attrs, 1)


def m_prefix(rng, parts, name):
    """The whole part in a namespace prefix (as the .NET SDK writes it)."""
    content = parts[name]
    root = re.search(rb"<(\w+)[\s>]", content[content.find(b"<", 1 if content.startswith(b"<?") else 0) :])
    if root is None or b"xmlns=" not in content:
        return
    prefix = rng.choice([b"x", b"ns0", b"s"])
    content = re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1" + prefix + b":", content)
    content = content.replace(b"<" + prefix + b":?", b"<?")
    parts[name] = content.replace(b'xmlns="', b"xmlns:" + prefix + b'="', 1)


def m_declaration(rng, parts, name):
    content = parts[name]
    choice = rng.random()
    if choice < 0.3:
        parts[name] = b"\xef\xbb\xbf" + content
    elif choice < 0.5:
        parts[name] = re.sub(rb'encoding="[^"]*"', b'encoding="UTF-16"', content, count=1)
    elif choice < 0.7:
        text = content.decode("utf-8", "replace").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        parts[name] = text.encode("utf-16")
    elif choice < 0.85:
        parts[name] = re.sub(rb"^<\?xml[^>]*\?>", b"", content)
    else:
        parts[name] = re.sub(
            rb'encoding="[^"]*"', rng.choice([b'encoding="gbk"', b'encoding="utf8"']), content, count=1
        )


def m_dimension(rng, parts, sheet):
    ref = rng.choice([b"A1:XFD1048576", b"A1:ZZ99999", b"", b"A1:", b"XFD1048576", b"junk", b"A1:CV1000"])
    content = parts[sheet]
    if b"dimension" in content:
        parts[sheet] = re.sub(rb'(<(?:\w+:)?dimension ref=")[^"]*', rb"\g<1>" + ref, content, count=1)
    else:
        parts[sheet] = re.sub(rb"(<(?:\w+:)?sheetData)", b'<dimension ref="' + ref + rb'"/>\1', content, count=1)


def m_tail(rng, parts, sheet):
    tail = rng.choice([
        b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        b'<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>',
        b"<mergeCells/>",
        b'<hyperlinks><hyperlink ref="A1" r:id="rId9"/></hyperlinks>',
        b'<rowBreaks count="1"><brk id="1" max="16383" man="1"/></rowBreaks>',
        b"<extLst><ext uri='x'><y/></ext></extLst>",
    ])  # fmt: skip
    parts[sheet] = re.sub(rb"(</(?:\w+:)?sheetData>)", rb"\1" + tail.replace(b"\\", b"\\\\"), parts[sheet], count=1)


def m_inline(rng, parts, sheet):
    cell = _pick(rng, _CELL, parts[sheet])
    if cell is None:
        return
    ref = re.search(rb' r="([^"]*)"', cell.group())
    attrs = b' r="' + ref.group(1) + b'"' if ref else b""
    inner = rng.choice([
        b"<is/>", b"<is></is>", b"<is><t/></is>", b"<is><t>x</t></is>", b"<is><t> x </t></is>",
        b'<is><r><t>a</t></r><rPh sb="0" eb="1"><t>b</t></rPh></is>', b"<is><t>a</t><t>b</t></is>",
        b"<is><r><rPr><b/></rPr><t>a</t></r><r><t xml:space=\"preserve\"> b</t></r></is>",
        b"<is><t>x</t></is><v>1</v>", b"<is><t>a</t><phoneticPr fontId=\"1\"/></is>",
    ])  # fmt: skip
    kind = rng.choice([b"inlineStr", b"inlineStr", b"str", b"n"])
    parts[sheet] = _splice(parts[sheet], cell, b"<c" + attrs + b' t="' + kind + b'">' + inner + b"</c>")


def m_strings(rng, parts, name):
    strings = parts.get("xl/sharedStrings.xml")
    choice = rng.random()
    if strings is None or choice < 0.1:
        parts.pop("xl/sharedStrings.xml", None)
        if rng.random() < 0.5:
            parts["[Content_Types].xml"] = re.sub(
                rb'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', b"", parts["[Content_Types].xml"]
            )
        return
    if choice < 0.3:
        parts["xl/sharedStrings.xml"] = re.sub(
            rb'uniqueCount="\d+"',
            rng.choice([b'uniqueCount="999999999999"', b'uniqueCount="0"', b'uniqueCount="20001"']),
            strings,
            count=1,
        )
    elif choice < 0.6:
        items = list(re.finditer(rb"<(?:\w+:)?si>.*?</(?:\w+:)?si>|<(?:\w+:)?si/>", strings, re.S))
        if items:
            item = rng.choice(items)
            new = rng.choice([
                b'<si><r><t>\xe6\xbc\xa2</t></r><rPh sb="0" eb="1"><t>kan</t></rPh></si>', b"<si/>", b"<si><t/></si>",
                b"<si><t> a </t></si>", b"<si><t>_x000D_</t></si>", b"<si></si>", b"<si><r><t>a</t></r><r><t>b</t></r></si>",
                b"<si><t>a</t><phoneticPr fontId=\"1\"/></si>", b"<si><t>&#x41;</t></si>", b"<si><t>1</t><t>2</t></si>",
            ])  # fmt: skip
            prefix = re.match(rb"<(\w+:)?", item.group()).group(1) or b""
            new = new.replace(b"<", b"<" + prefix).replace(b"<" + prefix + b"/", b"</" + prefix)
            parts["xl/sharedStrings.xml"] = _splice(strings, item, new)
    else:  # an index out of range or odd in a sheet
        sheet = name if name.startswith("xl/worksheets/") else None
        if sheet:
            cell = _pick(rng, _CELL, parts[sheet])
            if cell is not None:
                ref = re.search(rb' r="([^"]*)"', cell.group())
                attrs = b' r="' + ref.group(1) + b'"' if ref else b""
                index = rng.choice([b"99999", b"-1", b"1.0", b" 0", b"", b"0", b"1", b"4294967296"])
                parts[sheet] = _splice(parts[sheet], cell, b"<c" + attrs + b' t="s"><v>' + index + b"</v></c>")


def m_workbook(rng, parts, name):
    book = parts.get("xl/workbook.xml", b"")
    choice = rng.random()
    if choice < 0.35:
        sheets = list(re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", book))
        if sheets:
            sheet = rng.choice(sheets)
            state = rng.choice([b"hidden", b"veryHidden", b"visible", b"Hidden", b"", None])
            parts["xl/workbook.xml"] = _splice(book, sheet, _set_attr(sheet.group(), b"state", state))
    elif choice < 0.55:
        flag = rng.choice([b"1", b"true", b"0", b"false", b"yes", b"TRUE"])
        if re.search(rb"<(?:\w+:)?workbookPr\b", book):
            parts["xl/workbook.xml"] = re.sub(
                rb"(<(?:\w+:)?workbookPr\b)",
                rb'\1 date1904="' + flag + b'"',
                re.sub(rb' date1904="[^"]*"', b"", book),
                count=1,
            )
    elif choice < 0.7:
        names = rng.choice([
            b'<definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">A1:B2</definedName></definedNames>',
            b'<definedNames><definedName name="x">#REF!</definedName></definedNames>',
        ])  # fmt: skip
        parts["xl/workbook.xml"] = re.sub(rb"(</(?:\w+:)?sheets>)", rb"\1" + names, book, count=1)
    elif choice < 0.85:
        sheets = list(re.finditer(rb'name="([^"]*)"', book))
        if sheets:
            sheet = rng.choice(sheets)
            new = rng.choice(["a/b", "", "History", "表 ", " 表", "&amp;x", "a" * 40, "表1", "SHEET1", "x&#10;y"])
            parts["xl/workbook.xml"] = _splice(book, sheet, new.encode(), 1)
    else:  # sheets in another order
        sheets = list(re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", book))
        if len(sheets) >= 2:
            a, b = sheets[0], sheets[-1]
            parts["xl/workbook.xml"] = (
                book[: a.start()] + b.group() + book[a.end() : b.start()] + a.group() + book[b.end() :]
            )


def m_styles(rng, parts, name):
    styles = parts.get("xl/styles.xml")
    if styles is None:
        return
    choice = rng.random()
    xfs = styles.find(b"cellXfs")
    found = [m for m in re.finditer(rb'numFmtId="(\d+)"', styles) if m.start() > xfs > 0]
    if choice < 0.6 and found:
        match = rng.choice(found)
        number = rng.choice([b"14", b"22", b"21", b"46", b"47", b"164", b"0", b"49", b"999", b"x"])
        parts["xl/styles.xml"] = _splice(styles, match, number, 1)
    elif choice < 0.8:
        code = rng.choice([b"yyyy-mm-dd", b"[h]:mm", b"0*d", b"@", b"&quot;d&quot;0", b"[Red]0", b"mm:ss.0", b"d"])
        parts["xl/styles.xml"] = (
            re.sub(rb'formatCode="[^"]*"', b'formatCode="' + code + b'"', styles, count=1)
            if b"formatCode" in styles
            else styles
        )
    else:
        parts.pop("xl/styles.xml", None) if rng.random() < 0.3 else None


def m_space(rng, parts, name):
    """Whitespace inside tags: around ``=``, before ``>``, quotes swapped, attributes reordered."""
    content = parts[name]
    tags = list(re.finditer(rb"<(?:\w+:)?(?:c|row|v|t|sheet|si)\b[^>]*>", content))
    if not tags:
        return
    tag = rng.choice(tags)
    text = tag.group()
    choice = rng.random()
    if choice < 0.25:
        new = text.replace(b'="', b' = "', 1)
    elif choice < 0.5:
        new = re.sub(rb'="([^"]*)"', rb"='\1'", text, count=1)
    elif choice < 0.7:
        new = text[:-1].rstrip(b"/") + b" " + (b"/>" if text.endswith(b"/>") else b">")
    elif choice < 0.85:
        attrs = re.findall(rb'\s[\w:]+="[^"]*"', text)
        head = re.match(rb"<[\w:]+", text).group()
        rng.shuffle(attrs)
        new = head + b"".join(attrs) + (b"/>" if text.endswith(b"/>") else b">")
    else:
        new = text.replace(b" ", b"\n", 1)
    parts[name] = _splice(content, tag, new)


def m_bytes(rng, parts, name):
    content = bytearray(parts[name])
    if not content:
        return
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(content))
        choice = rng.random()
        if choice < 0.3:
            content[at] = rng.randrange(256)
        elif choice < 0.5:
            content[at] = rng.choice(b'<>/"=&;#x0123456789 \n\rtsnvcrAZ:')
        elif choice < 0.7:
            del content[at : at + rng.randint(1, 8)]
        elif choice < 0.85:
            length = rng.randint(1, 40)
            content[at:at] = content[at : at + length]
        else:
            content[at:at] = rng.choice([b"<", b">", b"&", b"\x00", b"\xff", b"\xc3", b"]]>", b"</c>", b"<c>"])
    parts[name] = bytes(content)


SHEET_MUTATIONS = [m_ref, m_ref, m_swap_rows, m_type, m_type, m_style, m_value, m_value, m_formula, m_inline,
                   m_dimension, m_tail, m_text, m_preserve, m_junk, m_strings]  # fmt: skip
ANY_MUTATIONS = [m_junk, m_text, m_prefix, m_declaration, m_space, m_bytes, m_bytes]
BOOK_MUTATIONS = [m_workbook, m_workbook, m_styles, m_strings]


def mutate(rng: random.Random, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = [name for name in parts if name.endswith((".xml", ".rels"))]
    sheets = [name for name in xml if name.startswith("xl/worksheets/") and name.count("/") == 2]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        choice = rng.random()
        if choice < 0.6 and sheets:
            rng.choice(SHEET_MUTATIONS)(rng, parts, rng.choice(sheets))
        elif choice < 0.75:
            rng.choice(BOOK_MUTATIONS)(rng, parts, rng.choice(sheets or xml))
        else:
            name = rng.choice([n for n in xml if n in parts] or [None])
            if name is None:
                break
            mutation = rng.choice(ANY_MUTATIONS)
            if name not in sheets and mutation is m_space and rng.random() < 0.5:
                name = rng.choice(sheets or [name])
            mutation(rng, parts, name)
        xml = [name for name in xml if name in parts]
    return _zipped(parts, zipfile.ZIP_STORED if rng.random() < 0.3 else zipfile.ZIP_DEFLATED)


def _zipped(parts: dict[str, bytes], method: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as target:
        for name, content in parts.items():
            target.writestr(zipfile.ZipInfo(name, (2026, 1, 15, 8, 0, 0)), content, method)
    return out.getvalue()


def seed_of(seed: int, index: int, count: int) -> int:
    """Which seed workbook case ``index`` mutates (as :func:`case` picks it)."""
    return random.Random(seed * 1_000_003 + index).choice(range(count))


def case(seed: int, index: int, corpus: list[bytes]) -> bytes:
    rng = random.Random(seed * 1_000_003 + index)
    return mutate(rng, rng.choice(corpus))


# Running a case --------------------------------------------------------------------------------


def run_case(data: bytes, slow_ms: float) -> dict:
    """Both readings of one file (in this process): the outcome, whether the fast path was taken, findings."""
    from server.errors import WorkbookUnreadable
    from server.xlsx import fast
    from server.xlsx.archive import check_parts
    from server.xlsx.limits import Limits
    from server.xlsx.load import load_grids
    from server.xlsx.load import load_with_openpyxl

    limits = Limits()

    def typed(grids):
        return [(g.name, g.hidden, [[(type(v).__name__, repr(v)) for v in row] for row in g.rows]) for g in grids]

    def outcome(read):
        try:
            return typed(read())
        except WorkbookUnreadable as error:
            return ("refused", error.message)
        except Exception as error:  # a reader that raises something else is a finding
            return ("crash", f"{type(error).__name__}: {error}")

    try:
        archive, parts = check_parts(data, limits)
        archive.close()
    except WorkbookUnreadable:
        return {"stage": "archive", "fast": False, "problems": []}
    start = time.thread_time()
    try:
        grids = fast.read(data, parts.xml, limits, parts.crc)
    except BaseException as error:  # noqa: BLE001 - fast.read must never raise
        return {"stage": "read", "fast": False, "problems": [f"fast.read raised {type(error).__name__}: {error}"]}
    spent = (time.thread_time() - start) * 1000
    problems = []
    if spent > slow_ms and len(data) < 1024 * 1024:
        start = time.thread_time()  # once more, caches warm
        fast.read(data, parts.xml, limits, parts.crc)
        again = (time.thread_time() - start) * 1000
        if again > slow_ms:
            problems.append(f"fast.read took {spent:.0f} ms then {again:.0f} ms CPU")
    expected = outcome(lambda: load_with_openpyxl(data, limits))
    if isinstance(expected, tuple) and expected[0] == "crash":
        problems.append(f"openpyxl path raised {expected[1]}")
    why = None
    if grids is None:
        why = fast.why_not(data, parts.xml, limits)
        if why is None:
            why = "read gave None but why_not none (unforeseen error swallowed?)"
            problems.append(why)
        elif why.startswith("unforeseen"):
            problems.append(f"fast path raised: {why}")
    else:
        got = typed(grids)
        if got != expected:
            problems.append(f"fast path disagrees: fast {_diff(got, expected)}")
    whole = outcome(lambda: load_grids(data, limits))
    if whole != expected and not (grids is not None and whole == typed(grids)):
        problems.append(f"load_grids gives {str(whole)[:200]} where openpyxl gives {str(expected)[:200]}")
    return {"stage": "read", "fast": grids is not None, "why": why, "ms": spent, "problems": problems}


def _diff(got, expected) -> str:
    if isinstance(expected, tuple):
        return f"grids where openpyxl refuses: {expected[1][:120]}"
    if len(got) != len(expected):
        return f"{len(got)} sheets vs {len(expected)}"
    for a, b in zip(got, expected, strict=True):
        if a[:2] != b[:2]:
            return f"sheet {a[:2]} vs {b[:2]}"
        for number, (ra, rb) in enumerate(zip(a[2], b[2], strict=False), start=1):
            if ra != rb:
                return f"{a[0]} row {number}: {ra[:8]} vs {rb[:8]}"
        if len(a[2]) != len(b[2]):
            return f"{a[0]}: {len(a[2])} rows vs {len(b[2])}"
    return "?"


def _child(connection, seed: int, slow_ms: float) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    for path in (str(ROOT), str(ROOT / "tests")):
        if path not in sys.path:
            sys.path.insert(0, path)
    corpus = seeds()
    connection.send(("ready", len(corpus)))
    while True:
        index = connection.recv()
        if index is None:
            return
        try:
            result = run_case(case(seed, index, corpus), slow_ms)
        except MemoryError:
            result = {"stage": "read", "fast": False, "problems": ["MemoryError in the child"]}
        connection.send((index, result))


class _Worker:
    def __init__(self, context, seed: int, slow_ms: float):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_child, args=(child, seed, slow_ms), daemon=True)
        self.process.start()
        child.close()
        self.seeds = self.connection.recv()[1]  # ready
        self.index: int | None = None
        self.since = 0.0

    def give(self, index: int) -> None:
        self.index, self.since = index, time.monotonic()
        self.connection.send(index)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def fuzz(cases: int, seed: int, workers: int = 2, slow_ms: float = 50.0, timeout: float = 60.0, start: int = 0):
    """Run the cases; returns (summary, findings) — findings as (index, problems)."""
    context = multiprocessing.get_context("spawn")
    pool = [_Worker(context, seed, slow_ms) for _ in range(max(1, workers))]
    todo = list(range(start, start + cases))[::-1]
    findings: list[tuple[int, list[str]]] = []
    counts = {"cases": 0, "refused_by_archive": 0, "read": 0, "fast": 0}
    reasons: dict[str, int] = {}
    by_seed: dict[int, list[int]] = {}
    seed_count = pool[0].seeds
    try:
        for worker in pool:
            if todo:
                worker.give(todo.pop())
        while any(worker.index is not None for worker in pool):
            busy = [worker for worker in pool if worker.index is not None]
            ready = wait([worker.connection for worker in busy] + [worker.process.sentinel for worker in busy], 1.0)
            for number, worker in enumerate(pool):
                if worker.index is None:
                    continue
                died = worker.process.sentinel in ready and not worker.connection.poll()
                hung = time.monotonic() - worker.since > timeout
                if worker.connection in ready or worker.connection.poll():
                    try:
                        index, result = worker.connection.recv()
                    except EOFError:
                        died, result = True, None
                    if result is not None:
                        counts["cases"] += 1
                        if result["stage"] == "archive":
                            counts["refused_by_archive"] += 1
                        else:
                            counts["read"] += 1
                            counts["fast"] += result["fast"]
                            origin = by_seed.setdefault(seed_of(seed, index, seed_count), [0, 0])
                            origin[0] += 1
                            origin[1] += result["fast"]
                            if result.get("why"):
                                reason = re.sub(r"[\d'\"].*", "", result["why"].split(": ", 1)[-1])[:50]
                                reasons[reason] = reasons.get(reason, 0) + 1
                        if result["problems"]:
                            findings.append((index, result["problems"]))
                        worker.index = None
                if died or hung:
                    findings.append((worker.index, ["child died" if died else f"child hung > {timeout:.0f} s"]))
                    counts["cases"] += 1
                    worker.stop()
                    pool[number] = worker = _Worker(context, seed, slow_ms)
                if worker.index is None and todo:
                    worker.give(todo.pop())
    finally:
        for worker in pool:
            try:
                worker.connection.send(None)
            except (BrokenPipeError, OSError):
                pass
            worker.process.join(5)
            worker.stop()
    counts["reasons"] = dict(sorted(reasons.items(), key=lambda item: -item[1]))
    counts["by_seed"] = {number: tuple(by_seed[number]) for number in sorted(by_seed)}
    return counts, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="index of the first case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow-ms", type=float, default=50.0, help="CPU time of fast.read that is a finding")
    parser.add_argument("--show", type=int, help="write case INDEX's .xlsx to standard output and stop")
    parser.add_argument("--json", action="store_true", help="print the summary and findings as JSON")
    args = parser.parse_args(argv)
    if args.show is not None:
        sys.stdout.buffer.write(case(args.seed, args.show, seeds()))
        return 0
    began = time.monotonic()
    counts, findings = fuzz(args.cases, args.seed, args.workers, args.slow_ms, start=args.start)
    counts["seconds"] = round(time.monotonic() - began, 1)
    if args.json:
        print(json.dumps({"summary": counts, "findings": findings}, ensure_ascii=False, indent=1))
    else:
        read = max(counts["read"], 1)
        print(
            f"{counts['cases']} cases (seed {args.seed}) in {counts['seconds']} s: {counts['refused_by_archive']} "
            f"refused by the archive check, {counts['read']} read, {counts['fast']} by the fast path "
            f"({100 * counts['fast'] / read:.1f} %)"
        )
        print(
            "  by seed workbook (read, by the fast path): "
            + ", ".join(f"{number}: {read}/{taken}" for number, (read, taken) in counts["by_seed"].items())
        )
        for reason, count in list(counts["reasons"].items())[:25]:
            print(f"  {count:6d}  openpyxl: {reason}")
        for index, problems in findings:
            print(f"FINDING case {index}: " + " | ".join(problems))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
