"""Plausibility (P1–P8), header (P10, P11) and cross-year (X1–X5) rules: pass, fail, undecided."""

from __future__ import annotations

import oracle
import pytest
from builders import consistent_values
from builders import header_for
from builders import with_totals
from engine import check
from engine import only

from server.findings import ERROR
from server.findings import INFO
from server.findings import WARNING
from server.forms import get_form


def _outcome(report, rule):
    outcome = report.outcomes.get(rule)
    return (outcome.passed, outcome.failed, outcome.undecided) if outcome else (0, 0, 0)


# Declared single-year checks ----------------------------------------------------

DECLARED = [
    # (version, rule, key to change, new value, (other key, value) to make it fail)
    ("2019", "plaus.change_floor", "t1.licensing.change", -10, ("t1.licensing.prev_items", 4)),
    ("2019", "plaus.published_le_total", "t1.normative.published", 9, ("t1.normative.total_public", 3)),
    ("2021", "plaus.in_force_ge_issued", "t1.rules.in_force", 2, ("t1.rules.issued", 5)),
]


@pytest.mark.parametrize(("version", "rule", "key", "value", "other"), DECLARED, ids=[d[1] for d in DECLARED])
def test_declared_check_passes_fails_and_is_undecided(version, rule, key, value, other):
    values = consistent_values(version, seed=31)
    assert _outcome(check(version, values), rule)[1:] == (0, 0)
    failing = {**values, key: value, other[0]: other[1]}
    report = check(version, failing)
    [finding] = only(report, rule)
    assert (finding.key, finding.severity, finding.actual) == (key, WARNING, value)
    assert finding.check in ("P1", "P2", "P3")
    undecided = check(version, {**failing, other[0]: "不详"})
    assert not only(undecided, rule)
    assert _outcome(undecided, rule)[2] == 1
    assert [f.key for f in undecided.findings if f.rule == "check.undecided"] == [other[0]]


# Special plausibility rules -------------------------------------------------------


def test_rules_reported_by_a_street_office():
    values = {**consistent_values("2021", seed=32), "t1.rules.issued": 1, "t1.rules.in_force": 6}
    report = check("2021", values, header=header_for(get_form("2021"), unit="某某区某某街道办事处"))
    [finding] = only(report, "plaus.rules_power")
    assert finding.key == "t1.rules.issued" and finding.severity == WARNING
    assert _outcome(check("2021", values), "plaus.rules_power") == (1, 0, 0)
    assert _outcome(check("2021", values, header={"year": 2025}), "plaus.rules_power") == (0, 0, 1)


def test_item_counts_typed_as_decisions():
    values = consistent_values("2019", seed=33)
    for row in ("licensing", "other_services", "penalty", "enforcement"):
        values[f"t1.{row}.decisions"] = values[f"t1.{row}.prev_items"] + values[f"t1.{row}.change"]
    values["t1.licensing.decisions"] = max(values["t1.licensing.decisions"], 1)
    values["t1.licensing.prev_items"] = values["t1.licensing.decisions"] - values["t1.licensing.change"]
    report = check("2019", values)
    [finding] = only(report, "plaus.items_as_decisions")
    assert finding.severity == WARNING
    assert _outcome(check("2019", consistent_values("2019", seed=33)), "plaus.items_as_decisions") == (1, 0, 0)
    undecided = check("2019", {**values, "t1.penalty.change": "0%?"})
    assert _outcome(undecided, "plaus.items_as_decisions") == (0, 0, 1)


def test_procurement_reported_by_a_town_is_a_notice():
    values = {
        **consistent_values("2019", seed=34),
        "t1.procurement.projects": 37,
        "t1.fees.prev_items": 0,
        "t1.fees.change": 0,
    }
    report = check("2019", values, header=header_for(get_form("2019"), unit="鹿山街道"))
    [finding] = only(report, "plaus.town_fees")
    assert (finding.key, finding.severity) == ("t1.procurement.projects", INFO)
    assert _outcome(check("2019", values), "plaus.town_fees") == (1, 0, 0)


def test_carry_out_large_compared_with_applications():
    values = consistent_values("2021", seed=35)
    for key in ("t2.new.c_natural", "t2.new.c_total", "t2.carry_out.c_natural", "t2.carry_out.c_total"):
        values[key] += 600
    report = check("2021", values)
    [finding] = only(report, "plaus.carry_out_ratio")
    assert finding.key == "t2.carry_out.c_total"
    assert _outcome(check("2021", {**values, "t2.new.c_total": "?"}), "plaus.carry_out_ratio") == (0, 0, 1)


def test_cases_without_any_application():
    form = get_form("2021")
    values = {key: 0 for key in form.cells}
    values.update({"t3.cases.review_upheld": 1, "t3.cases.review_total": 1})
    report = check("2021", values)
    [finding] = only(report, "plaus.cases_without_applications")
    assert (finding.key, finding.severity) == ("t3.cases.review_upheld", INFO)


# Header rules ------------------------------------------------------------------------


def test_version_must_match_the_report_year():
    values = consistent_values("2019", seed=36)
    report = check("2019", values, header=header_for(get_form("2019"), year=2022, date="2023-01-10"))
    [finding] = only(report, "header.version_year")
    assert (finding.severity, finding.expected, finding.actual, finding.cell) == (ERROR, "2021", "2019", "B5")
    assert finding.sheet == "填报信息"


def test_signature_date_before_the_end_of_the_statistics_period():
    report = check(
        "2019", consistent_values("2019", seed=37), header=header_for(get_form("2019"), date="2020年12月30日")
    )
    [finding] = only(report, "header.date_early")
    assert (finding.key, finding.severity, finding.actual) == ("header.date", WARNING, "2020-12-30")


@pytest.mark.parametrize(
    ("header", "rule"),
    [
        ({"year": 2025}, "header.missing"),
        ({"unit": "某局", "year": "二〇二五"}, "header.year_invalid"),
        ({"unit": "某局", "year": 2025, "date": "下周"}, "header.date_invalid"),
    ],
    ids=["unit missing", "year unreadable", "date unreadable"],
)
def test_header_problems(header, rule):
    report = check("2021", consistent_values("2021", seed=38), header=header)
    assert only(report, rule)


# Cross-year ----------------------------------------------------------------------------


def _last_year(version, seed, **header):
    form = get_form(version)
    return check(version, consistent_values(form, seed=seed), header=header_for(form, **header))


def test_carry_in_must_equal_last_years_carry_out_across_the_format_change():
    last = _last_year("2019", 41, year=2020)
    carried = {c: last.values[f"t2.carry_out.{c}"] + 2 for c in oracle.T2_PARTS}
    last = check(
        "2019",
        _carrying("2019", last.values, "carry_out", carried),
        header=header_for(get_form("2019"), year=2020),
    )
    # 四 differs from 二 last year, so comparing with the wrong row of last year's report cannot pass.
    assert all(last.values[f"t2.carry_out.{c}"] != last.values[f"t2.carry_in.{c}"] for c in oracle.T2_COLUMNS)
    header = header_for(get_form("2021"), year=2021, date="2022-01-10")
    fixed = _carrying("2021", consistent_values("2021", seed=42), "carry_in", carried)
    report = check("2021", fixed, header=header, last_year=last)
    assert _outcome(report, "cross.carry_in") == (7, 0, 0)
    assert not only(report, "cross.carry_in")
    broken = _carrying("2021", fixed, "carry_in", {"c_natural": carried["c_natural"] + 1})
    report = check("2021", broken, header=header, last_year=last)
    assert _outcome(report, "cross.carry_in") == (5, 2, 0)
    findings = {f.key: (f.expected, f.actual, f.severity) for f in only(report, "cross.carry_in")}
    assert findings == {
        "t2.carry_in.c_natural": (carried["c_natural"], carried["c_natural"] + 1, WARNING),
        "t2.carry_in.c_total": (last.values["t2.carry_out.c_total"], last.values["t2.carry_out.c_total"] + 1, WARNING),
    }


def _carrying(version: str, values: dict, row: str, numbers: dict) -> dict:
    """The values with 二 or 四 set per applicant column, 一 rebalanced (I3) and every total recomputed."""
    out = dict(values)
    for column, number in numbers.items():
        out[f"t2.{row}.{column}"] = number
        results = sum(out[f"t2.{r}.{column}"] for r in oracle.RESULT_ROWS[version])
        new = results + out[f"t2.carry_out.{column}"] - out[f"t2.carry_in.{column}"]
        out[f"t2.carry_out.{column}"] -= min(new, 0)
        out[f"t2.new.{column}"] = max(new, 0)
    return with_totals(get_form(version), out)


def test_in_force_chain_and_repeal_bound_between_two_2021_reports():
    last = _last_year("2021", 43, year=2024)
    values = consistent_values("2021", seed=44)
    # 规章 follows the chain (X2) and stays within what was available (X4); 行政规范性文件 repeals one too many.
    values["t1.rules.issued"], values["t1.rules.repealed"] = 2, 1
    values["t1.rules.in_force"] = last.values["t1.rules.in_force"] + 2 - 1
    available = last.values["t1.normative.in_force"] + values["t1.normative.issued"]
    values["t1.normative.repealed"] = available + 1
    report = check("2021", values, last_year=last)
    assert _outcome(report, "cross.repealed_le_available") == (1, 1, 0)
    [repealed] = only(report, "cross.repealed_le_available")
    assert (repealed.key, repealed.expected, repealed.actual, repealed.severity) == (
        "t1.normative.repealed",
        f"≤ {available}",
        available + 1,
        WARNING,
    )
    assert _outcome(report, "cross.in_force_chain") == (1, 1, 0)
    [chain] = only(report, "cross.in_force_chain")
    assert (chain.key, chain.expected, chain.actual, chain.severity) == (
        "t1.normative.in_force",
        available - (available + 1),
        values["t1.normative.in_force"],
        WARNING,
    )


def test_cross_year_rules_do_not_run_without_last_year_or_across_versions():
    values = consistent_values("2021", seed=45)
    assert "cross.carry_in" not in check("2021", values).outcomes
    last = _last_year("2019", 46, year=2020)
    report = check("2021", values, header=header_for(get_form("2021"), year=2021, date="2022-01-05"), last_year=last)
    assert "cross.in_force_chain" not in report.outcomes
    passed, failed, undecided = _outcome(report, "cross.carry_in")
    assert (passed + failed, undecided) == (7, 0)


def test_unit_name_and_year_of_last_years_report():
    last = _last_year("2021", 47, year=2023, unit="某某市某某委员会")
    report = check("2021", consistent_values("2021", seed=48), last_year=last)
    assert only(report, "cross.unit_changed")
    assert only(report, "cross.year_gap")
    assert "cross.carry_in" not in report.outcomes


@pytest.mark.parametrize(
    ("unit", "date", "deadline"),
    [
        ("某某市某某局", "2026-02-01", "2026-01-31"),
        ("某某区人民政府办公室", "2026-02-01", "2026-01-31"),
        ("某某县人民政府", "2026-04-01", "2026-03-31"),
    ],
)
def test_a_report_dated_after_the_statutory_deadline_is_noted(unit, date, deadline):
    form = get_form("2021")
    report = check("2021", consistent_values(form, seed=38), header=header_for(form, unit=unit, year=2025, date=date))
    [finding] = only(report, "header.date_late")
    assert (finding.key, finding.severity, finding.actual, finding.expected) == (
        "header.date",
        INFO,
        date,
        f"不晚于 {deadline}",
    )
    assert "第四十九条" in finding.message and date in finding.message


@pytest.mark.parametrize(
    ("unit", "date"),
    [
        ("某某县人民政府", "2026-03-31"),  # a government has until 31 March
        ("某某市某某局", "2026-01-31"),
        ("某某街道办事处", "2026-06-30"),  # 街道/乡镇: deadlines set locally, not checked
        ("某某镇人民政府", "2026-06-30"),
    ],
)
def test_no_deadline_note_in_time_or_for_towns(unit, date):
    form = get_form("2021")
    report = check("2021", consistent_values(form, seed=38), header=header_for(form, unit=unit, year=2025, date=date))
    assert not only(report, "header.date_late")
    assert ("header.date_late" in report.outcomes) == ("街道" not in unit and "镇" not in unit)
