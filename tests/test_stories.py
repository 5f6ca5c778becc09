"""Issue 10: one story per mistake — a culprit (or a set of options) with the breaks it explains.

The scenarios are the ones the issue reports: one typo with a blank total, a two-way (here
three-way) ambiguity, text in a number cell that also breaks a sum, and a blank report.
"""

from __future__ import annotations

from builders import header_for
from builders import with_totals
from builders import without_totals
from builders import zero_values
from engine import check
from engine import only

from server.findings import ERROR
from server.findings import CellRef
from server.findings import Finding
from server.findings import Report
from server.forms import get_form
from server.stories import stories
from server.stories import tell

FORM = get_form("2021")


def _natural(**changes) -> dict:
    """A small consistent report: 自然人 5 new applications, 3 opened, 2 partly opened."""
    values = zero_values(FORM, totals=False)
    values.update({"t2.new.c_natural": 5, "t2.open.c_natural": 3, "t2.partial.c_natural": 2})
    values = with_totals(FORM, values)
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def one_typo_with_a_blank_total():
    """D8 typed 33 for 3, D29 （七）总计·自然人 left blank (the issue's first report)."""
    return check("2021", _natural(**{"t2.open.c_natural": 33, "t2.total.c_natural": None}))


def an_ambiguity():
    """D8 5 while 一、本年新收 and 二、上年结转 are 0, every total blank: D6, D7 or D8 is wrong."""
    values = without_totals(FORM, _natural(**{"t2.new.c_natural": 0, "t2.open.c_natural": 5}))
    values["t2.partial.c_natural"] = 0
    return check("2021", values)


def text_that_breaks_a_sum():
    """D6 holds “3件” where 5 belongs: read as 3, it breaks 行合计 J6 and the column balance."""
    return check("2021", _natural(**{"t2.new.c_natural": "3件"}))


def test_one_typo_is_one_error_with_its_three_consequences_under_it():
    report = one_typo_with_a_blank_total()
    [culprit] = only(report, "locate.culprit")
    assert (culprit.cell, culprit.suggestion) == ("D8", 3)
    breaks = [f for f in report.findings if f.rule.startswith(("sum.", "balance."))]
    assert sorted(f.cell for f in breaks) == ["D30", "J29", "J8"]
    assert all(f.explained_by == culprit.id for f in breaks)
    assert set(culprit.explains) == {f.id for f in breaks}
    assert report.counts[ERROR] == 1 and report.explained == 3
    assert report.summary() == "校验未通过：1 处错误"
    [story] = stories(report)
    assert story.finding is culprit and [f.cell for f in story.consequences] == [f.cell for f in breaks]


def test_the_culprit_message_leads_with_the_cell_and_what_to_do():
    [culprit] = only(one_typo_with_a_blank_total(), "locate.culprit")
    assert culprit.message.startswith("D8「（一）予以公开·自然人」 现为 33，很可能填错，请核对原始登记后改正。")
    assert "如果只错了这一格，它应为 3" in culprit.message
    assert "改为" not in culprit.message and "全部成立" not in culprit.message


def test_consequences_point_at_the_culprit_and_say_not_to_touch_their_cell():
    report = one_typo_with_a_blank_total()
    for finding in report.findings:
        if finding.explained_by:
            assert finding.message.startswith("这一条是 D8 填错造成的：改正后自然成立，不要改动本格。")


def test_a_blank_total_over_the_typo_is_not_filled_from_the_wrong_number():
    report = one_typo_with_a_blank_total()
    assert "t2.total.c_natural" not in report.filled
    assert "t2.total.c_natural" in report.cleared
    [culprit] = only(report, "locate.culprit")
    assert "合计 D29 暂不自动填入" in culprit.message


def test_an_ambiguity_is_one_error_naming_its_choices():
    report = an_ambiguity()
    [mistake] = only(report, "locate.ambiguous")
    assert mistake.severity == ERROR
    assert mistake.message.startswith("D6、D7、D8 中有一个填错，请逐一核对原始登记后改正填错的那一格。")
    assert "如果是 D8「（一）予以公开·自然人」，它应为 0" in mistake.message
    [balance] = only(report, "balance.applications")
    assert balance.explained_by == mistake.id
    assert balance.message.startswith("这一条是 D6、D7、D8 中某一格填错造成的")
    assert report.counts[ERROR] == 1


def test_text_in_a_number_cell_that_breaks_a_sum_is_one_finding_saying_both():
    report = text_that_breaks_a_sum()
    [culprit] = only(report, "locate.culprit")
    [text] = only(report, "value.text")
    assert culprit.key == text.key == "t2.new.c_natural"
    assert text.explained_by == culprit.id
    assert "填的是文字“3件”（应填数字，读作 3）" in culprit.message and "它应为 5" in culprit.message
    [story] = stories(report)
    assert story.merged == (text,)
    assert text not in story.consequences
    assert report.counts[ERROR] == 1


def test_a_blank_report_is_three_errors_not_a_pass():
    report = check("2021", {})
    assert report.summary() == "校验未通过：3 处错误"
    assert [f.message.split("：")[0] for f in only(report, "table.blank")] == ["表一未填写", "表二未填写", "表三未填写"]


def test_the_heading_says_plainly_what_is_missing():
    report = check("2021", {}, header={})
    assert report.heading() == "未填写填报单位和报告年度 · 2021 年版格式"
    named = check("2021", {}, header={"unit": "某某街道办事处", "year": 2025})
    assert named.heading() == "某某街道办事处 · 2025 年度 · 2021 年版格式"


def test_every_finding_has_an_id_and_a_chinese_name_in_json():
    report = one_typo_with_a_blank_total()
    data = report.to_dict()
    ids = [f["id"] for f in data["findings"]]
    assert ids == [f"F{n}" for n in range(1, len(ids) + 1)]
    assert all(f["name"] for f in data["findings"])
    assert data["explained"] == 3 and data["counts"]["error"] == 1
    assert data["heading"] == "某某市某某局 · 2025 年度 · 2021 年版格式"


def test_a_break_no_mistake_explains_stays_an_error_of_its_own():
    """A culprit in 表二 explains nothing in 表三: that break keeps standing alone and counts."""

    def ref(key, cell, role):
        return CellRef(key, "表", cell, key, 1, role)

    culprit = Finding(
        "locate.culprit",
        ERROR,
        "D8 现为 33，很可能填错。",
        table="t2",
        key="t2.open.c_natural",
        cell="D8",
        cells=(ref("t2.open.c_natural", "D8", "culprit"),),
    )
    same_table = Finding(
        "sum.row_total",
        ERROR,
        "J8 填的是 3。",
        table="t2",
        key="t2.open.c_total",
        cell="J8",
        cells=(ref("t2.open.c_total", "J8", "total"), ref("t2.open.c_natural", "D8", "part")),
    )
    other_table = Finding(
        "sum.case_total",
        ERROR,
        "E6 填的是 99。",
        table="t3",
        key="t3.cases.review_total",
        cell="E6",
        cells=(ref("t3.cases.review_total", "E6", "total"),),
    )
    report = Report(version="2021", findings=[culprit, same_table, other_table])
    tell(FORM, report)
    by_rule = {f.rule: f for f in report.findings}
    assert by_rule["sum.row_total"].explained_by == by_rule["locate.culprit"].id
    assert by_rule["sum.case_total"].explained_by is None
    assert report.counts[ERROR] == 2
    assert [story.finding.rule for story in stories(report)] == ["locate.culprit", "sum.case_total"]


def test_a_report_without_cell_addresses_names_cells_by_their_labels():
    """The JSON API's values (no workbook, so no A1 addresses) with a typo and blank totals."""
    from server.pipeline import validate_values

    values = _natural(**{"t2.open.c_natural": 33, "t2.total.c_natural": None})
    report = validate_values(FORM, values, header=header_for(FORM))
    [mistake] = [f for f in report.findings if f.severity == "error" and not f.explained_by]
    assert mistake.key == "t2.open.c_natural" and "None" not in mistake.message
    assert "（七）总计·自然人" in mistake.message


def test_a_held_total_quoted_in_a_consequence_is_said_to_be_provisional():
    """D29 stays blank (it would be computed from the typo): where a consequence quotes it, it is 暂算作."""
    report = check("2021", _natural(**{"t2.open.c_natural": 33, "t2.total.c_natural": None}))
    told = [f.message for f in report.findings if f.explained_by and "D29" in f.message]
    assert told and all("D29 暂算作 35" in message for message in told)
    assert not any("D29 35" in f.message for f in report.findings)
