"""The command line door: validate (text, JSON, annotated copy, folders), template, docs."""

from __future__ import annotations

import json

import openpyxl
import oracle
import pytest
from builders import consistent_values
from builders import header_for
from builders import with_totals
from click.testing import CliRunner
from seeds import SEEDS
from test_seeds import seed_workbook_bytes

from server.cli import main
from server.forms import get_form
from server.workbook.layout import RESULT_SHEET
from server.workbook.style import FLAG_FILL
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
    right = consistent_values(get_form("2021"), seed=1)["t2.open.c_natural"]
    # Issue 10: one story per mistake — the culprit first, its consequences in one line under it.
    assert (
        f"1. [错误] 表二 依申请公开 D8 · 最可能填错的单元格 · 现为 99 · 如果只错了这一格，它应为 {right}"
        in result.output
    )
    assert "由此引起 2 处勾稽关系不成立（J8 行合计、D29 办理结果总计），改正后自然成立" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert sum("[错误]" in line for line in lines) == 1 and "1 处错误" in lines[0]
    assert "locate.culprit" not in result.output and "sum.row_total" not in result.output
    row_sum = sum(values[f"t2.open.{column}"] for column in oracle.T2_PARTS)
    column_sum = sum(values[f"t2.{row}.c_natural"] for row in oracle.RESULT_ROWS["2021"])
    assert row_sum != values["t2.open.c_total"] and column_sum != values["t2.total.c_natural"]
    verbose = runner.invoke(main, ["validate", "-v", str(tmp_path / "错.xlsx")]).output
    assert f"J8「（一）予以公开·总计」 填的是 {values['t2.open.c_total']}，与各项之和 {row_sum} 不符" in verbose
    assert f"D29「（七）总计·自然人」 填的是 {values['t2.total.c_natural']}，与各项之和 {column_sum} 不符" in verbose
    assert verbose.count("这一条是 D8 填错造成的：改正后自然成立，不要改动本格。") == 2


def test_json_output_has_the_documented_shape(runner, tmp_path):
    _save(tmp_path / "错.xlsx", **{"t2.open.c_natural": "5件"})
    result = runner.invoke(main, ["validate", "--json", str(tmp_path / "错.xlsx")])
    payload = json.loads(result.output)
    assert payload["file"].endswith("错.xlsx") and payload["ok"] is False
    [finding] = payload["findings"]
    for field in ("sheet", "cell", "rule", "severity", "message", "expected", "actual", "cells", "suggestion"):
        assert field in finding
    assert (finding["sheet"], finding["cell"], finding["key"], finding["rule"], finding["severity"]) == (
        "表二 依申请公开",
        "D8",
        "t2.open.c_natural",
        "value.text",
        "error",
    )
    assert (finding["actual"], finding["suggestion"]) == ("5件", 5)
    assert "5件" in finding["message"]


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
    # Issue 10: the blank total over the likely typo is not filled from 99; it says why.
    assert table["J8"].value is None
    assert table["J8"].fill.fgColor.rgb.endswith(FLAG_FILL["explained"].lstrip("#"))
    assert "暂不自动填入" in table["J8"].comment.text and "D8 很可能填错" in table["J8"].comment.text
    results = book[RESULT_SHEET]
    assert results["A3"].value == "序号"
    link = results["D4"].hyperlink
    assert (link.location or link.target).lstrip("#") == "'表二 依申请公开'!D8"


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
    summary = result.output.split("汇总：", 1)[1].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in summary if line.strip()}
    assert rows["a.xlsx"] == ["某某市某某局", "2025", "0", "0"]
    assert rows["b.xlsx"] == ["某某市某某局", "2025", "1", "0"]
    assert rows["c.xlsx"] == ["无法读取"]


def _carrying(values: dict, row: str, numbers: dict) -> dict:
    """The values with 二 or 四 set per applicant column, 一 rebalanced (I3) and the totals recomputed."""
    out = dict(values)
    for column, number in numbers.items():
        out[f"t2.{row}.{column}"] = number
        total = sum(out[f"t2.{r}.{column}"] for r in oracle.RESULT_ROWS["2021"])
        new = total + out[f"t2.carry_out.{column}"] - out[f"t2.carry_in.{column}"]
        out[f"t2.carry_out.{column}"] -= min(new, 0)
        out[f"t2.new.{column}"] = max(new, 0)
    return with_totals(get_form("2021"), out)


def test_last_year_enables_cross_year_rules(runner, tmp_path):
    """二 this year is compared with 四 of the workbook given as --last-year, column by column."""
    form = get_form("2021")
    parts = oracle.T2_PARTS
    last_values = _carrying(consistent_values(form, seed=5), "carry_out", {c: 2 + i for i, c in enumerate(parts)})
    last = tmp_path / "2024.xlsx"
    make_workbook("2021", last_values, header_for(form, year=2024, date="2025-01-10")).save(last)
    carried = {c: last_values[f"t2.carry_out.{c}"] + (c == "c_commercial") for c in parts}
    values = _carrying(consistent_values(form, seed=6), "carry_in", carried)
    make_workbook("2021", values, header_for(form)).save(tmp_path / "2025.xlsx")
    result = runner.invoke(main, ["validate", "--json", str(tmp_path / "2025.xlsx"), "--last-year", str(last)])
    payload = json.loads(result.output)
    assert payload["outcomes"]["cross.carry_in"] == {"passed": 5, "failed": 2, "undecided": 0}
    carry_in = {f["key"]: (f["expected"], f["actual"]) for f in payload["findings"] if f["rule"] == "cross.carry_in"}
    assert carry_in == {
        "t2.carry_in.c_commercial": (last_values["t2.carry_out.c_commercial"], carried["c_commercial"]),
        "t2.carry_in.c_total": (last_values["t2.carry_out.c_total"], last_values["t2.carry_out.c_total"] + 1),
    }
    alone = json.loads(runner.invoke(main, ["validate", "--json", str(tmp_path / "2025.xlsx")]).output)
    assert "cross.carry_in" not in alone["outcomes"]


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


def test_serve_settles_the_process_before_serving(monkeypatch):
    """``serve`` builds the app, moves what exists out of the collector's way, then starts waitress."""
    import gc

    import waitress

    seen = {}

    def serve(app, **options):
        seen.update(options, app=app, frozen=gc.get_freeze_count())

    monkeypatch.setattr(waitress, "serve", serve)
    gc.unfreeze()
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "5999"])
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert seen["port"] == 5999 and seen["app"].name == "server" and seen["frozen"] > 10_000
