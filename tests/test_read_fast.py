"""Issue 11 target 2: python-calamine reads exactly what the guarded openpyxl reader reads.

Every workbook the suite can make is read both ways — the fast path
(:mod:`server.xlsx.fast`) and the openpyxl path (:func:`server.xlsx.load.load_with_openpyxl`) —
and the grids must be identical: sheet names and order, hidden flags, every
value with its Python type (5 is not 5.0). Files the fast path leaves to
openpyxl must be refused with the same message by :func:`load_grids`. Files
of the forms Excel, WPS, openpyxl and the template writer produce must take
the fast path (the test fails if it silently never runs), and files calamine
must never see (a cell at XFD1048576 …) are read in a child process.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from district_data import workbook
from hostile_files import corpus
from hostile_files import good

from server.errors import WorkbookUnreadable
from server.forms import FORMS
from server.forms import get_form
from server.xlsx import fast
from server.xlsx.archive import check_parts
from server.xlsx.limits import Limits
from server.xlsx.load import load_grids
from server.xlsx.load import load_with_openpyxl
from server.xlsx.template import make_workbook

ROOT = Path(__file__).resolve().parent.parent
LIMITS = Limits()


def typed(grids) -> list:
    """Grids with each value's type: ``5 == 5.0`` and ``True == 1`` in Python, not for the checks."""
    return [(grid.name, grid.hidden, [[(type(value), value) for value in row] for row in grid.rows]) for grid in grids]


def outcome(read, data: bytes):
    try:
        return typed(read(data))
    except WorkbookUnreadable as error:
        return ("refused", error.message)


def slow(data: bytes):
    """The openpyxl path alone, after the same check of the file."""
    check_parts(data, LIMITS)[0].close()
    return load_with_openpyxl(data, LIMITS)


def fast_grids(data: bytes):
    """The fast path's grids, or None with the reason it leaves the file to openpyxl."""
    parts = check_parts(data, LIMITS)[1].xml
    return fast.read(data, parts, LIMITS), fast.why_not(data, parts, LIMITS)


def assert_same(data: bytes, *, fast_expected: bool | None = None) -> None:
    """Both paths give the same grids (or load_grids the same refusal); the fast path taken if expected."""
    expected = outcome(slow, data)
    assert outcome(load_grids, data) == expected
    try:
        grids, why = fast_grids(data)
    except WorkbookUnreadable:
        assert expected[0] == "refused"
        return
    assert not (why or "").startswith("unforeseen"), why  # an exception the fast path did not foresee
    if grids is not None:
        assert typed(grids) == expected
    if fast_expected is not None:
        assert (grids is not None) == fast_expected, why


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Workbooks the project writes ------------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(FORMS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_template_workbooks_are_read_alike_and_fast(version, seed):
    form = get_form(version)
    book = make_workbook(version, consistent_values(form, seed=seed), header_for(form))
    assert_same(saved(book), fast_expected=True)


def test_the_empty_template_is_read_alike_and_fast():
    assert_same(saved(make_workbook("2021")), fast_expected=True)


@pytest.mark.parametrize(
    "value",
    [0, 7, -3, 2.5, 0.1, 5.0, 1e20, 12345678901234567890, "12", " 12 ", "", "37个", "—", True, False],
    ids=repr,
)
def test_a_typed_value_is_read_alike(value):
    """What a clerk can type into a cell, saved by openpyxl (numbers, text, spaces, booleans …)."""
    data = workbook("甲街道办事处", **{"t2.open.c_natural": value})
    assert_same(data)


def test_dates_and_times_saved_by_openpyxl_are_read_alike():
    form = get_form("2021")
    header = header_for(form, date=dt.datetime(2026, 1, 15))
    book = make_workbook("2021", consistent_values(form, seed=3), header)
    sheet = book.worksheets[0]
    sheet["F1"], sheet["F2"], sheet["F3"] = dt.date(2025, 12, 31), dt.time(8, 30), dt.timedelta(hours=30)
    sheet["F4"] = dt.datetime(1900, 1, 1, 12)
    assert_same(saved(book))


def test_a_workbook_with_hidden_sheets_is_read_alike_and_fast():
    book = make_workbook("2021", consistent_values(get_form("2021"), seed=4))
    book.create_sheet("隐藏").sheet_state = "hidden"
    book.create_sheet("深藏").sheet_state = "veryHidden"
    book["隐藏"]["A1"] = "x"
    grids, _ = fast_grids(saved(book))
    assert grids is not None and [grid.hidden for grid in grids][-2:] == [True, True]
    assert_same(saved(book), fast_expected=True)


@pytest.mark.parametrize("year", [2019, 2024, 2025])
def test_district_workbooks_are_read_alike_and_fast(year):
    assert_same(workbook("乙镇人民政府", year=year, seed=year), fast_expected=True)


def test_the_excel_simulators_saved_copy_is_read_alike_and_fast():
    from tools.excel_sim import _saved_copy

    book = openpyxl.load_workbook(io.BytesIO(workbook("甲街道办事处")))
    assert_same(_saved_copy(book), fast_expected=True)


@pytest.mark.parametrize("name", sorted(corpus()))
def test_the_hostile_corpus_is_read_or_refused_alike(name):
    assert_same(corpus()[name])


# Handmade XML: what Excel, WPS and the .NET SDK write, and what calamine reads otherwise ------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.00_);[Red]\\(0.00\\)"/><numFmt numFmtId="167" formatCode="0*d"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
"""Styles: 0 General, 1 date, 2 date and time, 3 time, 4 a Chinese date, 5 a duration, 6 a number,
7 a date for openpyxl only (calamine reads ``*d`` as a fill character, openpyxl as a day)."""


def handmade(
    sheets: list[str] | str,
    *,
    strings: list[str] | None = None,
    states: list[str] | None = None,
    names: list[str] | None = None,
    workbook_pr: str = "<workbookPr/>",
    prefix: str = "",
    tail: str = "",
) -> bytes:
    """An .xlsx of the given sheetData contents, shared strings (raw ``<si>`` XML) and sheet states.

    With ``prefix`` ("x") every part of the workbook is written with that namespace prefix, as the .NET SDK does."""
    sheets = [sheets] if isinstance(sheets, str) else sheets
    names = names or [f"表{index + 1}" for index in range(len(sheets))]
    states = states or ["visible"] * len(sheets)
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{index + 1}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for index in range(len(sheets))
        )
        + (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if strings is not None
            else ""
        )
        + "</Types>"
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<{p}workbook {ns} xmlns:r="{REL}">'
        + workbook_pr.replace("<", f"<{p}")
        + f"<{p}sheets>"
        + "".join(
            f'<{p}sheet name="{name}" sheetId="{index + 1}" state="{state}" r:id="rId{index + 1}"/>'
            for index, (name, state) in enumerate(zip(names, states, strict=True))
        )
        + f"</{p}sheets></{p}workbook>"
    )
    book_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{index + 1}" Type="{REL}/worksheet" Target="worksheets/sheet{index + 1}.xml"/>'
            for index in range(len(sheets))
        )
        + f'<Relationship Id="rId90" Type="{REL}/styles" Target="styles.xml"/>'
        + (f'<Relationship Id="rId91" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if strings else "")
        + "</Relationships>"
    )
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": rels,
        "xl/workbook.xml": book,
        "xl/_rels/workbook.xml.rels": book_rels,
        "xl/styles.xml": STYLES,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = (
            f'<{p}sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
            + re.sub(r"<(/?)(?=[a-z])", rf"<\1{p}", "".join(strings))
            + f"</{p}sst>"
        )
    for index, body in enumerate(sheets):
        if prefix:
            body = re.sub(r"<(/?)(?=[a-z])", rf"<\1{p}", body)
        parts[f"xl/worksheets/sheet{index + 1}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}worksheet {ns}>'
            f'<{p}dimension ref="A1"/><{p}sheetData>{body}</{p}sheetData>{tail}</{p}worksheet>'
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def row(number: int, *cells: str, attrs: str = "") -> str:
    return f'<row r="{number}"{attrs}>' + "".join(cells) + "</row>"


PLAIN = {
    "numbers": row(1, '<c r="A1"><v>5</v></c>', '<c r="B1" t="n"><v>-2</v></c>', '<c r="C1" s="6"><v>46.3</v></c>')
    + row(3, '<c r="B3" s="6"><v>0.1</v></c>', '<c r="D3"><v>123456789012345</v></c>'),
    "inline": row(
        1,
        '<c r="A1" t="inlineStr"><is><t>填报单位</t></is></c>',
        '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> 甲 街道 </t></is></c>',
        '<c r="C1" t="inlineStr"><is><t>&#25919;&#24220;&amp;&lt;x&gt;</t></is></c>',
    ),
    "shared": row(1, '<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>', '<c r="C1" t="s"><v>2</v></c>'),
    "styled_blanks": row(1, '<c r="A1" s="1"/>', '<c r="B1" s="6"></c>', '<c r="C1"><v>1</v></c>')
    + row(2, '<c r="A2" s="1"/>', attrs=' spans="1:3" ht="20" customHeight="1"'),
    "formula_cached": row(
        1,
        '<c r="A1"><v>1</v></c>',
        '<c r="B1"><f>A1+1</f><v>2</v></c>',
        '<c r="C1" t="str"><f>IF(A1&gt;0,"是","否")</f><v>是</v></c>',
        '<c r="D1"><f t="shared" ref="D1:D2" si="0">A1*2</f><v>2</v></c>',
    )
    + row(2, '<c r="D2"><f t="shared" si="0"/><v>4</v></c>'),
    "empty_rows_and_gaps": row(2, '<c r="C2"><v>1</v></c>')
    + row(5, '<c r="A5" s="1"/>')
    + row(9, '<c r="E9"><v>2</v></c>'),
    "no_cells": "",
}
SHARED = [
    "<si><t>填报单位</t></si>",
    '<si><r><rPr><b/><sz val="11"/></rPr><t>加粗</t></r><r><t>普通</t></r></si>',
    "<si><t>#N/A</t></si>",
]
ODD = {
    "whole_decimal": row(1, '<c r="A1"><v>5.0</v></c>', '<c r="B1"><v>1E3</v></c>'),
    "big_int": row(1, '<c r="A1"><v>12345678901234567890</v></c>'),
    "spaced_number": row(1, '<c r="A1"><v> 5</v></c>'),
    "dates": row(
        1,
        '<c r="A1" s="1"><v>46036</v></c>',
        '<c r="B1" s="2"><v>46036.5</v></c>',
        '<c r="C1" s="3"><v>0.354166666666667</v></c>',
        '<c r="D1" s="4"><v>45000</v></c>',
        '<c r="E1" s="5"><v>1.25</v></c>',
        '<c r="F1" s="1"><v>59</v></c>',
        '<c r="G1" s="1"><v>3000000</v></c>',
    ),
    "booleans_and_errors": row(
        1,
        '<c r="A1" t="b"><v>1</v></c>',
        '<c r="B1" t="b"><v>0</v></c>',
        '<c r="C1" t="e"><v>#N/A</v></c>',
        '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    ),
    "empty_strings": row(
        1,
        '<c r="A1" t="inlineStr"><is><t></t></is></c>',
        '<c r="B1" t="inlineStr"><is><t/></is></c>',
        '<c r="C1" t="str"><f>""</f><v></v></c>',
        '<c r="D1" t="inlineStr"></c>',
        '<c r="E1" t="s"><v>0</v></c>',
    ),
    "edge_spaces": row(
        1, '<c r="A1" t="inlineStr"><is><t> 甲 </t></is></c>', '<c r="B1" t="inlineStr"><is><t>&#32;乙</t></is></c>'
    ),
    "escapes": row(1, '<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>'),
    "rich_inline": row(1, '<c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>加</t></r><r><t>粗</t></r></is></c>'),
    "formula_without_value": row(1, '<c r="A1"><f>1+2</f></c>'),
    "iso_date": row(1, '<c r="A1" t="d"><v>2025-01-15</v></c>'),
    "rows_out_of_order": row(3, '<c r="A3"><v>3</v></c>') + row(2, '<c r="A2"><v>2</v></c>'),
    "duplicate_cell": row(1, '<c r="A1"><v>1</v></c>', '<c r="A1" s="6"/>'),
    "duplicate_cell_with_values": row(1, '<c r="A1"><v>1</v></c>', '<c r="A1"><v>2</v></c>'),
    "date_for_openpyxl_only": row(1, '<c r="A1" s="7"><v>45000</v></c>'),
    "cell_in_another_row": row(1, '<c r="A2"><v>1</v></c>'),
    "columns_out_of_order": row(1, '<c r="C1"><v>3</v></c>', '<c r="A1"><v>1</v></c>'),
    "cell_without_reference": row(1, "<c><v>1</v></c>", "<c><v>2</v></c>"),
    "pretty_printed": '\n  <row r="1">\n    <c r="A1"><v>1</v></c>\n  </row>\n',
    "beyond_columns": row(1, '<c r="A1"><v>1</v></c>', '<c r="CW1"><v>2</v></c>'),
    "beyond_rows": row(1, '<c r="A1"><v>1</v></c>') + row(1001, '<c r="A1001"><v>2</v></c>'),
    "control_character": row(1, '<c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c>'),
    "noncharacter": row(1, '<c r="A1" t="inlineStr"><is><t>a&#65535;b</t></is></c>'),
    "undefined_entity": row(1, '<c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c>'),
    "carriage_return": row(1, '<c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c>'),
    "text_in_a_number": row(1, '<c r="A1"><v>abc</v></c>'),
    "unknown_type": row(1, '<c r="A1" t="x"><v>1</v></c>'),
    "inline_with_value": row(1, '<c r="A1" t="inlineStr"><v>1</v></c>'),
    "string_in_a_number_cell": row(1, '<c r="A1" t="n"><is><t>x</t></is></c>'),
    "undeclared_attribute_prefix": row(1, '<c r="A1"><v>1</v></c>', attrs=' x14ac:dyDescent="0.25"'),
    "cell_attribute_order": row(1, '<c t="n" r="A1" s="6"><v>1</v></c>'),
}


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize("prefix", ["", "x"])
def test_handmade_plain_sheets_are_read_alike_and_fast(name, prefix):
    assert_same(handmade(PLAIN[name], strings=SHARED, prefix=prefix), fast_expected=True)


@pytest.mark.parametrize("name", sorted(ODD))
def test_handmade_odd_sheets_are_read_or_refused_alike(name):
    assert_same(handmade(ODD[name], strings=SHARED))


def test_a_date_format_in_the_first_cell_style_is_read_alike():
    """Found by tools/fuzz_reader.py: a cell without ``s`` has style 0, a date when style 0 has a date format."""
    for number in ("14", "164", "165"):
        data = _replace_part(
            handmade(PLAIN["numbers"]),
            "xl/styles.xml",
            lambda text, number=number: text.replace(
                '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
                f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            ),
        )
        assert_same(data)
        grids, why = fast_grids(data)
        assert grids is None or isinstance(grids[0].rows[0][0], (dt.datetime, dt.timedelta)), why


def test_dates_of_the_1904_epoch_are_read_alike():
    for flag in ("1", "true", "0", "false"):
        assert_same(handmade(ODD["dates"], workbook_pr=f'<workbookPr date1904="{flag}"/>'))


@pytest.mark.parametrize("prefix", ["", "x"])
def test_odd_shared_strings_are_read_alike(prefix):
    for strings in (
        ["<si><t></t></si>"],
        ["<si><t/></si>"],
        ["<si><t> 前后空格 </t></si>"],
        ['<si><t xml:space="preserve"> 前后空格 </t></si>'],
        ["<si><t>a_x000D_b</t></si>"],
        ['<si><r><t>漢</t></r><rPh sb="0" eb="1"><t>かん</t></rPh></si>'],
    ):
        assert_same(handmade(row(1, '<c r="A1" t="s"><v>0</v></c>'), strings=strings, prefix=prefix))


def test_sheet_states_order_and_merged_cells_are_read_alike_and_fast():
    merged = row(1, '<c r="A1" t="inlineStr"><is><t>合并</t></is></c>', '<c r="B1" s="1"/>', '<c r="C1" s="1"/>')
    data = handmade(
        [merged, PLAIN["numbers"], PLAIN["inline"]],
        states=["veryHidden", "visible", "hidden"],
        names=["乙", "甲", "丙"],
        tail='<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>',
    )
    grids, why = fast_grids(data)
    assert grids is not None, why
    assert [(grid.name, grid.hidden) for grid in grids] == [("乙", True), ("甲", False), ("丙", True)]
    assert grids[0].rows == [["合并"]]
    assert_same(data, fast_expected=True)


def test_what_excel_writes_around_the_cells_keeps_the_fast_path():
    """Page breaks, declared x14ac row attributes, merged cells, margins: the plain form still."""
    body = row(1, '<c r="A1"><v>1</v></c>', attrs=' spans="1:1" x14ac:dyDescent="0.25"')
    tail = (
        '<mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<rowBreaks count="1" manualBreakCount="1"><brk id="1" max="16383" man="1"/></rowBreaks>'
    )
    data = _replace_part(
        handmade(body, tail=tail),
        "xl/worksheets/sheet1.xml",
        lambda text: text.replace(
            "<worksheet ",
            '<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" ',
        ),
    )
    assert_same(data, fast_expected=True)


def test_a_part_openpyxl_refuses_as_not_well_formed_is_refused_alike():
    """An element with a prefix nobody declared: not well formed for openpyxl's namespace-aware parser."""
    for name in ("docProps/core.xml", "xl/workbook.xml"):
        data = handmade(PLAIN["numbers"])
        if name == "xl/workbook.xml":
            data = _replace_part(data, name, lambda text: text.replace("<workbookPr/>", "<workbookPr/><y:extra/>"))
        else:
            data = _add_part(data, name, "<y:coreProperties/>")
        assert_same(data, fast_expected=False)


def _add_part(data: bytes, name: str, content: str) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


def test_the_fast_path_reads_numbers_as_openpyxl_does():
    """The mapping the differential tests rely on, spelt out once."""
    grids, why = fast_grids(handmade(PLAIN["numbers"] + row(4, '<c r="A4" t="inlineStr"><is><t>文字</t></is></c>')))
    assert grids is not None, why
    assert typed(grids)[0][2] == [
        [(int, 5), (int, -2), (float, 46.3)],
        [],
        [(type(None), None), (float, 0.1), (type(None), None), (int, 123456789012345)],
        [(str, "文字")],
    ]


# Files calamine must never see -----------------------------------------------------------------

CHILD = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
import python_calamine
from server.xlsx import fast

def refuse(*args, **kwargs):
    raise SystemExit("calamine was given this file")

python_calamine.CalamineWorkbook.from_filelike = refuse
from server.xlsx.load import load_grids
grids = load_grids(open(sys.argv[1], "rb").read())
print(len(grids), grids[0].height, grids[0].width)
"""


@pytest.mark.parametrize(
    ("name", "body", "tail", "strings"),
    [
        ("xfd", row(1, '<c r="A1"><v>1</v></c>') + row(1048576, '<c r="XFD1048576"><v>2</v></c>'), "", None),
        ("xfd_one_row", row(1, '<c r="A1"><v>1</v></c>', '<c r="XFD1"><v>2</v></c>'), "", None),
        ("unique_count", row(1, '<c r="A1" t="s"><v>0</v></c>'), "", "huge"),
    ],
)
def test_files_that_would_make_calamine_allocate_are_read_by_openpyxl(tmp_path, name, body, tail, strings):
    data = handmade(body, strings=["<si><t>x</t></si>"] if strings else None)
    if strings == "huge":
        data = _replace_part(
            data, "xl/sharedStrings.xml", lambda text: text.replace('uniqueCount="1"', 'uniqueCount="999999999999"')
        )
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), tests=str(ROOT / "tests")), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split()[0] == "1"


def test_a_huge_dimension_is_read_alike(tmp_path):
    data = _replace_part(
        handmade(PLAIN["numbers"]),
        "xl/worksheets/sheet1.xml",
        lambda text: text.replace('ref="A1"', 'ref="A1:XFD1048576"'),
    )
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(data)
    script = (
        f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]\n"
        "from test_read_fast import assert_same\n"
        f"assert_same(open({str(path)!r}, 'rb').read(), fast_expected=True)\n"
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr


def _replace_part(data: bytes, name: str, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == name:
                content = edit(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def test_the_good_workbook_of_the_hostile_corpus_takes_the_fast_path():
    assert_same(good(), fast_expected=True)


# Found by differential fuzzing (tools/fuzz_reader.py) ---------------------------------------------

_X_SHEET = "xl/worksheets/sheet1.xml"
FUZZ_FOUND = {
    "unprefixed_cell_in_a_prefixed_sheet": (
        dict(prefix="x", strings=SHARED),
        _X_SHEET,
        '<x:c r="A1" t="s"><x:v>0</x:v></x:c>',
        '<c r="A1" t="s"><v>0</v></c>',
    ),
    "unprefixed_formula_in_a_prefixed_sheet": (
        dict(prefix="x"),
        _X_SHEET,
        '<x:c r="A1"><x:v>5</x:v></x:c>',
        '<x:c r="A1"><f>1+2</f><v>3</v></x:c>',
    ),
    "default_namespace_declared_again": (dict(), _X_SHEET, '<row r="1">', '<row r="1" xmlns="urn:other">'),
    "prefix_declared_again": (
        dict(prefix="x"),
        _X_SHEET,
        '<x:row r="1">',
        '<x:row r="1" xmlns:x="urn:other">',
    ),
    "two_texts_in_a_shared_string": (
        dict(strings=SHARED),
        "xl/sharedStrings.xml",
        "<si><t>#N/A</t></si>",
        "<si><t>1</t><t>2</t></si>",
    ),
    "text_after_runs_in_a_shared_string": (
        dict(strings=SHARED),
        "xl/sharedStrings.xml",
        "<si><t>#N/A</t></si>",
        "<si><r><t>1</t></r><t>2</t></si>",
    ),
    "shared_string_index_beyond_the_items": (
        dict(strings=SHARED),
        _X_SHEET,
        '<c r="A1" t="s"><v>0</v></c>',
        '<c r="A1" t="s"><v>1111111111111111111111111111111111111111</v></c><c r="B1" t="b"><v>1</v></c>',
    ),
    "style_number_with_a_leading_zero": (dict(), _X_SHEET, '<c r="A1"><v>5</v></c>', '<c r="A1" s="01"><v>5</v></c>'),
    "foreign_element_among_relationships": (
        dict(),
        "xl/_rels/workbook.xml.rels",
        "</Relationships>",
        "<row/></Relationships>",
    ),
    "foreign_element_among_sheets": (dict(), "xl/workbook.xml", "</sheets>", "<v>9</v></sheets>"),
    "sheet_element_of_another_name": (dict(), "xl/workbook.xml", '<sheet name="表1"', '<shCet name="表1"'),
    "empty_row_before_sheet_data": (dict(), _X_SHEET, '<dimension ref="A1"/>', '<row/><dimension ref="A1"/>'),
    "encoding_utf8_with_chinese_text": (dict(), _X_SHEET, 'encoding="UTF-8"', 'encoding="utf8"'),
    "foreign_element_among_styles": (
        dict(),
        "xl/styles.xml",
        "</cellXfs>",
        '</cellXfs><colors><indexedColors><rgbColor rgb="00000000"/><x/></indexedColors></colors>',
    ),
}


@pytest.mark.parametrize("name", sorted(FUZZ_FOUND))
def test_files_found_by_fuzzing_are_read_alike(name):
    options, part, old, new = FUZZ_FOUND[name]
    body = PLAIN["numbers"] if "shared" not in name and "unprefixed_cell" not in name else PLAIN["shared"]
    body = PLAIN["inline"] if "chinese" in name else body
    data = handmade(body, **options)
    assert old in zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    assert_same(_replace_part(data, part, lambda text: text.replace(old, new, 1)))


def test_workbook_wide_parts_openpyxl_reads_keep_the_fast_path():
    """Print areas, a defined name of a sheet not there, properties: openpyxl reads them, the fast path too."""
    names = (
        '</sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">表1!$A$1:$B$2</definedName>'
        '<definedName name="_xlnm.Print_Area" localSheetId="9">A1:B2</definedName></definedNames>'
    )
    data = _replace_part(handmade(PLAIN["numbers"]), "xl/workbook.xml", lambda text: text.replace("</sheets>", names))
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>张三</dc:creator></cp:coreProperties>'
    )
    assert_same(_add_part(data, "docProps/core.xml", core), fast_expected=True)


def test_shared_strings_declared_but_not_there_are_refused_alike():
    data = handmade(PLAIN["numbers"], strings=SHARED)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                target.writestr(info.filename, source.read(info))
    assert_same(out.getvalue())
    assert outcome(slow, out.getvalue())[0] == "refused"


def test_xml_parts_larger_than_a_report_workbooks_are_left_to_openpyxl():
    """Found by fuzzing: the checks cost ~30 ms per MB of a hostile part; beyond 1 MB of XML openpyxl reads."""
    formula = row(1, '<c r="A1"><f>' + "A1+" * 200_000 + "1</f><v>1</v></c>")
    assert_same(handmade(formula), fast_expected=True)
    assert_same(handmade([formula, formula]), fast_expected=False)


def test_core_properties_openpyxl_refuses_are_read_alike():
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:created>not a date</dcterms:created></cp:coreProperties>'
    )
    assert_same(_add_part(handmade(PLAIN["numbers"]), "docProps/core.xml", core))
