"""Published reports through every door: CLI validate (files, folders, --last-year), export, audit, web upload."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from click.testing import CliRunner
from libreoffice import to_pdf
from published_docs import text_report
from published_docs import zeros

from server.cli import main
from server.forms import get_form
from server.published import read_published
from server.published.export import export_docx
from server.published.export import export_html


@pytest.fixture
def runner():
    """A Click runner."""
    return CliRunner()


def _applications(version: str, received: int, carried_out: int) -> dict:
    """A consistent report: ``received`` applications, all from natural persons, ``carried_out`` carried over."""
    values = zeros(version)
    answered = received - carried_out
    values |= {"t2.new.c_natural": received, "t2.new.c_total": received}
    values |= {"t2.open.c_natural": answered, "t2.open.c_total": answered}
    values |= {"t2.total.c_natural": answered, "t2.total.c_total": answered}
    values |= {"t2.carry_out.c_natural": carried_out, "t2.carry_out.c_total": carried_out}
    return values


def _report_2021(**changes) -> str:
    return text_report("2021", _applications("2021", 5, 0) | changes, year=2021)


# validate ------------------------------------------------------------------------------------------


def test_validate_a_published_text_gives_json_keyed_by_cell(runner, tmp_path):
    path = tmp_path / "坛山街道2021.txt"
    path.write_text(_report_2021(), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["values"]["t2.new.c_natural"] == 5
    assert set(payload["values"]) == set(get_form("2021").cells)
    assert (payload["unit"], payload["year"], payload["version"]) == ("某某区某某街道办事处", 2021, "2021")


def test_validate_a_folder_of_published_reports_and_workbooks(runner, tmp_path):
    (tmp_path / "a.txt").write_text(_report_2021(), encoding="utf-8")
    (tmp_path / "b.html").write_text(export_html(get_form("2021"), zeros("2021"), unit="乙街道", year=2021))
    (tmp_path / "c.docx").write_bytes(export_docx(get_form("2021"), zeros("2021") | {"t1.rules.issued": "若干"}))
    (tmp_path / "notes.md").write_text("不是年报")
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "a.txt：校验通过" in result.output and "b.html：校验通过" in result.output
    assert "c.docx：校验未通过" in result.output and "notes.md" not in result.output


def test_last_year_may_be_a_published_document(runner, tmp_path):
    last = tmp_path / "2020年报.html"
    last.write_text(export_html(get_form("2019"), _applications("2019", 4, 2), unit="某某区某某街道办事处", year=2020))
    this = tmp_path / "2021年报.txt"
    this.write_text(_report_2021(), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(this), "--last-year", str(last), "--json"])
    payload = json.loads(result.output)
    carry = [f for f in payload["findings"] if f["rule"] == "cross.carry_in"]
    assert {f["key"] for f in carry} == {"t2.carry_in.c_natural", "t2.carry_in.c_total"}
    assert all(f["expected"] == 2 for f in carry)


def test_unreadable_published_file_exits_two_with_a_chinese_message(runner, tmp_path):
    path = tmp_path / "扫描.pdf"
    from PIL import Image

    Image.new("RGB", (100, 100), "white").save(path, "PDF")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "没有文字层" in result.output and "Traceback" not in result.output


# export -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_export_writes_the_tables_that_read_back(runner, tmp_path, suffix):
    source = tmp_path / "报告.txt"
    source.write_text(_report_2021(), encoding="utf-8")
    out = tmp_path / f"统计表{suffix}"
    result = runner.invoke(main, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    reading = read_published(out.read_bytes(), out.name)
    assert reading.values == read_published(source.read_bytes(), source.name).values
    assert reading.header == {"unit": "某某区某某街道办事处", "year": 2021}


def test_export_fills_computed_totals(runner, tmp_path):
    values = _applications("2021", 5, 0) | {"t2.new.c_total": None, "t2.total.c_natural": None}
    source = tmp_path / "报告.txt"
    source.write_text(text_report("2021", values), encoding="utf-8")
    out = tmp_path / "统计表.html"
    assert runner.invoke(main, ["export", str(source), "-o", str(out)]).exit_code == 0
    exported = read_published(out.read_bytes(), out.name).values
    assert (exported["t2.new.c_total"], exported["t2.total.c_natural"]) == (5, 5)


def test_export_refuses_a_report_with_errors_unless_forced(runner, tmp_path):
    source = tmp_path / "报告.txt"
    source.write_text(_report_2021(**{"t2.open.c_natural": 9}), encoding="utf-8")
    out = tmp_path / "统计表.docx"
    result = runner.invoke(main, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 1 and "错误" in result.output and not out.exists()
    assert runner.invoke(main, ["export", str(source), "-o", str(out), "--force"]).exit_code == 0


# audit ------------------------------------------------------------------------------------------------


def test_audit_writes_a_summary_with_links_to_the_details(runner, tmp_path):
    folder = tmp_path / "年报"
    folder.mkdir()
    (folder / "甲街道.txt").write_text(_report_2021(), encoding="utf-8")
    bad = _report_2021(**{"t2.open.c_natural": 9})
    (folder / "乙街道.txt").write_text(bad.replace("某某区某某街道办事处", "乙街道办事处"), encoding="utf-8")
    page = export_html(get_form("2021"), zeros("2021"), unit="丙街道办事处", year=2021)
    page = page.replace("<h2>", "<p>本年度共收到政府信息公开申请3件。</p><h2>", 1)
    (folder / "丙.html").write_text(page, encoding="utf-8")
    (folder / "丁.pdf").write_bytes(b"%PDF-1.4 damaged")
    out = tmp_path / "审查汇总.xlsx"
    result = runner.invoke(main, ["audit", str(folder), "--year", "2021", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "明细"]
    rows = {row[0]: row for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert rows["甲街道.txt"][4] == "通过"
    assert rows["乙街道.txt"][1:5] == ("乙街道办事处", 2021, "2021", "有错误")
    assert rows["丙.html"][7] == 1 and "申请3件" in rows["丙.html"][8]
    assert rows["丁.pdf"][4] == "无法读取"
    summary = book["汇总"]
    link = next(row[9] for row in summary.iter_rows(min_row=3) if row[0].value == "乙街道.txt").hyperlink
    target_row = int(link.location.split("!A")[1])
    assert book["明细"].cell(target_row, 1).value == "乙街道.txt"


# web ----------------------------------------------------------------------------------------------------


def test_check_page_accepts_published_reports(client):
    page = client.get("/check").get_data(as_text=True)
    assert 'accept=".xlsx,.pdf,.html,.htm,.docx,.txt"' in page


@pytest.mark.parametrize("name", ["年报.txt", "年报.html", "年报.docx"])
def test_upload_of_a_published_report_gives_the_same_json_as_the_cli(client, runner, tmp_path, name):
    text = _report_2021(**{"t2.open.c_natural": 9})
    if name.endswith(".txt"):
        data = text.encode("utf-8")
    else:
        values = read_published(text.encode(), "r.txt").values
        form = get_form("2021")
        unit, year = "某某区某某街道办事处", 2021
        exporter = export_html if name.endswith(".html") else export_docx
        made = exporter(form, values, unit=unit, year=year)
        data = made.encode("utf-8") if isinstance(made, str) else made
    (tmp_path / name).write_bytes(data)
    response = client.post("/api/v1/workbook", data={"file": (io.BytesIO(data), name)})
    assert response.status_code == 200, response.get_data(as_text=True)
    web = response.get_json()
    cli = json.loads(runner.invoke(main, ["validate", str(tmp_path / name), "--json"]).output)
    assert web["mode"] == "published"
    assert [f for f in web["findings"]] == cli["findings"] and web["values"] == cli["values"]


def test_download_for_a_published_report_is_the_word_export(client):
    data = _report_2021().encode("utf-8")
    response = client.post("/api/v1/workbook/annotated", data={"file": (io.BytesIO(data), "坛山街道.txt")})
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert (
        "%E5%9D%9B%E5%B1%B1%E8%A1%97%E9%81%93.%E7%BB%9F%E8%AE%A1%E8%A1%A8.docx"
        in response.headers["Content-Disposition"]
    )
    assert read_published(response.data, "x.docx").values == read_published(data, "x.txt").values


def test_unreadable_upload_is_a_chinese_json_error(client):
    response = client.post("/api/v1/workbook", data={"file": (io.BytesIO(b"%PDF-1.4 junk"), "年报.pdf")})
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False and "PDF" in body["error"] and body["errors"][0]["field"] == "file"


@pytest.mark.slow
def test_pdf_upload_gives_the_same_json_as_the_cli(client, runner, tmp_path):
    values = read_published(_report_2021(**{"t2.open.c_natural": 9}).encode(), "r.txt").values
    source = tmp_path / "年报.docx"
    source.write_bytes(export_docx(get_form("2021"), values, unit="某某区某某街道办事处", year=2021))
    [pdf] = to_pdf(source, folder=tmp_path)
    web = client.post("/api/v1/workbook", data={"file": (io.BytesIO(pdf.read_bytes()), pdf.name)}).get_json()
    cli = json.loads(runner.invoke(main, ["validate", str(pdf), "--json"]).output)
    assert web["findings"] == cli["findings"] and web["values"] == cli["values"]
    assert web["values"]["t2.open.c_natural"] == 9 and not web["ok"]


def test_audit_lists_registered_units_without_a_report(db_url, tmp_path):
    from server.published.audit import missing_units

    env = {"SERVER_DATABASE_URL": db_url, "SERVER_INSTANCE_PATH": str(tmp_path / "instance")}
    runner = CliRunner()
    for name in ("甲街道办事处", "乙镇人民政府", "某某区发展和改革局"):
        assert runner.invoke(main, ["units", "add", name], env=env).exit_code == 0
    folder = tmp_path / "年报"
    folder.mkdir()
    (folder / "a.txt").write_text(
        _report_2021().replace("某某区某某街道办事处", "某某区甲街道办事处"), encoding="utf-8"
    )
    (folder / "乙镇.txt").write_text(_report_2021().replace("某某区某某街道办事处", "某某区"), encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    result = runner.invoke(main, ["audit", str(folder), "--year", "2021", "-o", str(out), "--registered"], env=env)
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in rows if row[4] == "未找到年报"] == ["某某区发展和改革局"]
    assert "1 个已登记单位未找到年报" in result.output
    assert missing_units(["甲街道办事处"], [{"file": "甲街道.pdf", "unit": None}]) == []


def test_a_workbook_can_be_downloaded_as_the_published_tables(client):
    from seeds import SEEDS
    from test_seeds import seed_workbook_bytes

    seed = next(s for s in SEEDS if s.name.startswith("004"))
    data = seed_workbook_bytes(seed)
    response = client.post("/api/v1/workbook/annotated?as=docx", data={"file": (io.BytesIO(data), "坛山.xlsx")})
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    reading = read_published(response.data, "x.docx")
    assert reading.values == {key: 0 for key in get_form("2021").cells}
    assert reading.header == {"unit": "坛山街道办事处", "year": 2021}
    plain = client.post("/api/v1/workbook/annotated", data={"file": (io.BytesIO(data), "坛山.xlsx")})
    assert plain.mimetype.endswith("spreadsheetml.sheet")
