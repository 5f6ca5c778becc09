"""Identity rules I1–I4: pass, fail, undecided; one finding per failure, totals and parts named."""

from __future__ import annotations

import pytest
from builders import consistent_values
from builders import without_totals
from engine import check
from engine import only
from engine import pairs

from server.findings import ERROR
from server.findings import UNDECIDED


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_consistent_report_passes_every_identity(version):
    report = check(version, consistent_values(version, seed=3))
    assert report.findings == []
    for rule in ("sum.row_total", "sum.results_total", "balance.applications", "sum.case_total"):
        outcome = report.outcomes[rule]
        assert outcome.failed == 0 and outcome.undecided == 0 and outcome.passed > 0


def test_typed_row_total_that_disagrees_is_kept_and_flagged_with_both_values():
    values = consistent_values("2021", seed=1)
    values["t2.open.c_total"] += 2
    report = check("2021", values)
    [finding] = only(report, "sum.row_total")
    assert finding.key == "t2.open.c_total"
    assert finding.cell == "J8" and finding.sheet == "表二 依申请公开"
    assert finding.actual == values["t2.open.c_total"]
    assert finding.expected == values["t2.open.c_total"] - 2
    assert [ref.role for ref in finding.cells] == ["total"] + ["part"] * 6
    assert "t2.open.c_total" not in report.filled
    assert report.values["t2.open.c_total"] == values["t2.open.c_total"]


def test_results_total_failure_names_the_total_and_every_part():
    values = consistent_values("2019", seed=2)
    values["t2.total.c_research"] += 1
    values["t2.total.c_total"] += 1
    report = check("2019", values)
    finding = next(f for f in only(report, "sum.results_total") if f.key == "t2.total.c_research")
    assert finding.check == "I2"
    assert len(finding.cells) == 1 + 19
    assert finding.severity == ERROR


def test_balance_failure_reports_on_the_carry_out_cell():
    values = consistent_values("2021", seed=4)
    values["t2.carry_out.c_legal"] += 1
    values["t2.carry_out.c_total"] += 1
    report = check("2021", values)
    [finding] = only(report, "balance.applications")
    assert finding.key == "t2.carry_out.c_legal"
    assert finding.actual - finding.expected == 1
    assert "第一项加第二项" in finding.message


def test_implied_failure_on_the_total_column_is_not_reported_twice():
    values = without_totals_but_rows(consistent_values("2021", seed=5))
    values["t2.carry_out.c_natural"] += 3
    report = check("2021", values)
    balance = only(report, "balance.applications")
    assert [f.key for f in balance] == ["t2.carry_out.c_natural"]
    assert report.outcomes["balance.applications"].failed == 2


def without_totals_but_rows(values):
    """Drop the computed 总计 row and column so the engine computes them."""
    from server.forms import get_form

    return without_totals(get_form("2021"), values)


def test_case_total_of_each_group():
    values = consistent_values("2021", seed=6)
    values["t3.cases.suit_after_total"] += 1
    report = check("2021", values)
    [finding] = only(report, "sum.case_total")
    assert finding.key == "t3.cases.suit_after_total"
    assert finding.cell == "O6"


def test_unreadable_part_makes_its_identities_undecided_and_names_the_blocking_cell():
    values = consistent_values("2021", seed=7)
    values["t2.deny_3.c_commercial"] = "见附件"
    report = check("2021", values)
    assert ("value.unreadable", "t2.deny_3.c_commercial") in pairs(report)
    [undecided] = only(report, "check.undecided")
    assert undecided.key == "t2.deny_3.c_commercial"
    assert undecided.status == UNDECIDED
    assert "行合计" in undecided.message and "办理结果总计" in undecided.message
    assert "I1" not in undecided.message and "I2" not in undecided.message
    assert report.outcomes["sum.row_total"].undecided == 1
    assert not only(report, "sum.row_total")


def test_recognised_text_is_used_in_the_sums_but_reported():
    values = consistent_values("2021", seed=8)
    number = values["t2.open.c_natural"]
    values["t2.open.c_natural"] = f"{number}件"
    report = check("2021", values)
    assert pairs(report, ERROR) == {("value.text", "t2.open.c_natural")}
    [finding] = only(report, "value.text")
    assert finding.suggestion == number and finding.actual == f"{number}件"
