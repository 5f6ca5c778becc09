"""The template workbook: faithful to the layout, protected, validated, reproducible, opens in LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from libreoffice import to_pdf
from openpyxl.utils.cell import absolute_coordinate

from server.forms import FORMS
from server.workbook.layout import DERIVED
from server.workbook.layout import HEADER
from server.workbook.layout import INPUT
from server.workbook.layout import META_MARKER
from server.workbook.layout import META_SHEET
from server.workbook.layout import VOID
from server.workbook.layout import layout_for
from server.xlsx.template import build_template
from server.xlsx.template import make_workbook
from server.xlsx.template import page_plan
from server.xlsx.template import write_template

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = sorted(FORMS)


def _bytes(version: str) -> bytes:
    out = io.BytesIO()
    write_template(version, out)
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    """Every part of the .xlsx zip except the one holding timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


@pytest.fixture(scope="module", params=VERSIONS)
def template(request):
    """(version, workbook reloaded from the written bytes)."""
    return request.param, openpyxl.load_workbook(io.BytesIO(_bytes(request.param)))


def test_every_region_is_written_and_merged_as_laid_out(template):
    version, book = template
    for sheet_layout in layout_for(version).sheets:
        sheet = book[sheet_layout.name]
        merged = {str(r) for r in sheet.merged_cells.ranges}
        for region in sheet_layout.regions:
            assert sheet.cell(region.row, region.col).value == (region.text or None), region
            if region.rows > 1 or region.cols > 1:
                assert region.ref in merged, region


def test_input_cells_unlocked_totals_and_labels_locked(template):
    version, book = template
    for sheet_layout in layout_for(version).sheets:
        sheet = book[sheet_layout.name]
        for slot in sheet_layout.slots:
            locked = sheet.cell(slot.row, slot.col).protection.locked
            assert locked is (slot.kind in (DERIVED, VOID)), slot
        for region in sheet_layout.regions:
            assert sheet.cell(region.row, region.col).protection.locked


def test_every_sheet_is_protected_without_a_password_but_allows_formatting(template):
    _, book = template
    for sheet in book.worksheets:
        assert sheet.protection.sheet
        assert not sheet.protection.password
    for sheet in book.worksheets[:-1]:
        assert sheet.protection.formatCells is False


def _validations(sheet):
    out = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for col in range(cell_range.min_col, cell_range.max_col + 1):
                    assert (row, col) not in out, "a cell has two validations"
                    out[(row, col)] = validation
    return out


def test_input_cells_carry_a_validation_of_their_domain(template):
    version, book = template
    expected = {"count": ("whole", "0"), "signed": ("whole", "-999999999"), "amount": ("decimal", "0")}
    for sheet_layout in layout_for(version).sheets:
        validations = _validations(book[sheet_layout.name])
        for slot in sheet_layout.slots:
            found = validations.get((slot.row, slot.col))
            if slot.kind == INPUT:
                assert (found.type, found.formula1) == expected[slot.domain.value], slot
                assert found.prompt and "单位" in found.prompt and found.error
            elif slot.kind == DERIVED:
                assert "自动计算" in found.prompt
            elif slot.kind == VOID:
                assert found is None


def test_print_setup_a4_one_page_wide(template):
    version, book = template
    for sheet_layout in layout_for(version).sheets:
        sheet = book[sheet_layout.name]
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        landscape, tall, _ = page_plan(sheet_layout)
        assert sheet.page_setup.orientation == ("landscape" if landscape else "portrait")
        assert int(sheet.page_setup.fitToHeight) == tall
        if tall == 0:  # continued on a second page: the table's header is printed again
            assert sheet.print_title_rows and sheet.print_title_rows.startswith("$1:$")
        assert sheet.print_area == f"'{sheet.title}'!{absolute_coordinate(sheet_layout.print_area)}"


def test_metadata_sheet_is_last_hidden_and_names_the_version(template):
    version, book = template
    meta = book.worksheets[-1]
    assert meta.title == META_SHEET and meta.sheet_state == "hidden"
    assert (meta["A1"].value, meta["B1"].value, meta["A2"].value) == (META_MARKER, version, "revision")
    assert meta["B2"].value >= 1
    assert book.active.title == layout_for(version).sheets[0].name


def test_make_workbook_writes_values_at_their_addresses():
    values = {"t2.new.c_natural": 3, "t1.fees.fee_amount": "46.3万元", "t3.cases.review_total": None}
    book = make_workbook("2021", values, {"unit": "某某街道", "year": 2025}, extra={("表三 复议诉讼", "P6"): 0})
    assert book["表二 依申请公开"]["D6"].value == 3
    assert book["表一 主动公开"]["B16"].value == "46.3万元"
    assert book["表三 复议诉讼"]["E6"].value is None
    assert (book["填报信息"]["B4"].value, book["填报信息"]["B5"].value) == ("某某街道", 2025)
    assert book["表三 复议诉讼"]["P6"].value == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_building_twice_gives_the_same_file(version):
    assert _parts(_bytes(version)) == _parts(_bytes(version))


def test_committed_template_is_up_to_date():
    committed = (ROOT / "workbook_template.xlsx").read_bytes()
    assert _parts(committed) == _parts(_bytes("2021")), (
        "workbook_template.xlsx is stale: run python -m server template --format 2021 -o workbook_template.xlsx"
    )


def test_header_cells_are_unlocked_inputs():
    book = build_template("2021")
    for slot in layout_for("2021").sheets[0].slots:
        assert slot.kind == HEADER
        assert book["填报信息"].cell(slot.row, slot.col).protection.locked is False


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_libreoffice_converts_the_template_to_pdf(version, tmp_path):
    source = tmp_path / f"模板{version}.xlsx"
    write_template(version, source)
    [pdf] = to_pdf(source, folder=tmp_path)
    assert pdf.exists() and pdf.stat().st_size > 20000
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed for this test: bash scripts/system-packages.sh"
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout.decode()
    compact = "".join(text.split())
    for label in ("收到和处理政府信息公开申请情况", "予以公开", "行政复议", "填报单位"):
        assert label in compact
