"""Issue 10 in the workbook doors: the annotated copy (CLI -o, web download) and the Excel button.

Both show one story per mistake: the culprit red, the cells that only show its consequences
pale orange with a note naming it, a held total blank with a note, and the 校验结果 sheet
grouped — the mistake, then its consequences (1.1, 1.2 …) with no 应为 to copy.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from builders import header_for
from builders import without_totals
from click.testing import CliRunner
from test_stories import FORM
from test_stories import _natural

from server.cli import main
from server.workbook import validate_grids
from server.workbook.layout import RESULT_SHEET
from server.workbook.style import FLAG_FILL
from server.xlsx.annotate import annotate
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook
from server.xlsx.template import write_template
from tools.excel_sim import click
from tools.excel_sim import flask_post

RED, PALE = FLAG_FILL["error"].lstrip("#"), FLAG_FILL["explained"].lstrip("#")
SHEET = "表二 依申请公开"


def _book(values: dict, header: dict | None = None) -> openpyxl.Workbook:
    values = {key: value for key, value in values.items() if value is not None}
    return make_workbook("2021", values, header_for(FORM) if header is None else header)


def typo_book():
    return _book(_natural(**{"t2.open.c_natural": 33, "t2.total.c_natural": None}))


def ambiguity_book():
    values = without_totals(FORM, _natural(**{"t2.new.c_natural": 0, "t2.open.c_natural": 5}))
    values["t2.partial.c_natural"] = 0
    return _book(values)


def two_way_book():
    """表三: 行政复议结果维持 typed 7 instead of 0, its typed total 0 — either cell can be the wrong one."""
    return _book(_natural(**{"t3.cases.review_upheld": 7}))


def text_book():
    return _book(_natural(**{"t2.new.c_natural": "3件"}))


def blank_book():
    return _book({}, header={})


def _annotated(book: openpyxl.Workbook) -> openpyxl.Workbook:
    data = io.BytesIO()
    book.save(data)
    reading, report = validate_grids(load_grids(data.getvalue()))
    return openpyxl.load_workbook(io.BytesIO(annotate(data.getvalue(), reading, report)))


def _excel(client, book: openpyxl.Workbook) -> tuple[openpyxl.Workbook, list[str]]:
    _, alerts, _ = click(flask_post(client), book)
    return book, alerts


DOORS = {"annotated copy": lambda client, book: (_annotated(book), None), "Excel button": _excel}


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type else ""


def _rows(book) -> list[tuple]:
    return [row for row in book[RESULT_SHEET].iter_rows(min_row=4, values_only=True) if row[0] is not None]


@pytest.mark.parametrize("door", DOORS)
def test_one_typo_with_a_blank_total(client, door):
    book, alerts = DOORS[door](client, typo_book())
    table = book[SHEET]
    assert _fill(table["D8"]) == RED
    assert [_fill(table[c]) for c in ("J8", "J29", "D30", "D29")] == [PALE] * 4
    assert "这一条是 D8 填错造成的：改正后自然成立，不要改动本格。" in table["J29"].comment.text
    assert table["D29"].value is None and "D8 很可能填错" in table["D29"].comment.text
    results = book[RESULT_SHEET]
    assert results["A1"].value == "校验未通过：1 处错误 — 某某市某某局 · 2025 年度 · 2021 年版格式"
    rows = _rows(book)
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        (1, "错误", "D8", "最可能填错的单元格"),
        ("1.1", "由上条引起", "J8", "行合计"),
        ("1.2", "由上条引起", "J29", "行合计"),
        ("1.3", "由上条引起", "D30", "申请数量平衡"),
    ]
    assert [r[6] for r in rows[1:]] == [None, None, None]  # no 应为 on a cell that must not change
    assert [r[9] for r in rows] == ["locate.culprit", "sum.row_total", "sum.row_total", "balance.applications"]
    assert _fill(results["B5"]) == PALE and _fill(results["B4"]) == RED
    if alerts is not None:
        assert (
            alerts[0]
            .replace("\r\n", "\n")
            .startswith("校验未通过：1 处错误\n[错误] 表二 依申请公开 D8：D8「（一）予以公开·自然人」 现为 33")
        )
        assert "由此引起 3 处勾稽关系不成立（J8 行合计、J29 行合计、D30 申请数量平衡）" in alerts[0]


@pytest.mark.parametrize("door", DOORS)
def test_an_ambiguity_marks_every_candidate_and_names_the_choices(client, door):
    book, alerts = DOORS[door](client, ambiguity_book())
    table = book[SHEET]
    assert [_fill(table[c]) for c in ("D6", "D7", "D8")] == [RED] * 3
    for cell in ("D6", "D7", "D8"):
        assert "D6、D7、D8 中有一个填错" in table[cell].comment.text
    assert _fill(table["D30"]) == PALE
    rows = _rows(book)
    assert rows[0][5].startswith("D6、D7、D8 中有一个填错，请逐一核对原始登记")
    assert rows[0][6] is None and rows[0][7] is None  # the choices are in the message, no "改为" list as 应为
    assert (rows[1][0], rows[1][3]) == ("1.1", "D30")
    if alerts is not None:
        assert "D6、D7、D8 中有一个填错" in alerts[0]


@pytest.mark.parametrize("door", DOORS)
def test_a_two_way_ambiguity_is_one_error_with_both_choices(client, door):
    book, alerts = DOORS[door](client, two_way_book())
    table = book["表三 复议诉讼"]
    assert [_fill(table[c]) for c in ("A6", "E6")] == [RED, RED]
    for cell in ("A6", "E6"):
        assert "A6、E6 中有一个填错" in table[cell].comment.text
    rows = _rows(book)
    assert rows[0][3:5] == ("A6", "几格之一填错")
    assert "如果错的是 A6「行政复议结果维持」，它应为 0；如果是 E6「行政复议总计」，它应为 7" in rows[0][5]
    assert rows[0][6] is None and rows[0][7] is None
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [("1.1", "由上条引起", "E6")]
    if alerts is not None:
        assert alerts[0].startswith("校验未通过：1 处错误") and "A6、E6 中有一个填错" in alerts[0]


@pytest.mark.parametrize("door", DOORS)
def test_text_that_breaks_a_sum_is_one_row_and_one_note(client, door):
    book, _ = DOORS[door](client, text_book())
    table = book[SHEET]
    note = table["D6"].comment.text
    assert note.count("【错误】") == 1 and "填的是文字“3件”（应填数字，读作 3）" in note and "它应为 5" in note
    rows = _rows(book)
    assert [(r[0], r[3]) for r in rows] == [(1, "D6"), ("1.1", "J6"), ("1.2", "D30")]
    assert rows[0][7] == "3件"


@pytest.mark.parametrize("door", DOORS)
def test_a_blank_report_fails_with_one_row_per_blank_table(client, door):
    book, alerts = DOORS[door](client, blank_book())
    results = book[RESULT_SHEET]
    assert results["A1"].value.startswith("校验未通过：3 处错误")
    assert results["A1"].value.endswith("未填写填报单位和报告年度 · 2021 年版格式")
    assert "未填单位" not in results["A1"].value
    blank = [r for r in _rows(book) if r[9] == "table.blank"]
    assert [r[5].split("：")[0] for r in blank] == ["表一未填写", "表二未填写", "表三未填写"]
    if alerts is not None:
        assert "校验通过" not in alerts[0]


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_empty_template_never_passes_on_the_command_line(tmp_path, version):
    path = tmp_path / "空白.xlsx"
    write_template(version, path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.endswith(f"：校验未通过：3 处错误、2 处提示（未填写填报单位和报告年度 · {version} 年版格式）")
    assert "校验通过" not in result.output and "未填单位" not in result.output
    assert "表二未填写：没有发生的请填 0" in result.output
