"""References and entities in the XML the fast path reads, and text elements where openpyxl reads none.

openpyxl parses every sheet with expat, which refuses the whole file ("XML 格式错误")
for an undefined entity (``&nbsp;``) or a reference to a character XML 1.0 forbids
(``&#1;``, a surrogate ``&#55296;``, ``&#65534;``, beyond ``&#1114111;``) anywhere in
it: in a value openpyxl never looks at (an inline string's ``<v>``, a formula's
text, an attribute) as much as in the text it reads; so it does for such a
character written as is, for ``]]>`` and for a row attribute given twice.
calamine reads on. The fast path (:mod:`server.xlsx.fast`) must leave such a file to openpyxl, and still take
the files whose references are all valid. In shared strings a ``<t>`` inside
``<rPr>`` (or anywhere but right after ``<si>``, ``<r>`` or ``</rPr>``) is text
calamine reads and openpyxl does not. tools/fuzz_reader.py found each of these
(seed 9, cases 2785, 3175 and 9003).
"""

from __future__ import annotations

import io
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
from test_read_fast import assert_same
from test_read_fast import handmade
from test_read_fast import outcome
from test_read_fast import row
from test_read_fast import slow

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import fuzz_reader  # noqa: E402

CELL_BY_CELL = '<c r="Z1" t="b"><v>1</v></c>'
"""A boolean cell: not of the plain form, so its sheet is read cell by cell."""


def sheet(cell: str, form: str, attrs: str = "") -> str:
    """A sheet with the cell at A1, of the plain form if the cell is, or read cell by cell."""
    return row(1, cell, *([CELL_BY_CELL] if form == "cell by cell" else []), attrs=attrs) + row(
        2, '<c r="A2"><v>7</v></c>'
    )


FORMS = ["plain", "cell by cell"]

BAD_CELLS = {
    "inline string's value, control": '<c r="A1" t="inlineStr"><v>&#1;1</v></c>',
    "inline string's value, surrogate": '<c r="A1" t="inlineStr"><v>&#55296;1</v></c>',
    "inline string's value, nbsp": '<c r="A1" t="inlineStr"><v>&nbsp;</v></c>',
    "inline string's value beside its text": '<c r="A1" t="inlineStr"><v>&#12;</v><is><t>甲</t></is></c>',
    "inline text, nbsp": '<c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c>',
    "inline text, surrogate": '<c r="A1" t="inlineStr"><is><t>a&#55296;b</t></is></c>',
    "inline text, low surrogate": '<c r="A1" t="inlineStr"><is><t>a&#57343;b</t></is></c>',
    "formula text, control": '<c r="A1" t="str"><f>"&#1;"</f><v>x</v></c>',
    "formula text, surrogate": '<c r="A1" t="str"><f>"&#55296;"</f><v>x</v></c>',
    "formula text, nbsp": '<c r="A1"><f>A2&nbsp;</f><v>3</v></c>',
    "formula text, noncharacter": '<c r="A1"><f>CHAR(&#65535;)</f><v>3</v></c>',
    "formula text, beyond Unicode": '<c r="A1" t="str"><f>"&#1114112;"</f><v>x</v></c>',
    "formula text, 31": '<c r="A1" t="str"><f>"&#31;"</f><v>x</v></c>',
    "formula text, bare ampersand": '<c r="A1" t="str"><f>"a"& "b"</f><v>ab</v></c>',
    "formula text, entity in capitals": '<c r="A1" t="str"><f>"a"&AMP;"b"</f><v>ab</v></c>',
    "formula text, no semicolon": '<c r="A1" t="str"><f>"a"&amp"b"</f><v>ab</v></c>',
    "formula text, hexadecimal surrogate": '<c r="A1" t="str"><f>"&#xD800;"</f><v>x</v></c>',
    "text value, surrogate": '<c r="A1" t="str"><v>a&#56320;</v></c>',
    "text value, 11": '<c r="A1" t="str"><v>a&#11;b</v></c>',
    "attribute": '<c r="A1" s="0" foo="&nbsp;"><v>1</v></c>',
    "attribute, control": '<c r="A1" s="0" foo="&#8;"><v>1</v></c>',
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", sorted(BAD_CELLS))
def test_a_reference_openpyxl_refuses_leaves_the_file_to_openpyxl(name, form):
    data = handmade(sheet(BAD_CELLS[name], form), strings=["<si><t>x</t></si>"])
    assert outcome(slow, data)[0] == "refused"
    assert_same(data, fast_expected=False)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("reference", ["&#1;", "&nbsp;", "&#55296;"])
def test_a_reference_openpyxl_refuses_in_a_row_attribute_leaves_the_file_to_openpyxl(reference, form):
    data = handmade(sheet('<c r="A1"><v>1</v></c>', form, attrs=f' spans="{reference}"'))
    assert outcome(slow, data)[0] == "refused"
    assert_same(data, fast_expected=False)


NOT_XML_CELLS = {
    "control character in a formula": '<c r="A1" t="str"><f>"\x01"</f><v>x</v></c>',
    "control character in an inline string's value": '<c r="A1" t="inlineStr"><v>\x1f</v></c>',
    "control character in an attribute": '<c r="A1" foo="\x08"><v>1</v></c>',
    "U+FFFE in a formula": '<c r="A1" t="str"><f>"\ufffe"</f><v>x</v></c>',
    "U+FFFE in a text value": '<c r="A1" t="str"><v>a\ufffeb</v></c>',
    "U+FFFF in inline text": '<c r="A1" t="inlineStr"><is><t>a\uffffb</t></is></c>',
    "]]> in a text value": '<c r="A1" t="str"><v>a]]>b</v></c>',
    "]]> in a formula": '<c r="A1" t="str"><f>"]]>"</f><v>x</v></c>',
    "]]> in inline text": '<c r="A1" t="inlineStr"><is><t>a]]>b</t></is></c>',
}
"""What else expat refuses in a sheet, written as is (not as a reference)."""


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", sorted(NOT_XML_CELLS))
def test_a_character_openpyxl_refuses_leaves_the_file_to_openpyxl(name, form):
    data = handmade(sheet(NOT_XML_CELLS[name], form))
    assert outcome(slow, data)[0] == "refused"
    assert_same(data, fast_expected=False)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "attrs", [' spans="1:2" spans="1:2"', ' r="1"', ' ht="9" customHeight="1" ht="9"', ' a=">" a="x"']
)
def test_a_row_with_an_attribute_twice_leaves_the_file_to_openpyxl(attrs, form):
    data = handmade(sheet('<c r="A1"><v>1</v></c>', form, attrs=attrs))
    assert outcome(slow, data)[0] == "refused"
    assert_same(data, fast_expected=False)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("text", ["a]]b", "a]>b", "]", "￥５", "\uffe5\uffee"])
def test_near_misses_are_read_alike_and_fast(text, form):
    data = handmade(sheet(f'<c r="A1" t="inlineStr"><is><t>{text}</t></is></c>', form))
    assert_same(data, fast_expected=True)


GOOD_REFERENCES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#20013;",
    "&#9;",
    "&#10;",
    "&#32;",
    "&#127;",
    "&#55295;",
    "&#57344;",
    "&#65533;",
    "&#128512;",
]
"""Each read by the fast path, in the middle of a text (at its ends calamine trims the spaces: left to openpyxl)."""


def good_cells(reference: str) -> dict[str, str]:
    return {
        "inline text": f'<c r="A1" t="inlineStr"><is><t>甲{reference}乙</t></is></c>',
        "text value": f'<c r="A1" t="str"><v>甲{reference}乙</v></c>',
        "formula text": f'<c r="A1" t="str"><f>"甲{reference}乙"</f><v>甲乙</v></c>',
    }


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("where", ["inline text", "text value", "formula text"])
@pytest.mark.parametrize("reference", GOOD_REFERENCES)
def test_a_valid_reference_is_read_alike_and_fast(reference, where, form):
    data = handmade(sheet(good_cells(reference)[where], form))
    assert outcome(slow, data)[0] != "refused"
    assert_same(data, fast_expected=True)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("where", ["inline text", "text value", "formula text"])
@pytest.mark.parametrize("reference", ["&#x4E2D;", "&#x9;", "&#1114111;", "&#65536;", "&#020013;"])
def test_other_valid_references_are_read_alike(reference, where, form):
    """Hexadecimal and padded references are left to openpyxl (calamine may trim what they make); the rest read alike."""
    data = handmade(sheet(good_cells(reference)[where], form))
    assert outcome(slow, data)[0] != "refused"
    assert_same(data)


BAD_STRINGS = {
    "text in rPr (fuzz case 3175)": '<si><r><rPr><b/><t>x</t><sz val="11"/></rPr><t>y</t></r></si>',
    "text first in rPr": "<si><r><rPr><t>x</t><b/></rPr><t>y</t></r></si>",
    "empty text in rPr": "<si><r><rPr><t/></rPr><t>y</t></r></si>",
    "text in rPr after plain text": "<si><t>w</t><r><rPr><t>x</t></rPr><t>y</t></r></si>",
    "text in an unknown element": "<si><u><t>x</t></u><t>y</t></si>",
    "text after a run": "<si><r><t>x</t></r><t>y</t></si>",
    "text after text": "<si><t>x</t><t>y</t></si>",
    "text between items": "<si><t>x</t></si><t>z</t><si><t>y</t></si>",
}


@pytest.mark.parametrize("name", sorted(BAD_STRINGS))
def test_a_text_openpyxl_does_not_read_leaves_the_file_to_openpyxl(name):
    cells = row(1, '<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>', '<c r="C1" t="s"><v>2</v></c>')
    data = handmade(cells, strings=["<si><t>a</t></si>", BAD_STRINGS[name], "<si><t>b</t></si>"])
    assert_same(data, fast_expected=False)


GOOD_STRINGS = {
    "plain": "<si><t>甲</t></si>",
    "preserved": '<si><t xml:space="preserve"> 甲 </t></si>',
    "empty": "<si><t/></si>",
    "runs": '<si><r><rPr><b/><sz val="11"/><rFont val="宋体"/></rPr><t>加粗</t></r><r><t>普通</t></r></si>',
    "run without properties": "<si><r><t>甲</t></r></si>",
    "plain text and runs": '<si><t>甲</t><r><rPr><i/></rPr><t xml:space="preserve">乙 </t></r></si>',
    "references": "<si><t>a&amp;b&lt;&#20013;&#128512;</t></si>",
}


@pytest.mark.parametrize("name", sorted(GOOD_STRINGS))
def test_shared_strings_of_the_usual_forms_are_read_alike_and_fast(name):
    cells = row(1, '<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>')
    data = handmade(cells, strings=[GOOD_STRINGS[name], "<si><t>乙</t></si>"])
    assert_same(data, fast_expected=True)


@cache
def _corpus() -> list[bytes]:
    return fuzz_reader.seeds()


@pytest.mark.parametrize("index", [2785, 3175, 9003])
def test_the_cases_the_fuzzer_found_are_read_alike(index):
    """``python -m tools.fuzz_reader --cases 10000 --seed 9`` found these three."""
    result = fuzz_reader.run_case(fuzz_reader.case(9, index, _corpus()), float("inf"))
    assert result["stage"] == "read"
    assert result["problems"] == []


def test_the_fuzzers_cases_are_still_those_files():
    """The cases above mutate what they did when found (a reference openpyxl refuses, a text in rPr)."""
    corpus = _corpus()
    assert b"&#55296;1</v>" in _part(fuzz_reader.case(9, 2785, corpus))
    assert b"<rPr><b/><t>x</t>" in _part(fuzz_reader.case(9, 3175, corpus), "xl/sharedStrings.xml")
    assert b"&#1;1</v>" in _part(fuzz_reader.case(9, 9003, corpus))


def _part(data: bytes, name: str = "xl/worksheets/sheet2.xml") -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)
