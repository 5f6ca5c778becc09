"""The annotated copy opens on its verdict and prints readably."""

from __future__ import annotations

import io

import openpyxl
from builders import consistent_values
from builders import header_for

from server.forms import get_form
from server.workbook import validate_grids
from server.workbook.layout import COVER_SHEET
from server.workbook.layout import RESULT_SHEET
from server.xlsx.annotate import annotate
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook


def _annotated(**changes) -> openpyxl.Workbook:
    form = get_form("2021")
    book = make_workbook("2021", {**consistent_values(form, seed=4), **changes}, header_for(form))
    data = io.BytesIO()
    book.save(data)
    reading, report = validate_grids(load_grids(data.getvalue()))
    return openpyxl.load_workbook(io.BytesIO(annotate(data.getvalue(), reading, report)))


def test_a_copy_with_mistakes_opens_on_the_results_and_their_verdict():
    book = _annotated(**{"t2.open.c_natural": 999})
    assert book.active.title == RESULT_SHEET
    assert book.active["A1"].value.startswith("校验未通过")
    assert [sheet.title for sheet in book.worksheets if sheet.sheet_view.tabSelected] == [RESULT_SHEET]


def test_a_clean_copy_opens_where_the_template_does():
    book = _annotated()
    assert book.active.title == COVER_SHEET


def test_the_results_print_landscape_one_page_wide_with_wrapped_explanations():
    sheet = _annotated(**{"t2.open.c_natural": 999})[RESULT_SHEET]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet["F4"].alignment.wrap_text
