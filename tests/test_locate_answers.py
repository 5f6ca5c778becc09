"""The localisation gives the answers recorded before it was made faster (tests/locate_answers.py)."""

from __future__ import annotations

import pytest
from locate_answers import answer
from locate_answers import load

CASES = load()


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=[f"{c['version']}-{'blank' if c['blank'] else 'typed'}-{c['typos']}-{c['seed']}" for c in CASES],
)
def test_the_located_cells_values_and_order_are_as_recorded(case):
    assert answer(case["version"], case["seed"], case["typos"], case["blank"]) == case["answer"]


def test_the_recorded_cases_cover_many_typos_both_versions_and_both_kinds_of_totals():
    kinds = {(c["version"], c["blank"]) for c in CASES}
    assert kinds == {("2019", False), ("2019", True), ("2021", False), ("2021", True)}
    assert len(CASES) >= 300
    assert max(c["typos"] for c in CASES if not c["blank"]) >= 12
    assert any(c["answer"] and c["answer"][0][0] == "ambiguous" for c in CASES if not c["blank"])
