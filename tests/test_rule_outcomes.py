"""Every rule with a passing, a failing and (where it can happen) a cannot-check case.

Rules whose job is to classify what a cell holds (value.text, value.unreadable,
value.blank …) or that report what the engine did (total.filled, locate.*)
have no "cannot check" outcome; they are listed in NO_UNDECIDED with the reason.
"""

from __future__ import annotations

import pytest
from builders import consistent_values
from builders import header_for
from engine import check

from server.forms import get_form
from server.rules.catalogue import RULES

V = "2021"
FORM = get_form(V)
BASE = consistent_values(FORM, seed=51)
LAST = check(V, consistent_values(FORM, seed=52), header=header_for(FORM, year=2024, date="2025-01-10"))


def _outcome(report, rule):
    outcome = report.outcomes.get(rule)
    return (outcome.passed, outcome.failed, outcome.undecided) if outcome else (0, 0, 0)


def _run(changes=None, **kwargs):
    return check(V, {**BASE, **(changes or {})}, **kwargs)


def _v2019(changes, **header):
    form = get_form("2019")
    return check("2019", {**consistent_values(form, seed=53), **changes}, header=header_for(form, **header))


# rule -> (pass case, fail case, cannot-check case); each a function returning a report
CASES = {
    "sum.row_total": (
        lambda: _run(),
        lambda: _run({"t2.open.c_total": BASE["t2.open.c_total"] + 1}),
        lambda: _run({"t2.open.c_legal": "?"}),
    ),
    "sum.results_total": (
        lambda: _run(),
        lambda: _run({"t2.total.c_legal": BASE["t2.total.c_legal"] + 1}),
        lambda: _run({"t2.deny_1.c_legal": "?"}),
    ),
    "balance.applications": (
        lambda: _run(),
        lambda: _run({"t2.carry_out.c_legal": BASE["t2.carry_out.c_legal"] + 1}),
        lambda: _run({"t2.new.c_legal": "?"}),
    ),
    "sum.case_total": (
        lambda: _run(),
        lambda: _run({"t3.cases.review_total": BASE["t3.cases.review_total"] + 1}),
        lambda: _run({"t3.cases.review_other": "?"}),
    ),
    "value.negative": (
        lambda: _run(),
        lambda: _run({"t1.penalty.decisions": -1}),
        lambda: _run({"t1.penalty.decisions": "?"}),
    ),
    "value.not_integer": (
        lambda: _run(),
        lambda: _run({"t1.penalty.decisions": 1.5}),
        lambda: _run({"t1.penalty.decisions": "?"}),
    ),
    "value.precision": (
        lambda: _run(),
        lambda: _run({"t1.fees.fee_amount": 1.123456}),
        lambda: _run({"t1.fees.fee_amount": "?"}),
    ),
    "plaus.in_force_ge_issued": (
        lambda: _run(),
        lambda: _run({"t1.rules.issued": 9, "t1.rules.in_force": 1}),
        lambda: _run({"t1.rules.issued": "?"}),
    ),
    "plaus.change_floor": (
        lambda: _v2019({}),
        lambda: _v2019({"t1.fees.change": -99}),
        lambda: _v2019({"t1.fees.change": "?"}),
    ),
    "plaus.published_le_total": (
        lambda: _v2019({}),
        lambda: _v2019({"t1.rules.published": 99}),
        lambda: _v2019({"t1.rules.published": "?"}),
    ),
    "plaus.rules_power": (
        lambda: _run(
            {"t1.rules.issued": 0, "t1.rules.repealed": 0, "t1.rules.in_force": 0},
            header=header_for(FORM, unit="某街道"),
        ),
        lambda: _run(header=header_for(FORM, unit="某街道")),
        lambda: _run(header=header_for(FORM, unit=None)),
    ),
    "plaus.items_as_decisions": (
        lambda: _v2019({}),
        lambda: _v2019(_copied_items()),
        lambda: _v2019({"t1.licensing.change": "?"}),
    ),
    "plaus.town_fees": (
        lambda: _run({"t1.fees.fee_amount": 0}, header=header_for(FORM, unit="某镇")),
        lambda: _run({"t1.fees.fee_amount": 5}, header=header_for(FORM, unit="某镇")),
        lambda: _run({"t1.fees.fee_amount": "?"}, header=header_for(FORM, unit="某镇")),
    ),
    "plaus.carry_out_ratio": (
        lambda: _run(),
        lambda: _run(_big_carry_out()),
        lambda: _run({"t2.carry_out.c_total": "?"}),
    ),
    "plaus.cases_without_applications": (
        lambda: _run(),
        lambda: check(V, _cases_only()),
        lambda: _run({"t3.cases.review_upheld": "?"}),
    ),
    "header.version_year": (
        lambda: _run(),
        lambda: _run(header=header_for(FORM, year=2020, date="2021-01-05")),
        lambda: _run(header=header_for(FORM, year=2018, date="2019-01-05")),
    ),
    "header.date_early": (
        lambda: _run(),
        lambda: _run(header=header_for(FORM, date="2025-06-30")),
        lambda: _run(header=header_for(FORM, year=None)),
    ),
    "header.date_late": (
        lambda: _run(),
        lambda: _run(header=header_for(FORM, year=2025, date="2026-02-10")),
        lambda: _run(header=header_for(FORM, unit=None)),
    ),
    "cross.carry_in": (
        lambda: _run(_carry_in_of(LAST), last_year=LAST),
        lambda: _run(last_year=LAST),
        lambda: _run({"t2.carry_in.c_natural": "?"}, last_year=LAST),
    ),
    "cross.in_force_chain": (
        lambda: _run(_chain(LAST), last_year=LAST),
        lambda: _run({"t1.normative.in_force": 999}, last_year=LAST),
        lambda: _run({"t1.normative.in_force": "?"}, last_year=LAST),
    ),
    "cross.repealed_le_available": (
        lambda: _run(last_year=LAST),
        lambda: _run({"t1.rules.repealed": 999}, last_year=LAST),
        lambda: _run({"t1.rules.repealed": "?"}, last_year=LAST),
    ),
}

NO_UNDECIDED = {
    "value.text": "classifies what a cell holds: text with a number fails, anything else passes or is value.unreadable",
    "value.numeric_text": "classifies what a cell holds",
    "value.unreadable": "is itself the report that a cell cannot be read",
    "value.formula": "is itself the report that a cell cannot be read (tests/test_hostile.py)",
    "value.blank": "counts blank cells per table",
    "table.blank": "a table is filled in or not (tests/test_engine_totals.py)",
    "value.deduced": "a notice of what the engine filled",
    "total.filled": "a notice of what the engine filled",
    "check.undecided": "is itself the cannot-check report",
    "locate.culprit": "explains failed identities",
    "locate.ambiguous": "explains failed identities",
    "locate.failed": "explains failed identities",
    "layout.stray": "found by the workbook reader (tests/test_workbook_labels.py, tests/test_seeds.py)",
    "layout.moved": "found by the workbook reader",
    "layout.missing_table": "found by the workbook reader",
    "layout.missing_row": "found by the workbook reader",
    "layout.missing_column": "found by the workbook reader",
    "layout.missing_value": "found by the published-report reader (tests/test_published_text.py)",
    "layout.unknown_row": "found by the published-report reader (tests/test_published_text.py)",
    "layout.other_version": "found by the published-report reader (tests/test_published_text.py)",
    "layout.label_fuzzy": "found by the published-report reader (tests/test_published_text.py)",
    "narrative.mismatch": "needs a document's text: pass, fail and undecided cases in tests/test_published_narrative.py",
    "header.missing": "a field is there or not",
    "header.year_invalid": "a year is readable or not",
    "header.date_invalid": "a date is readable or not",
    "cross.unit_changed": "compares two names (tests/test_engine_checks.py)",
    "cross.year_gap": "compares two years (tests/test_engine_checks.py)",
    "report.truncated": "a notice of the findings cap",
}


def _copied_items():
    values = consistent_values(get_form("2019"), seed=53)
    return {
        f"t1.{row}.decisions": values[f"t1.{row}.prev_items"] + values[f"t1.{row}.change"]
        for row in ("licensing", "other_services", "penalty", "enforcement")
    } | {"t1.licensing.prev_items": 5, "t1.licensing.change": 1, "t1.licensing.decisions": 6}


def _big_carry_out():
    return {
        key: BASE[key] + 900
        for key in ("t2.new.c_natural", "t2.new.c_total", "t2.carry_out.c_natural", "t2.carry_out.c_total")
    }


def _cases_only():
    values = {key: 0 for key in FORM.cells}
    values.update({"t3.cases.review_upheld": 1, "t3.cases.review_total": 1})
    return values


def _carry_in_of(last):
    from builders import with_totals

    values = {k: v for k, v in BASE.items() if k not in FORM.definitions}
    for column in ("c_natural", "c_commercial", "c_research", "c_welfare", "c_legal", "c_other"):
        delta = last.values[f"t2.carry_out.{column}"] - values[f"t2.carry_in.{column}"]
        values[f"t2.carry_in.{column}"] += delta
        values[f"t2.carry_out.{column}"] += delta
    return with_totals(FORM, values)


def _chain(last):
    return {
        f"t1.{row}.in_force": last.values[f"t1.{row}.in_force"] + BASE[f"t1.{row}.issued"] - BASE[f"t1.{row}.repealed"]
        for row in ("rules", "normative")
    }


def test_every_rule_is_covered_here_or_explained():
    assert set(RULES) <= set(CASES) | set(NO_UNDECIDED)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_passing_case(rule):
    passed, failed, undecided = _outcome(CASES[rule][0](), rule)
    assert passed > 0 and failed == 0


@pytest.mark.parametrize("rule", sorted(CASES))
def test_failing_case(rule):
    report = CASES[rule][1]()
    assert _outcome(report, rule)[1] > 0
    assert any(f.rule == rule for f in report.findings)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_cannot_check_case(rule):
    assert _outcome(CASES[rule][2](), rule)[2] > 0
