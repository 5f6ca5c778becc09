"""Answers of the localisation for a fixed set of random reports, recorded before it was made faster (issue 11).

Each case is a consistent report with ``typos`` detail cells of 表二 changed by 1–40 (the generator of
benchmarks/click_bench.py), totals typed or left blank, both form versions; the benchmark's own reports
(2021, seeds 0–7) are among them. For each, tests/test_locate_answers.py asserts that the locate findings
still say exactly what tests/data/locate_answers.json.gz recorded: the culprits in their order with the
suggested value (or the alternatives in their order, each cell with its value), and whether the answer is
marked as not proven minimal.

The answers were recorded with the code of commit a9baa0a (before the search prunes sets whose settled
changes cannot be kept). Only the cases that code answered without reaching its time limit are kept: what
a search stopped by the clock reports depends on the machine's load, so it cannot be a fixed answer. The
recording itself is not repeated by this module; after a deliberate change of an answer, record again with
the new code:

    .venv/bin/python tests/locate_answers.py --write
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from builders import with_typos  # noqa: E402
from engine import check  # noqa: E402

from server.locate import UNPROVEN  # noqa: E402

ANSWERS = HERE / "data" / "locate_answers.json.gz"
"""Gzipped JSON: a list of {"version", "seed", "typos", "blank", "answer"}."""


def summary(findings: list[dict]) -> list:
    """What the locate findings (JSON form, in report order) tell the clerk, without the wording."""
    out: list = []
    for finding in findings:
        unproven = UNPROVEN in finding["message"]
        if finding["rule"] == "locate.ambiguous":
            options = [[[cell["key"], cell["suggestion"]] for cell in option] for option in finding["alternatives"]]
            out.append(["ambiguous", options, unproven])
        elif finding["rule"] == "locate.culprit":
            out.append(["culprit", finding["key"], finding["suggestion"], finding["actual"], unproven])
        else:
            out.append([finding["rule"], finding["key"]])
    return out


def answer(version: str, seed: int, typos: int, blank: bool) -> list:
    """The summary of the locate findings for one case, with the current code."""
    report = check(version, with_typos(version, seed, typos, blank))
    return summary([f.to_dict() for f in report.findings if f.rule.startswith("locate.")])


def load() -> list[dict]:
    with gzip.open(ANSWERS, "rt", encoding="utf-8") as stream:
        return json.load(stream)


def write(cases: list[dict]) -> None:
    text = json.dumps(cases, ensure_ascii=False, separators=(",", ":"))
    with gzip.GzipFile(ANSWERS, "wb", mtime=0) as stream:
        stream.write(text.encode("utf-8"))


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write([{**case, "answer": answer(case["version"], case["seed"], case["typos"], case["blank"])} for case in load()])
