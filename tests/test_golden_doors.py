"""Every door answers byte for byte as recorded (tests/golden_doors.py): speed work must not change an answer.

The 校验 click (first and second click, template and hand-typed workbooks), POST /api/v1/validate,
POST /api/v1/workbook and ``validate --json`` on clean reports, typos with totals typed or blank,
text in number cells and blank totals, for the 2019 and the 2021 format.
"""

from __future__ import annotations

import difflib
import json

import pytest
from golden_doors import answers
from golden_doors import recorded


@pytest.fixture(scope="module")
def now() -> dict[str, dict[str, str]]:
    return answers()


RECORDED = recorded()


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_every_door_answers_exactly_as_recorded(now, case):
    for door, text in RECORDED[case].items():
        if now[case][door] != text:
            diff = difflib.unified_diff(_lines(text), _lines(now[case][door]), "recorded", "now", lineterm="", n=1)
            pytest.fail(f"{case} · {door} changed:\n" + "\n".join(list(diff)[:40]))
    assert sorted(now[case]) == sorted(RECORDED[case])


def _lines(text: str) -> list[str]:
    """An answer as lines to compare: JSON one value a line."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1).splitlines()
    except ValueError:
        return text.splitlines()


def test_no_case_is_left_out(now):
    assert sorted(now) == sorted(RECORDED)
