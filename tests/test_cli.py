"""The command line door: validate (text, JSON, annotated copy, folders), template, docs."""

from __future__ import annotations

import json

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from click.testing import CliRunner
from seeds import SEEDS
from test_seeds import seed_workbook_bytes

from server.cli import main
from server.forms import get_form
from server.workbook.layout import RESULT_SHEET
from server.xlsx.template import make_workbook


@pytest.fixture
def runner():
    """A Click runner."""
    return CliRunner()


def _save(path, version="2021", seed=1, **changes):
    form = get_form(version)
    values = {**consistent_values(form, seed=seed), **changes}
    make_workbook(version, values, header_for(form)).save(path)
    return values


def test_clean_workbook_exits_zero(runner, tmp_path):
    _save(tmp_path / "好.xlsx")
    result = runner.invoke(main, ["validate", str(tmp_path / "好.xlsx")])
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output


def test_errors_are_listed_with_sheet_cell_rule_and_values(runner, tmp_path):
    values = _save(tmp_path / "错.xlsx", **{"t2.open.c_natural": 99})
    result = runner.invoke(main, ["validate", str(tmp_path / "错.xlsx")])
    assert result.exit_code == 1
    assert "[错误] 表二 依申请公开 D8 · locate.culprit" in result.output
    assert f"建议填写 {consistent_values(get_form('2021'), seed=1)['t2.open.c_natural']}" in result.output
    assert "sum.row_total" in result.output and "应为" in result.output and values


def test_json_output_has_the_documented_shape(runner, tmp_path):
    _save(tmp_path / "错.xlsx", **{"t2.open.c_natural": "5件"})
    result = runner.invoke(main, ["validate", "--json", str(tmp_path / "错.xlsx")])
    payload = json.loads(result.output)
    assert payload["file"].endswith("错.xlsx") and payload["ok"] is False
    finding = payload["findings"][0]
    for field in ("sheet", "cell", "rule", "severity", "message", "expected", "actual", "cells", "suggestion"):
        assert field in finding


def test_annotated_copy_leaves_the_input_untouched(runner, tmp_path):
    source = tmp_path / "原.xlsx"
    _save(source, **{"t2.open.c_natural": 99, "t2.open.c_total": None})
    before = source.read_bytes()
    result = runner.invoke(main, ["validate", str(source), "-o", str(tmp_path / "已校验.xlsx")])
    assert result.exit_code == 1
    assert source.read_bytes() == before
    book = openpyxl.load_workbook(tmp_path / "已校验.xlsx")
    table = book["表二 依申请公开"]
    assert table["D8"].fill.fgColor.rgb.endswith("FFC7CE")
    assert table["D8"].comment is not None and "很可能填错" in table["D8"].comment.text
    assert table["D8"].value == 99
    assert table["J8"].value == 99 + sum(
        v
        for k, v in consistent_values(get_form("2021"), seed=1).items()
        if k.startswith("t2.open.") and k not in ("t2.open.c_natural", "t2.open.c_total")
    )
    results = book[RESULT_SHEET]
    assert results["A3"].value == "序号"
    assert results["D4"].hyperlink.location or results["D4"].hyperlink.target


def test_refuses_to_write_over_the_input(runner, tmp_path):
    source = tmp_path / "原.xlsx"
    _save(source)
    result = runner.invoke(main, ["validate", str(source), "-o", str(source)])
    assert result.exit_code != 0
    assert "不能与输入文件相同" in result.output


def test_a_folder_gets_a_summary_line_per_file_and_bad_files_do_not_stop_it(runner, tmp_path):
    _save(tmp_path / "a.xlsx")
    _save(tmp_path / "b.xlsx", **{"t3.cases.review_upheld": 7})
    (tmp_path / "c.xlsx").write_bytes(b"not a workbook")
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "c.xlsx：无法读取" in result.output
    assert "汇总：" in result.output and "a.xlsx" in result.output and "b.xlsx" in result.output


def test_last_year_enables_cross_year_rules(runner, tmp_path):
    last = tmp_path / "2024.xlsx"
    form = get_form("2021")
    make_workbook("2021", consistent_values(form, seed=5), header_for(form, year=2024, date="2025-01-10")).save(last)
    _save(tmp_path / "2025.xlsx", seed=6)
    result = runner.invoke(main, ["validate", "--json", str(tmp_path / "2025.xlsx"), "--last-year", str(last)])
    assert "cross.carry_in" in json.loads(result.output)["outcomes"]


def test_seed_findings_through_the_cli(runner, tmp_path):
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    path = tmp_path / "鹿山街道.xlsx"
    path.write_bytes(seed_workbook_bytes(seed))
    payload = json.loads(runner.invoke(main, ["validate", "--json", str(path)]).output)
    assert {(f["rule"], f["key"]) for f in payload["findings"]} == set(seed.expected)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_template_command(runner, tmp_path, version):
    target = tmp_path / "模板.xlsx"
    result = runner.invoke(main, ["template", "--format", version, "-o", str(target)])
    assert result.exit_code == 0
    assert openpyxl.load_workbook(target)["_meta"]["B1"].value == version


def test_docs_check_passes(runner):
    result = runner.invoke(main, ["docs", "--check"])
    assert result.exit_code == 0, result.output
