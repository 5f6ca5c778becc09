"""Differential fuzzing of the reading fast path, a bounded run kept in the suite.

:mod:`tools.fuzz_reader` mutates the XML of seed workbooks (positions, types,
styles, numbers, formulas, whitespace, prefixes, entities, shared strings,
sheet states, encodings, random bytes …) and reads each file both ways in
child processes under a memory limit: the fast path must give exactly
openpyxl's grids or leave the file to openpyxl, never raise, never crash the
child. More cases on demand: ``python -m tools.fuzz_reader --cases 20000 --seed N``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import fuzz_reader  # noqa: E402

CASES = 300
SEED = 20261127


def test_mutated_workbooks_are_read_alike_by_both_paths():
    counts, findings = fuzz_reader.fuzz(CASES, SEED, workers=2, slow_ms=float("inf"))
    assert counts["cases"] == CASES
    assert not findings, findings[:5]
    # the run means something: most files reach the readers, and some take the fast path
    assert counts["read"] > CASES // 2
    assert counts["fast"] > CASES // 20


def test_mutations_are_reproducible_and_change_the_file():
    corpus = fuzz_reader.seeds()
    first = [fuzz_reader.case(SEED, index, corpus) for index in range(5)]
    assert first == [fuzz_reader.case(SEED, index, corpus) for index in range(5)]
    assert len(set(first)) == 5


def test_a_fast_path_that_reads_otherwise_is_a_finding(monkeypatch):
    """The comparison sees one value of another type (5 read as 5.0) on an unmutated seed (the template)."""
    from server.xlsx import fast

    data = fuzz_reader.seeds()[0]
    assert fuzz_reader.run_case(data, float("inf")) == {
        "stage": "read",
        "fast": True,
        "why": None,
        "ms": pytest.approx(0, abs=1e9),
        "problems": [],
    }
    read = fast.read

    def wrong(*args, **kwargs):
        grids = read(*args, **kwargs)
        for grid in grids:
            for line in grid.rows:
                for column, value in enumerate(line):
                    if type(value) is int:
                        line[column] = float(value)
                        return grids
        raise AssertionError("no whole number in the template")

    monkeypatch.setattr(fast, "read", wrong)
    problems = fuzz_reader.run_case(data, float("inf"))["problems"]
    assert problems and problems[0].startswith("fast path disagrees"), problems
