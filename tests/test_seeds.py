"""The five seed reports entered into the template give exactly the findings FORMS.md §9 predicts."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from seeds import SEEDS
from seeds import seed_values

from server.workbook import validate_grids
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook

SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
_TOKEN = re.compile(r"^(\d+|\d+%|\d+个|[\d.]+万元)$")
_HEADING = re.compile(r"\n[一二三四五六七八九十]、")


def seed_workbook_bytes(seed) -> bytes:
    """The seed typed into the official template, as .xlsx bytes."""
    values, extra = seed_values(seed)
    book = make_workbook(seed.version, values, seed.header, extra=extra)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pairs(report):
    pairs = set()
    for finding in report.findings:
        pairs.add((finding.rule, finding.key if finding.key else (finding.sheet, finding.cell)))
    return pairs


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seed_gives_exactly_the_predicted_findings(seed):
    reading, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    assert reading.mode == "template"
    assert reading.form.version == seed.version
    assert (report.unit, report.year) == (seed.header["unit"], seed.header["year"])
    assert _pairs(report) == set(seed.expected)


def test_seed_003_blank_total_comes_out_filled_with_zero():
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    _, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    assert report.filled == {"t2.total.c_other": 0}
    [filled] = [f for f in report.findings if f.rule == "total.filled"]
    assert (filled.sheet, filled.cell, filled.expected) == ("表二 依申请公开", "I27", 0)
    suggestions = {f.key: f.suggestion for f in report.findings if f.rule == "value.text"}
    assert suggestions == {"t1.procurement.projects": 37, "t1.procurement.amount": 46.3}


def test_seed_001_percent_is_read_as_zero_with_a_suggestion():
    seed = next(s for s in SEEDS if s.name.startswith("001"))
    _, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    texts = [f for f in report.findings if f.rule == "value.text"]
    assert {(f.actual, f.suggestion) for f in texts} == {("0%", 0)}
    assert all("百分数" in f.message for f in texts)


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_transcription_matches_the_seed_text(seed):
    """The printed values in tests/seeds.py are exactly those of ../shared/seeds (when present)."""
    path = SHARED_SEEDS / f"{seed.name}.txt"
    if not path.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    text = path.read_text(encoding="utf-8")
    start = text.index("主动公开政府信息情况")
    last_header = list(re.finditer(r"尚\s*未\s*审\s*结", text))[-1].end()
    end = _HEADING.search(text, last_header).start()
    tokens = [part.strip() for line in text[start:end].splitlines() for part in line.split("\t")]
    printed = [str(v) for rows in (seed.t1, seed.t2, seed.t3) for row in rows for v in row if v is not None]
    assert [t for t in tokens if _TOKEN.match(t)] == printed
