"""Property tests on reports built from the hand-written identities (tests/oracle.py): consistent reports pass, single changes are localised, filling is idempotent."""

from __future__ import annotations

import oracle
from builders import consistent_values
from builders import without_totals
from engine import check
from engine import only
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from server.findings import INFO
from server.forms import FORMS
from server.forms import get_form

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
versions = st.sampled_from(sorted(FORMS))
seeds = st.integers(min_value=0, max_value=10**6)
highs = st.integers(min_value=1, max_value=300)


@SETTINGS
@given(versions, seeds, highs)
def test_consistent_reports_have_no_findings(version, seed, high):
    report = check(version, consistent_values(version, seed=seed, high=high))
    assert report.findings == []
    assert report.ok


@SETTINGS
@given(versions, seeds, highs)
def test_consistent_reports_with_blank_totals_only_get_the_fill_notices(version, seed, high):
    form = get_form(version)
    values = consistent_values(form, seed=seed, high=high)
    report = check(version, without_totals(form, values))
    assert {f.rule for f in report.findings} == {"total.filled"}
    assert all(f.severity == INFO for f in report.findings)
    assert all(report.filled[key] == values[key] for key in form.definitions)


@st.composite
def single_change(draw):
    version = draw(versions)
    form = get_form(version)
    values = consistent_values(form, seed=draw(seeds), high=draw(highs))
    keys = sorted(key for key in form.cells if key.startswith("t2."))
    key = draw(st.sampled_from(keys))
    delta = draw(st.integers(min_value=-values[key], max_value=50).filter(lambda d: d != 0))
    return version, values, key, values[key] + delta


@SETTINGS
@given(single_change())
def test_any_single_change_in_table_two_is_localised_to_that_cell(case):
    version, values, key, wrong = case
    right = values[key]
    report = check(version, {**values, key: wrong})
    culprits = only(report, "locate.culprit")
    assert [(f.key, f.suggestion, f.actual) for f in culprits] == [(key, right, wrong)]
    assert not only(report, "locate.ambiguous")


@SETTINGS
@given(versions, seeds, highs)
def test_filling_totals_is_idempotent(version, seed, high):
    form = get_form(version)
    typed = without_totals(form, consistent_values(form, seed=seed, high=high))
    first = check(version, typed)
    again = check(version, {**typed, **first.filled}, autofilled=first.filled)
    assert again.filled == first.filled
    assert again.flat() == first.flat()
    assert check(version, {**typed, **first.filled}).findings == []


RULE_OF = {"I1": "sum.row_total", "I2": "sum.results_total", "I3": "balance.applications", "I4": "sum.case_total"}


@st.composite
def changed_reports(draw):
    """A consistent report (totals typed) with one to four 表二/表三 cells changed."""
    version = draw(versions)
    values = consistent_values(version, seed=draw(seeds), high=draw(highs))
    keys = sorted(key for key in values if key.startswith(("t2.", "t3.")))
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True)):
        values[key] = draw(st.integers(min_value=0, max_value=values[key] + 20))
    return version, values


@SETTINGS
@given(changed_reports())
def test_the_engine_finds_exactly_the_identities_the_hand_written_list_says_are_broken(case):
    """Per identity (I1–I4): instances checked and instances failing, counted by hand from tests/oracle.py."""
    version, values = case
    report = check(version, values)
    for name, rule in RULE_OF.items():
        instances = [(left, right) for n, left, right in oracle.identities(version) if n == name]
        broken = sum(sum(values[k] for k in left) != sum(values[k] for k in right) for left, right in instances)
        outcome = report.outcomes[rule]
        assert (outcome.passed + outcome.failed, outcome.failed, outcome.undecided) == (len(instances), broken, 0)
