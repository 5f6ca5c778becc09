"""The template prints readably on A4: 表二 landscape, no text below 9 pt, nothing clipped.

Rendered by LibreOffice (with Carlito, which has Calibri's widths, so columns are as wide as in
Excel) and measured with pdfplumber: the printed size of every character, the page shape.
"""

from __future__ import annotations

import pytest
from libreoffice import to_pdf

from server.workbook.layout import layout_for
from server.xlsx.template import page_plan
from server.xlsx.template import write_template

VERSIONS = ("2019", "2021")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_sheet_is_planned_at_nine_points_or_more(version):
    for sheet in layout_for(version).sheets:
        landscape, _, scale = page_plan(sheet)
        assert scale * 11 >= 9, sheet.name
        if sheet.table is not None and sheet.table.key == "t2":
            assert landscape, "表二 prints landscape"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """version -> pdfplumber pages of the template rendered by LibreOffice."""
    pdfplumber = pytest.importorskip("pdfplumber")
    folder = tmp_path_factory.mktemp("print")
    sources = []
    for version in VERSIONS:
        source = folder / f"t{version}.xlsx"
        write_template(version, source)
        sources.append(source)
    to_pdf(*sources, folder=folder, timeout=240)
    pages = {}
    for version in VERSIONS:
        with pdfplumber.open(folder / f"t{version}.pdf") as pdf:
            pages[version] = [
                {"width": page.width, "height": page.height, "chars": page.chars, "text": page.extract_text()}
                for page in pdf.pages
            ]
    return pages


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_no_printed_text_is_smaller_than_nine_points(printed, version):
    for number, page in enumerate(printed[version], start=1):
        sizes = [char["size"] for char in page["chars"] if char["text"].strip()]
        assert sizes and min(sizes) >= 9 - 0.05, f"page {number}: {min(sizes):.1f} pt"


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_table_two_prints_landscape(printed, version):
    pages = [page for page in printed[version] if "三、收到和处理政府信息公开申请情况" in page["text"]]
    assert pages and all(page["width"] > page["height"] for page in pages)


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_nothing_is_clipped_and_the_cover_note_wraps(printed, version):
    for page in printed[version]:
        for char in page["chars"]:
            assert 0 <= char["x0"] and char["x1"] <= page["width"] and char["bottom"] <= page["height"]
    cover = printed[version][0]
    note = [char for char in cover["chars"] if 30 < char["top"] < 140 and char["size"] < 13]
    text = "".join(char["text"] for char in note)
    assert "格式依据" in text and text.rstrip().endswith("报告")
