"""The five seed reports (tests/data/seeds), their tables transcribed exactly as printed.

Each table is a list of printed rows, top to bottom, each row the values in
reading order — including what the clerk got wrong: ``0%`` and ``37个`` stay
text, the blank 其他 cell of seed 003's （七）总计 stays None, and seed 001's
16th 表三 value and seed 002's third （八） value are kept (they land in the
cell right of the row, where the template has no cell).

:func:`seed_values` lays the printed rows onto the form's rows in order, so
the seeds are "entered into the template" without re-listing any cell key.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from server.forms import get_form
from server.forms.derive import cell_key
from server.workbook.layout import a1
from server.workbook.layout import layout_for
from server.workbook.layout import parse_a1

SEED_DIR = Path(__file__).parent / "data" / "seeds"
"""The published report texts, with their sources in SOURCES.md."""


def _zeros(rows: int, width: int) -> list[list]:
    return [[0] * width for _ in range(rows)]


@dataclass(frozen=True)
class Seed:
    """One seed report as printed."""

    name: str
    version: str
    header: dict
    t1: list[list]
    t2: list[list] = field(default_factory=list)
    t3: list[list] = field(default_factory=list)
    expected: frozenset = frozenset()
    """(rule, cell key or (sheet, A1)) of every finding docs/forms.md §9 predicts."""


_T1_2019_ZERO = [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], [0, 0]]

SEEDS = [
    Seed(
        "000_6a62aa2c1e8ddeef",
        "2019",
        {"unit": "南山区六号街道", "year": 2020, "date": "2020年12月30日"},
        t1=_T1_2019_ZERO,
        t2=_zeros(23, 7),
        t3=_zeros(1, 15),
        expected=frozenset({("header.date_early", "header.date")}),
    ),
    Seed(
        "001_dcceb076e4f6c0f6",
        "2019",
        {"unit": "跃进街道办事处", "year": 2020, "phone": "0469-2651289"},
        t1=[[0, 0, 0], [0, 0, 0], [0, "0%", 0], [0, 0, 0], [0, "0%", 0], [0, 0, 0], [0, 0], [0, 0]],
        t2=_zeros(23, 7),
        t3=[[0] * 16],
        expected=frozenset(
            {
                ("value.text", "t1.licensing.change"),
                ("value.text", "t1.penalty.change"),
                ("layout.stray", ("表三 复议诉讼", "P6")),
            }
        ),
    ),
    Seed(
        "002_d96b637ce0123dd0",
        "2019",
        {"unit": "宽城区柳影街道办事处", "year": 2020},
        t1=[[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0]],
        t2=_zeros(23, 7),
        t3=_zeros(1, 15),
        expected=frozenset({("layout.stray", ("表一 主动公开", "D17"))}),
    ),
    Seed(
        "003_83bc54c343c5bdd9",
        "2019",
        {"unit": "富阳区鹿山街道", "year": 2020},
        t1=[[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], ["37个", "46.3万元"]],
        t2=[[1, 0, 0, 0, 0, 0, 1], [0] * 7, [1, 0, 0, 0, 0, 0, 1]]
        + _zeros(18, 7)
        + [[1, 0, 0, 0, 0, None, 1], [0] * 7],
        t3=_zeros(1, 15),
        expected=frozenset(
            {
                ("value.text", "t1.procurement.projects"),
                ("value.text", "t1.procurement.amount"),
                ("total.filled", "t2.total.c_other"),
                ("plaus.town_fees", "t1.procurement.projects"),
            }
        ),
    ),
    Seed(
        "004_a040158305f21b8a",
        "2021",
        {"unit": "坛山街道办事处", "year": 2021, "phone": "0632-7711061"},
        t1=[[0, 0, 0], [0, 0, 0], [0], [0], [0], [0]],
        t2=_zeros(25, 7),
        t3=_zeros(1, 15),
        expected=frozenset(),
    ),
]


def seed_values(seed: Seed) -> tuple[dict, dict]:
    """(values by cell key, extra values by (sheet, A1)) of a seed laid onto its form."""
    form = get_form(seed.version)
    addresses = layout_for(seed.version).addresses
    values, extra = {}, {}
    for table, printed in zip(form.tables, (seed.t1, seed.t2, seed.t3), strict=True):
        assert len(printed) == len(table.rows), f"{seed.name} {table.name}: {len(printed)} printed rows"
        for row, numbers in zip(table.rows, printed, strict=True):
            columns = table.block_of(row.key).columns
            for column, value in zip(columns, numbers, strict=False):
                values[cell_key(table.key, row.key, column.key)] = value
            last = cell_key(table.key, row.key, columns[-1].key)
            for offset, value in enumerate(numbers[len(columns) :], start=1):
                sheet, address = addresses[last]
                r, c = parse_a1(address)
                extra[(sheet, a1(r, c + offset + _merge_extra(seed.version, last)))] = value
    return values, extra


def _merge_extra(version: str, key: str) -> int:
    """Columns a stretched value cell spans beyond its first (V2021 single-column blocks)."""
    for sheet in layout_for(version).sheets:
        for slot in sheet.slots:
            if slot.key == key:
                return slot.cols - 1
    return 0


def expected_pairs(seed: Seed) -> set[tuple[str, object]]:
    """The predicted findings as (rule, key or (sheet, A1))."""
    return set(seed.expected)
