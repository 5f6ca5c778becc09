"""Sheets read without calamine: the rows of a skeleton whose only values are numbers (server.xlsx.fast._TEMPLATES).

The sheets of one template differ from file to file in their numbers; once calamine has read a sheet of a
skeleton seen before, its rows are remembered and the next sheets of that skeleton take their numbers from
their own text. Each file must read exactly as the openpyxl path reads it — names, hidden flags, every value
with its type — whatever was remembered before, under other limits, and from several threads at once.
"""

from __future__ import annotations

import random
import re
from functools import cache

from district_data import workbook
from hostile_files import _edit_part
from racing import race
from test_read_fast import ODD
from test_read_fast import PLAIN
from test_read_fast import SHARED
from test_read_fast import handmade
from test_read_fast import outcome

from server.xlsx import fast
from server.xlsx.archive import check_parts
from server.xlsx.limits import Limits
from server.xlsx.load import load_grids
from server.xlsx.load import load_with_openpyxl

NUMBERS = [
    "0", "7", "-0", "-3", "123456789", "1234567890", "999999999999999", "-999999999999999",
    "2.5", "-2.50", "0.1", "0.30000000000000004", "123456789012345.5", "5.0", "1e5", "00012", "",
]  # fmt: skip
"""Numbers put into the sheets' number cells: each form the plain form reads, and some it leaves to openpyxl."""
_NUMBER_VALUE = re.compile(r'(<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="n")?>(?:<f>[^<]*</f>)?)<v>[^<]*</v>')


def openpyxl_reads(data: bytes, limits: Limits):
    def read(data: bytes):
        check_parts(data, limits)[0].close()
        return load_with_openpyxl(data, limits)

    return outcome(read, data)


def fast_reads(data: bytes, limits: Limits):
    return outcome(lambda data: load_grids(data, limits), data)


def with_numbers(data: bytes, rng: random.Random, count: int) -> bytes:
    """The workbook with ``count`` number cells of each table sheet given numbers of :data:`NUMBERS`."""
    for sheet in ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"):

        def edit(text: str) -> str:
            cells = list(_NUMBER_VALUE.finditer(text))
            picked = {cell.start(): rng.choice(NUMBERS) for cell in rng.sample(cells, min(count, len(cells)))}
            return _NUMBER_VALUE.sub(
                lambda cell: cell[1] + f"<v>{picked[cell.start()]}</v>" if cell.start() in picked else cell[0], text
            )

        data = _edit_part(data, sheet, edit)
    return data


@cache
def files() -> list[bytes]:
    rng = random.Random(5)
    found = [workbook("甲街道办事处", year=2025, seed=seed) for seed in range(1, 5)]  # one unit: every sheet alike
    found += [workbook(unit, year=2025, seed=seed) for seed, unit in enumerate(("乙镇人民政府", "丙街道"), start=7)]
    found += [workbook("丁乡", year=2020, seed=9), workbook("丁乡", year=2020, seed=10)]  # the 2019 form
    found += [with_numbers(found[index % 4], rng, count) for index, count in enumerate((1, 1, 2, 3, 1, 2, 5, 1))]
    return found


def test_files_read_one_after_another_read_as_openpyxl_reads_them():
    limits = Limits()
    found = files()
    expected = [openpyxl_reads(data, limits) for data in found]
    fast._SKELETONS.clear()
    fast._TEMPLATES.clear()
    for _round in range(2):
        for data, wanted in zip(found, expected, strict=True):
            assert fast_reads(data, limits) == wanted
    assert fast._TEMPLATES  # sheets were read from remembered rows


def test_handmade_sheets_read_again_with_other_numbers_read_as_openpyxl_reads_them():
    """Formulas with cached numbers, formula text, shared strings, blanks, gaps: each sheet read four times,
    its numbers changed (the same skeleton or another), in either form of the workbook's parts."""
    limits = Limits()
    rng = random.Random(8)
    fast._SKELETONS.clear()
    fast._TEMPLATES.clear()
    for prefix in ("", "x"):
        for body in [*PLAIN.values(), *ODD.values()]:
            for _time in range(4):
                changed = _NUMBER_VALUE.sub(lambda cell: cell[1] + f"<v>{rng.choice(NUMBERS[:13])}</v>", body)
                data = handmade(changed, strings=SHARED, prefix=prefix)
                assert fast_reads(data, limits) == openpyxl_reads(data, limits), changed


def test_a_file_whose_sheets_are_all_remembered_is_read_without_calamine(monkeypatch):
    limits = Limits()
    fast._SKELETONS.clear()
    fast._TEMPLATES.clear()
    for seed in (1, 2):
        load_grids(workbook("甲街道办事处", year=2025, seed=seed), limits)
    data = workbook("甲街道办事处", year=2025, seed=3)
    reads = []
    original = fast._calamine
    monkeypatch.setattr(fast, "_calamine", lambda *args: reads.append(args) or original(*args))
    grids, why = fast.read(data, check_parts(data, limits)[1].xml, limits), None
    assert grids is not None and reads == [], why
    assert outcome(lambda data: grids, data) == openpyxl_reads(data, limits)


def test_other_limits_are_not_answered_from_rows_remembered_under_the_usual_ones():
    usual = Limits()
    found = files()[:4]
    for data in found:
        load_grids(data, usual)
        load_grids(data, usual)
    for limits in (Limits(text=3), Limits(rows=10), Limits(columns=2), Limits(cells=50)):
        for data in found:
            assert fast_reads(data, limits) == openpyxl_reads(data, limits), limits


def test_simultaneous_reads_get_what_each_gets_alone():
    limits = Limits()
    found = files()
    expected = [openpyxl_reads(data, limits) for data in found]

    def fresh() -> None:
        fast._SKELETONS.clear()
        fast._TEMPLATES.clear()

    race(
        lambda data: fast_reads(data, limits),
        found,
        expected,
        rounds=3,
        every=7,
        clear=fast._TEMPLATES.clear,
        fresh=fresh,
        repeat=2,
    )
