"""Every finding names its sheet and cell, speaks Chinese, and says what was expected and what was found."""

from __future__ import annotations

import pytest
from builders import consistent_values
from builders import header_for
from builders import without_totals
from engine import check
from seeds import SEEDS
from test_seeds import seed_workbook_bytes

from server.forms import get_form
from server.workbook import validate_grids
from server.xlsx.load import load_grids

FORM = get_form("2021")
BASE = consistent_values(FORM, seed=61)


def _reports():
    yield from (validate_grids(load_grids(seed_workbook_bytes(seed)))[1] for seed in SEEDS)
    yield check(
        "2021", {**BASE, "t2.open.c_natural": 99, "t1.fees.fee_amount": "251000元", "t2.deny_2.c_legal": "见附件"}
    )
    yield check("2021", {**without_totals(FORM, BASE), "t2.open.c_welfare": BASE["t2.open.c_welfare"] + 1})
    yield check(
        "2021",
        {**BASE, "t1.rules.issued": 5, "t1.rules.in_force": 1, "t3.cases.review_total": 0},
        header=header_for(FORM, unit="某街道", date="2025-03-01"),
    )
    yield check(
        "2021", {**BASE, "t1.penalty.decisions": -1.5, "t2.new.c_natural": 5000, "t2.carry_out.c_natural": 5000}
    )
    yield check("2021", {}, header={"year": "明年", "date": "某天"})
    yield check("2021", BASE, header=header_for(FORM, unit="某某县人民政府", year=2025, date="2026-05-08"))
    yield check(
        "2021", {**BASE, "t2.carry_out.c_natural": None, "t2.carry_out.c_total": None, "t1.fees.fee_amount": "减3"}
    )


FINDINGS = [f for report in _reports() for f in report.findings]


def test_the_cases_cover_many_rules():
    assert len({f.rule for f in FINDINGS}) >= 20


@pytest.mark.parametrize("finding", FINDINGS, ids=[f"{f.rule}@{f.cell}" for f in FINDINGS])
def test_finding_names_sheet_and_cell_in_chinese_with_expected_and_actual(finding):
    assert finding.sheet and finding.cell
    assert any("\u4e00" <= ch <= "\u9fff" for ch in finding.message)
    assert finding.cell in finding.message or finding.rule in (
        "value.blank",
        "table.blank",
        "total.filled",
        "locate.ambiguous",
        "locate.failed",
        "plaus.items_as_decisions",
        "plaus.cases_without_applications",
        "plaus.carry_out_ratio",
        "header.year_invalid",
        "header.date_invalid",
        "header.version_year",
        "header.date_early",
        "header.date_late",
        "cross.unit_changed",
        "cross.year_gap",
        "report.truncated",
        "layout.missing_table",
        "layout.missing_row",
        "layout.missing_column",
        "layout.moved",
    )
    assert finding.expected is not None, finding.rule
    # Issue 10: clerks read Chinese names, never rule ids or identity numbers (I1, P4 …) in front of a message.
    assert finding.rule not in finding.message
    assert not finding.check or f"{finding.check} " not in finding.message
    assert finding.name and any("\u4e00" <= ch <= "\u9fff" for ch in finding.name)
    assert finding.actual is not None or finding.rule in BLANK_ACTUAL, finding.rule


BLANK_ACTUAL = ("total.filled", "value.deduced", "value.blank", "table.blank", "header.missing")
"""Rules about blank cells: their ``actual`` is null, meaning the cell is empty (docs/findings.md)."""
