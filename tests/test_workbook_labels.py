"""Finding the tables by their labels: hand-typed workbooks, changed templates, version sniffing."""

from __future__ import annotations

import pytest
from builders import consistent_values
from builders import header_for
from grids import insert_column
from grids import insert_row
from grids import put
from grids import template_grids

from server.forms import get_form
from server.workbook import validate_grids
from server.workbook.grid import Grid
from server.workbook.labels import detect_version
from server.workbook.labels import locate
from server.workbook.layout import layout_for
from server.workbook.layout import parse_a1

VERSIONS = ["2019", "2021"]


def _layout_positions(version):
    return {
        key: (sheet, *parse_a1(cell))
        for key, (sheet, cell) in layout_for(version).addresses.items()
        if not key.startswith("header.")
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_the_template_layout_is_found_exactly_by_labels(version):
    form = get_form(version)
    located = locate(form, template_grids(version, consistent_values(form, seed=1), header_for(form)))
    assert located.positions == _layout_positions(version)
    assert not (located.stray or located.missing_tables or located.missing_rows)
    assert set(located.header_positions) == {f.key for f in form.header_fields}


@pytest.mark.parametrize("version", VERSIONS)
def test_version_is_detected_from_labels(version):
    assert detect_version(template_grids(version)).version == version


def test_a_row_inserted_and_a_column_added_still_read_every_value():
    form = get_form("2021")
    values = consistent_values(form, seed=2)
    grids = template_grids("2021", values, header_for(form), meta=True)
    insert_row(grids[2], 12)
    insert_column(grids[1], 2)
    reading, report = validate_grids(grids)
    assert reading.mode == "labels"
    assert {k: reading.values[k] for k in form.cells} == {k: values[k] for k in form.cells}
    assert {f.rule for f in report.findings} == {"layout.moved"}


# A workbook typed by hand: all tables on one sheet -----------------------------------------


def _typed_by_hand(values):
    """The three 2021 tables typed on one sheet, the way published reports print them."""
    form = get_form("2021")
    rows: list[list] = [["坛山街道办事处2021年政府信息公开工作年度报告"], [], ["二、主动公开政府信息情况"]]
    for block in form.table("t1").blocks:
        rows.append([None, block.title.replace("（", "(").replace("）", ")")])
        rows.append([None, "信息内容", *[c.label for c in block.columns]])
        for row in block.rows:
            rows.append([None, row.label, *[values[f"t1.{row.key}.{c.key}"] for c in block.columns]])
    rows += [[], ["三、收到和处理政府信息公开申请情况"]]
    rows.append(
        [
            None,
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            None,
            None,
            "申请人情况",
            *[None] * 5,
            "总计",
        ]
    )
    rows.append([None, None, None, None, "自 然人", "法人或其他组织"])
    rows.append([None, None, None, None, None, "商 业企业", "科研机构", "社会公益 组织", "法律服务机构", "其他"])
    for row in form.table("t2").rows:
        labels = [label.replace("（", "(").replace("）", ")") for label in row.labels]
        if row.key == "deny_2":
            labels[-1] = "2、其他法律法规禁止公开"
        if row.key == "other_1":
            labels = [labels[0], labels[1] + " " + labels[2]]
        labels += [None] * (3 - len(labels))
        rows.append([None, *labels, *[values[f"t2.{row.key}.{c.key}"] for c in form.table("t2").columns]])
    rows += [[], ["四、政府信息公开行政复议、行政诉讼情况"], [], [None, None, "行政复议", *[None] * 4, "行政诉讼"]]
    t3 = form.table("t3").columns
    rows.append(
        [
            None,
            None,
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "未经复议直接起诉",
            None,
            None,
            None,
            None,
            "复议后起诉",
        ]
    )
    rows.append([None, None, *[None] * 5, *[c.label for c in t3[5:]]])
    rows.append([None, None, *[values[f"t3.cases.{c.key}"] for c in t3], 0])
    rows += [[], ["填报单位：坛山街道办事处"], ["联系电话", None, "0632-7711061"]]
    return [Grid("Sheet1", rows)]


def test_a_hand_typed_sheet_with_seed_deviations_is_read_completely():
    form = get_form("2021")
    values = consistent_values(form, seed=3)
    grids = _typed_by_hand(values)
    assert detect_version(grids).version == "2021"
    reading, report = validate_grids(grids)
    assert reading.mode == "labels"
    assert {k: reading.values[k] for k in form.cells} == {k: values[k] for k in form.cells}
    assert (report.unit, report.year) == ("坛山街道办事处", 2021)
    assert reading.header["phone"] == "0632-7711061"
    strays = [(f.rule, f.cell) for f in report.findings if f.rule == "layout.stray"]
    assert strays == [("layout.stray", f"R{len(grids[0].rows) - 3}")]


def test_the_regulatory_documents_alias_does_not_mislead_the_version():
    grids = template_grids("2019")
    assert "规范性文件" in {cell for row in grids[1].rows for cell in row}
    assert detect_version(grids).version == "2019"


# Seeds' layout errors ------------------------------------------------------------------------


def test_sixteen_values_under_a_fifteen_column_table_three():
    grids = template_grids("2019", {k: 0 for k in get_form("2019").cells})
    put(grids, "表三 复议诉讼", 6, 16, 0)
    located = locate(get_form("2019"), grids)
    assert located.stray == [("表三 复议诉讼", 6, 16)]


def test_a_third_value_in_the_two_column_fees_block():
    grids = template_grids("2019", {k: 0 for k in get_form("2019").cells})
    put(grids, "表一 主动公开", 17, 4, 0)
    located = locate(get_form("2019"), grids)
    assert located.stray == [("表一 主动公开", 17, 4)]


# Missing pieces and garbage ---------------------------------------------------------------------


def test_missing_table_and_row_are_reported():
    grids = template_grids("2021")
    grids = [g for g in grids if g.name != "表三 复议诉讼"]
    grids[2].rows[12 - 1] = []
    located = locate(get_form("2021"), grids)
    assert located.missing_tables == ["t3"]
    assert located.missing_rows == [("t2", "deny_3")]
    reading, report = validate_grids(grids)
    assert {"layout.missing_table", "layout.missing_row"} <= {f.rule for f in report.findings}


@pytest.mark.parametrize(
    "grids",
    [
        [],
        [Grid("空", [])],
        [Grid("数字", [[1, 2, 3], [None, 5.5, "x"]])],
        [Grid("乱", [["总计", None], [True, "其他"]])],
    ],
    ids=["no sheets", "empty sheet", "numbers", "stray words"],
)
def test_garbage_is_no_form(grids):
    assert detect_version(grids) is None


@pytest.mark.parametrize(
    ("cells", "unit", "year"),
    [
        ([["填报单位", "某某局"], ["报告年度", 2025]], "某某局", 2025),
        ([["填报单位：某某镇人民政府"], ["报告年度：2024年"]], "某某镇人民政府", 2024),
        ([["2020年富阳区鹿山街道信息公开工作年度报告"]], "富阳区鹿山街道", 2020),
        ([["宽城区柳影街道办事处2020年度政府信息公开工作年度报告"]], "宽城区柳影街道办事处", 2020),
    ],
    ids=["label and next cell", "label and value in one cell", "title year first", "title unit first"],
)
def test_header_fields_in_three_styles(cells, unit, year):
    grids = template_grids("2021", {k: 0 for k in get_form("2021").cells})
    grids = [Grid("封面", cells)] + grids[1:]
    reading, report = validate_grids(grids)
    assert (report.unit, report.year) == (unit, year)
