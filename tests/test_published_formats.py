"""Web pages, Word files and PDFs: exports read back cell-exact, real-page quirks, scanned PDFs refused."""

from __future__ import annotations

import io
import json

import pytest
from libreoffice import to_pdf
from published_docs import zeros

from server.errors import DocumentUnreadable
from server.forms import get_form
from server.forms.derive import expand
from server.pipeline import validate_values
from server.published import read_published
from server.published import validate_published
from server.published.export import export_docx
from server.published.export import export_html
from server.xlsx.template import make_workbook

VERSIONS = ["2019", "2021"]


def sample_values(version: str) -> dict:
    """Every input cell with a value, a blank every eleventh cell, one decimal amount, totals that add up."""
    form = get_form(version)
    values = {key: (index % 5 if index % 11 else None) for index, key in enumerate(form.cells)}
    amount = next(key for key, cell in form.cells.items() if cell.domain.name == "AMOUNT")
    values[amount] = 12.3456
    for key in form.definitions:
        values[key] = sum(coef * (values[part] or 0) for part, coef in expand(key, form.definitions).items())
    return values


def _header(version: str) -> dict:
    return {"unit": "某某区某某街道办事处", "year": get_form(version).first_year + 1}


def _same_engine(reading, report, version: str, values: dict) -> None:
    assert reading.form.version == version
    assert reading.values == values
    direct = validate_values(version, values, header=_header(version))
    assert report.flat() == direct.flat()
    assert report.values == direct.values


# HTML ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_html_export_reads_back_exactly(version):
    values = sample_values(version)
    page = export_html(get_form(version), values, **_header(version))
    reading, report = validate_published(page.encode("utf-8"), "r.html")
    _same_engine(reading, report, version, values)
    assert reading.addresses["t2.new.c_natural"][1].startswith("第2个表格第")


def test_html_export_has_the_official_merged_headers():
    page = export_html(get_form("2021"), zeros("2021"))
    assert '<th colspan="7">申请人情况</th>' in page
    assert '<th colspan="5">法人或其他组织</th>' in page
    assert '<th rowspan="2">自然人</th>' in page
    assert (
        '<th rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>' in page
    )
    assert "本年收费金额（单位：万元）" in page
    assert '<td rowspan="8" class="label">（三）不予公开</td>' in page


def _government_page(body: str, charset: str = "utf-8") -> str:
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        "<title>某某区人民政府办公室2021年政府信息公开工作年度报告_某某区人民政府</title></head><body>"
        '<table width="100%"><tr><td><div class="nav">首页 &gt; 政务公开 &gt; 年度报告</div>'
        f"{body}</td></tr></table><div>第 1 页</div></body></html>"
    )


def test_real_page_quirks_nbsp_paragraphs_in_cells_breaks_in_headers_and_layout_table():
    values = zeros("2021") | {"t2.new.c_natural": 3, "t2.new.c_total": 3, "t2.open.c_natural": 3}
    values |= {"t2.open.c_total": 3, "t2.total.c_natural": 3, "t2.total.c_total": 3, "t2.carry_out.c_other": None}
    tables = export_html(get_form("2021"), values).split("<body>")[1].split("</body>")[0]
    tables = tables.replace("<td>0</td>", "<td><p>0</p></td>", 5).replace("结果维持", "结<br>果<br>维<br>持")
    tables = tables.replace("<td>3</td>", '<td><p style="text-align:center"><span>3</span></p></td>', 1)
    narrative = "<p>一、总体情况</p><p>本年度共收到政府信息公开申请3件，全部予以公开。</p>"
    page = _government_page(narrative + tables, "gb2312")
    reading, report = validate_published(page.encode("gb18030"), "r.html")
    assert reading.values == values
    assert reading.header["unit"] == "某某区人民政府办公室" and reading.header["year"] == 2021
    assert report.outcomes["narrative.mismatch"].passed == 1
    assert reading.values["t2.carry_out.c_other"] is None
    assert not [f for f in report.findings if f.rule.startswith("layout.")]


def test_report_inside_a_javascript_string_is_read():
    values = sample_values("2021")
    inner = export_html(get_form("2021"), values, **_header("2021")).split("<body>")[1].split("</body>")[0]
    literal = json.dumps(inner, ensure_ascii=True)
    page = f"<html><head><title>年报</title></head><body><div id='c'></div><script>var content = {literal};"
    page += "document.getElementById('c').innerHTML = content;</script></body></html>"
    reading = read_published(page.encode("utf-8"), "r.html")
    assert reading.values == values
    assert reading.header["unit"] == "某某区某某街道办事处"


def test_page_without_tables_is_refused():
    with pytest.raises(Exception) as caught:
        read_published("<html><body><p>本单位2021年度报告正在编制中。</p></body></html>".encode(), "r.html")
    assert "没有找到" in caught.value.message


# Word ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_docx_export_reads_back_exactly(version):
    values = sample_values(version)
    data = export_docx(get_form(version), values, **_header(version))
    reading, report = validate_published(data, "r.docx")
    _same_engine(reading, report, version, values)


def test_docx_narrative_paragraphs_are_checked():
    from docx import Document

    document = Document(io.BytesIO(export_docx(get_form("2021"), zeros("2021"), **_header("2021"))))
    document.paragraphs[0].insert_paragraph_before("本年度共受理政府信息公开申请5件。")
    out = io.BytesIO()
    document.save(out)
    _, report = validate_published(out.getvalue(), "r.docx")
    [found] = [f for f in report.findings if f.rule == "narrative.mismatch"]
    assert found.key == "t2.new.c_total" and found.cell == "第1段"


def test_damaged_docx_is_refused_in_chinese():
    with pytest.raises(DocumentUnreadable) as caught:
        read_published(b"PK\x03\x04 not really a word file", "r.docx")
    assert "Word 文件无法打开" in caught.value.message


# PDF --------------------------------------------------------------------------------------------


def _soffice(source, tmp_path):
    return to_pdf(source, folder=tmp_path)[0].read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_pdf_of_exported_docx_reads_back_cell_exact(version, tmp_path):
    values = sample_values(version)
    source = tmp_path / "export.docx"
    source.write_bytes(export_docx(get_form(version), values, **_header(version)))
    reading, report = validate_published(_soffice(source, tmp_path), "r.pdf")
    _same_engine(reading, report, version, values)
    assert reading.addresses["t3.cases.review_upheld"][1].startswith("第")


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_pdf_of_filled_template_reads_back_cell_exact(version, tmp_path):
    values = {key: index % 6 for index, key in enumerate(get_form(version).cells)}
    source = tmp_path / "filled.xlsx"
    make_workbook(version, values, _header(version)).save(source)
    reading = read_published(_soffice(source, tmp_path), "r.pdf")
    assert reading.form.version == version
    assert reading.values == values


def test_scanned_pdf_without_text_gets_a_clear_message():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(out, "PDF")
    with pytest.raises(DocumentUnreadable) as caught:
        read_published(out.getvalue(), "scan.pdf")
    assert "没有文字层" in caught.value.message and "OCR" in caught.value.message


def test_damaged_pdf_is_refused_in_chinese():
    with pytest.raises(DocumentUnreadable) as caught:
        read_published(b"%PDF-1.4\n garbage", "r.pdf")
    assert "PDF" in caught.value.message


def _unruled_docx(version: str, values: dict) -> bytes:
    """The Word export without table borders, with a page number in the footer: positions are all there is."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document(io.BytesIO(export_docx(get_form(version), values, **_header(version))))
    for table in document.tables:
        table.style = document.styles["Normal Table"]
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = "第 "
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" 页")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_pdf_without_ruling_is_rebuilt_from_word_positions(version, tmp_path):
    """Wrapped labels, labels broken across pages, blank cells, 表三 headers one character per line."""
    values = sample_values(version)
    source = tmp_path / "unruled.docx"
    source.write_bytes(_unruled_docx(version, values))
    pdf = _soffice(source, tmp_path)
    reading, report = validate_published(pdf, "r.pdf")
    _same_engine(reading, report, version, values)
    assert not reading.findings


@pytest.mark.slow
def test_pdf_with_a_long_narrative_rows_broken_by_pages_and_statements_checked(tmp_path):
    """A long paragraph before the tables moves page breaks into table rows; its numbers are compared too."""
    from docx import Document

    values = zeros("2021")
    document = Document(io.BytesIO(export_docx(get_form("2021"), values, **_header("2021"))))
    sentence = (
        "本年度，我办认真贯彻落实政府信息公开条例，依法依规做好依申请公开工作，进一步规范受理、登记、审核、答复等各个环节，"
        "全年共收到政府信息公开申请21件，其中自然人申请15件，法人或其他组织申请6件，均已按时办结。"
    )
    document.paragraphs[0].insert_paragraph_before(sentence)
    source = tmp_path / "narrative.docx"
    document.save(source)
    reading, report = validate_published(_soffice(source, tmp_path), "r.pdf")
    assert reading.values == values
    assert not reading.findings
    found = [f for f in report.findings if f.rule == "narrative.mismatch"]
    assert sorted((f.key, f.actual) for f in found if f.key) == [("t2.new.c_natural", 15), ("t2.new.c_total", 21)]


@pytest.mark.slow
def test_pdf_with_ruled_and_borderless_tables_on_one_page(tmp_path):
    """表一、表二 ruled, 表三 without borders: the numbers beside the ruled tables are still read."""
    from docx import Document

    values = sample_values("2021")
    document = Document(io.BytesIO(export_docx(get_form("2021"), values, **_header("2021"))))
    document.tables[-1].style = document.styles["Normal Table"]
    source = tmp_path / "mixed.docx"
    document.save(source)
    reading = read_published(_soffice(source, tmp_path), "r.pdf")
    assert reading.values == values and not reading.findings
