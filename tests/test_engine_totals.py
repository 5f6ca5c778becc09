"""Totals and blanks: blank derived cells filled, determined blanks deduced, other blanks grouped."""

from __future__ import annotations

from builders import consistent_values
from builders import zero_values
from engine import check
from engine import only
from engine import pairs

from server.findings import ERROR
from server.findings import INFO
from server.findings import WARNING
from server.forms import get_form


def test_blank_derived_cells_are_filled_with_their_sums():
    form = get_form("2021")
    values = consistent_values(form, seed=11)
    typed = {k: v for k, v in values.items() if not form.cells[k].derived}
    report = check("2021", typed)
    derived = {k for k, c in form.cells.items() if c.derived}
    assert set(report.filled) == derived
    assert all(report.filled[k] == values[k] for k in derived)
    assert pairs(report) == {("total.filled", "t2.new.c_total"), ("total.filled", "t3.cases.review_total")}
    assert all(f.severity == INFO for f in report.findings)


def test_one_blank_total_gets_a_finding_naming_that_cell():
    values = consistent_values("2019", seed=12)
    expected = values.pop("t2.total.c_other")
    report = check("2019", values)
    [finding] = report.findings
    assert (finding.rule, finding.key, finding.cell) == ("total.filled", "t2.total.c_other", "I27")
    assert report.filled == {"t2.total.c_other": expected}


def test_blank_carry_out_is_deduced_from_the_balance():
    values = consistent_values("2021", seed=13)
    expected = values.pop("t2.carry_out.c_natural")
    del values["t2.carry_out.c_total"]
    report = check("2021", values)
    assert report.filled["t2.carry_out.c_natural"] == expected
    [deduced] = only(report, "value.deduced")
    assert deduced.key == "t2.carry_out.c_natural" and deduced.expected == expected
    assert "第一项加第二项之和" in deduced.message
    assert not [f for f in report.findings if f.severity != INFO]


def test_a_blank_whose_deduction_would_be_negative_counts_as_zero():
    values = consistent_values("2021", seed=14)
    values["t2.new.c_welfare"] = 0
    values["t2.carry_in.c_welfare"] = 0
    values["t2.open.c_welfare"] += 2
    del values["t2.carry_out.c_welfare"]
    for key in (
        "t2.new.c_total",
        "t2.carry_in.c_total",
        "t2.open.c_total",
        "t2.total.c_welfare",
        "t2.total.c_total",
        "t2.carry_out.c_total",
    ):
        del values[key]
    report = check("2021", values)
    assert "t2.carry_out.c_welfare" not in report.filled
    assert ("value.blank", "t2.carry_out.c_welfare") in pairs(report, WARNING)
    assert report.values["t2.carry_out.c_welfare"] == 0


def test_blank_inputs_are_one_grouped_warning_per_table():
    form = get_form("2021")
    values = zero_values(form, totals=False)
    for key in ("t2.deny_1.c_natural", "t2.deny_2.c_natural", "t2.deny_5.c_natural", "t3.cases.review_pending"):
        del values[key]
    report = check("2021", values)
    blanks = only(report, "value.blank")
    assert [(f.key, f.severity) for f in blanks] == [
        ("t2.deny_1.c_natural", WARNING),
        ("t3.cases.review_pending", WARNING),
    ]
    assert [ref.cell for ref in blanks[0].cells] == ["D10", "D11", "D14"]
    assert "3 个应填单元格为空（D10、D11、D14）" in blanks[0].message
    assert report.values["t2.deny_1.c_natural"] == 0


def test_an_empty_template_is_three_blank_table_errors_and_zero_totals():
    """Issue 10: an empty template never passes as a report of zeros."""
    report = check("2021", {})
    assert not only(report, "value.blank")
    blank = only(report, "table.blank")
    assert [(f.severity, f.table) for f in blank] == [(ERROR, "t1"), (ERROR, "t2"), (ERROR, "t3")]
    assert blank[1].message.startswith("表二未填写：没有发生的请填 0")
    assert all(value == 0 for value in report.filled.values())
    assert not report.ok
    assert report.summary() == "校验未通过：3 处错误"


def test_one_table_left_blank_is_an_error_the_others_are_not():
    form = get_form("2021")
    values = {k: v for k, v in consistent_values(form, seed=15).items() if not k.startswith("t3.")}
    report = check("2021", values)
    assert [(f.rule, f.table) for f in report.findings if f.severity == ERROR] == [("table.blank", "t3")]


def test_a_table_of_typed_zeros_is_not_blank():
    form = get_form("2021")
    report = check("2021", zero_values(form))
    assert not only(report, "table.blank") and report.ok


def test_earlier_automatic_fills_are_recomputed_not_treated_as_typed():
    form = get_form("2021")
    values = consistent_values(form, seed=15)
    typed = {k: v for k, v in values.items() if not form.cells[k].derived}
    first = check("2021", typed)
    after_fill = {**typed, **first.filled}
    after_fill["t2.open.c_natural"] += 1
    after_fill["t2.new.c_natural"] += 1  # the column stays balanced: no mistake, the totals are recomputed
    second = check("2021", after_fill, autofilled=first.filled)
    assert second.filled["t2.open.c_total"] == first.filled["t2.open.c_total"] + 1
    assert not only(second, "sum.row_total")


def test_a_blank_total_over_a_likely_typo_is_held_until_the_fix():
    """Issue 10: D29 blank, D8 typed 33 for 3. D29 is not filled with 35; the culprit says so."""
    form = get_form("2021")
    values = consistent_values(form, seed=15)
    values.pop("t2.total.c_natural")
    right = values["t2.open.c_natural"]
    values["t2.open.c_natural"] = right + 30
    report = check("2021", values)
    [culprit] = only(report, "locate.culprit")
    assert culprit.key == "t2.open.c_natural" and culprit.suggestion == right
    assert "t2.total.c_natural" not in report.filled
    assert "t2.total.c_natural" in report.cleared
    assert ("t2.total.c_natural", "held") in {(ref.key, ref.role) for ref in culprit.cells}
    assert "合计 D29 暂不自动填入" in culprit.message
    assert not [f for f in report.findings if f.rule == "total.filled" and f.key == "t2.total.c_natural"]
    fixed = check("2021", {**values, "t2.open.c_natural": right})
    assert fixed.filled["t2.total.c_natural"] == consistent_values(form, seed=15)["t2.total.c_natural"]


def test_filling_is_idempotent():
    form = get_form("2019")
    values = consistent_values(form, seed=16)
    typed = {k: v for k, v in values.items() if not form.cells[k].derived}
    first = check("2019", typed)
    second = check("2019", {**typed, **first.filled}, autofilled=first.filled)
    assert second.filled == first.filled
    assert second.flat() == first.flat()
    third = check("2019", {**typed, **first.filled})
    assert third.filled == {} and third.findings == []


def test_a_stale_fill_that_can_no_longer_be_computed_is_cleared():
    form = get_form("2021")
    values = consistent_values(form, seed=17)
    typed = {k: v for k, v in values.items() if not form.cells[k].derived}
    first = check("2021", typed)
    broken = {**typed, **first.filled, "t2.open.c_natural": "见附件"}
    second = check("2021", broken, autofilled=first.filled)
    assert "t2.open.c_total" in second.cleared
    assert "t2.open.c_total" not in second.filled


def test_the_only_blank_of_a_column_is_deduced_even_when_it_is_zero():
    values = zero_values(get_form("2021"), totals=False)
    del values["t2.deny_3.c_commercial"]
    report = check("2021", values)
    assert report.filled["t2.deny_3.c_commercial"] == 0
    assert pairs(report) >= {("value.deduced", "t2.deny_3.c_commercial")}
    assert not only(report, "value.blank")


def test_too_many_findings_are_capped_with_a_notice():
    values = {key: "x" for key in get_form("2021").cells}
    report = check("2021", values, max_findings=20)
    assert len(report.findings) == 21
    notice = report.findings[-1]
    assert notice.rule == "report.truncated" and notice.sheet and notice.cell
    assert report.truncated > 0


def test_absurdly_large_numbers_are_unreadable_not_a_crash():
    values = {
        **consistent_values("2021", seed=18),
        "t2.open.c_natural": 1e308,
        "t2.deny_1.c_natural": "9" * 400,
        "t3.cases.review_upheld": 10**400,
    }
    report = check("2021", values)
    keys = {f.key for f in only(report, "value.unreadable")}
    assert keys == {"t2.open.c_natural", "t2.deny_1.c_natural", "t3.cases.review_upheld"}
    assert "超过一万亿" in only(report, "value.unreadable")[0].message
