"""The district path stays linear in the number of units (issue 11): lookups, last year's report, one validation.

Speed itself is measured by benchmarks/district_bench.py; these tests pin the
shape that makes it independent of N: a bounded number of queries per
submission, and one validation per workbook.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from district_data import next_year_values
from district_data import setup
from district_data import values_of
from district_data import workbook
from district_data import workbook_of
from sqlalchemy import event

import server.workbook
from server.district import collect
from server.district import service
from server.district.collect import FAILED
from server.district.collect import PENDING_TEXT
from server.district.collect import REFUSED
from server.district.collect import SAME
from server.district.collect import STORED
from server.district.collect import UNKNOWN
from server.district.collect import UNREADABLE
from server.district.collect import WRONG_YEAR
from server.district.collect import collect_files
from server.district.collect import workbook_files
from server.district.models import ACCEPTED
from server.district.models import PENDING


@contextmanager
def counted_queries(session):
    """A list that gets one entry per SQL statement executed inside the block."""
    statements = []
    engine = session.get_bind()

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _store(session, unit, year, seed, state=ACCEPTED):
    """Store a workbook of a unit without the checks of submit (last year's rows for the tests)."""
    data = workbook(unit.name, year=year, seed=seed)
    reading, report = service.check_workbook(session, unit, data)
    return service.store(session, unit, reading, report, data, f"{unit.name}.xlsx", None, "collect", None, state)


def _register(session, count, start=0):
    units = [service.register_unit(session, f"第{n}街道办事处", "街道办事处")[0] for n in range(start, start + count)]
    session.commit()
    return units


def test_the_queries_of_a_check_do_not_grow_with_the_number_of_units(session):
    """Regression: last_year_report loaded every submission of the year and queried each one's events."""
    _, a, _ = setup(session)
    _store(session, a.unit, 2024, seed=1)
    data = workbook("甲街道办事处", year=2025, seed=2)
    for unit in _register(session, 2):
        _store(session, unit, 2024, seed=3)
    with counted_queries(session) as few:
        service.check_workbook(session, a.unit, data)
    for unit in _register(session, 6, start=2):
        _store(session, unit, 2024, seed=3)
    with counted_queries(session) as many:
        service.check_workbook(session, a.unit, data)
    assert len(many) == len(few) <= 2


def test_last_years_report_is_the_newest_accepted_version(session):
    district, a, _ = setup(session)
    unit = a.unit

    def reference():
        return service.as_report(service.latest_accepted(session, 2024)[unit.id]).values

    assert service.last_year_report(session, unit, 2024) is None
    first = _store(session, unit, 2024, seed=1)
    second = _store(session, unit, 2024, seed=2)
    assert service.last_year_report(session, unit, 2024).values == reference() == values_of(2024, seed=2)
    service.return_submission(session, district, second.id, "请核实")
    assert service.last_year_report(session, unit, 2024).values == reference() == values_of(2024, seed=1)
    third = _store(session, unit, 2024, seed=3, state=PENDING)
    assert service.last_year_report(session, unit, 2024).values == values_of(2024, seed=1)  # pending does not count
    service.explain(session, a, third.id, "已经核实过这些数字。")
    report = service.last_year_report(session, unit, 2024)
    assert report.values == reference() == values_of(2024, seed=3)
    assert (report.version, report.year, report.unit) == ("2021", 2024, unit.name)
    assert first.id < second.id < third.id


@pytest.mark.parametrize("with_last_year", [False, True], ids=["first year", "second year"])
def test_a_workbook_is_validated_once(session, monkeypatch, with_last_year):
    """Regression: check_workbook validated again whenever last year's report existed."""
    _, a, _ = setup(session)
    if with_last_year:
        _store(session, a.unit, 2024, seed=1)
    calls = []
    validate = server.workbook.validate_values

    def counting(*args, **kwargs):
        calls.append(kwargs.get("last_year"))
        return validate(*args, **kwargs)

    monkeypatch.setattr(server.workbook, "validate_values", counting)
    service.check_workbook(session, a.unit, workbook("甲街道办事处", year=2025, seed=2))
    assert len(calls) == 1 and (calls[0] is not None) == with_last_year


def test_a_unit_is_found_by_its_name_written_differently(session):
    setup(session)
    assert service.unit_by_name(session, "甲街道办事处").name == "甲街道办事处"
    assert service.unit_by_name(session, " 甲 街道办事处 ").name == "甲街道办事处"
    assert service.unit_by_name(session, "乙镇人民政府").name == "乙镇人民政府"
    assert service.unit_by_name(session, "丙镇") is None and service.unit_by_name(session, "  ") is None
    assert set(service.unit_index(session)) == {"甲街道办事处", "乙镇人民政府"}


def _folder(tmp_path, name, books):
    folder = tmp_path / name
    folder.mkdir()
    for filename, data in books.items():
        (folder / filename).write_bytes(data)
    return workbook_files(folder)


def _district(session):
    district, a, b = setup(session)
    service.register_unit(session, "丙街道", "街道")
    session.commit()
    return district


def _jia(year):
    """甲's workbook of a year; from 2025 on, it carries on from the year before (cross-year rules hold)."""
    if year < 2025:
        return workbook("甲街道办事处", year=year, seed=year)
    return workbook_of("甲街道办事处", year, next_year_values(year, 5, values_of(year - 1, seed=year - 1)))


def _mixed(year):
    return {
        "甲.xlsx": _jia(year),
        "乙.xlsx": workbook("乙镇人民政府", year=year, **{"t2.open.c_natural": 999}),
        "丙.xlsx": workbook("丙街道", year=year, **{"t1.rules.issued": 2, "t1.rules.in_force": 2}),
        "丁.xlsx": workbook("丁镇", year=year),
        "坏.xlsx": b"not a workbook",
        "旧.xlsx": workbook("甲街道办事处", year=year - 1),
    }


EXPECTED = {
    "甲.xlsx": STORED,
    "乙.xlsx": REFUSED,
    "丙.xlsx": PENDING_TEXT,
    "丁.xlsx": UNKNOWN,
    "坏.xlsx": UNREADABLE,
    "旧.xlsx": WRONG_YEAR,
}


def test_collect_in_worker_processes_gives_the_same_results(session, tmp_path):
    district = _district(session)
    files = _folder(tmp_path, "2024", _mixed(2024))
    here = {r.file: r.status for r in collect_files(session, district, files, 2024, jobs=1)}
    assert here == EXPECTED
    again = {r.file: r.status for r in collect_files(session, district, files, 2024, jobs=2)}
    assert again == {**EXPECTED, "甲.xlsx": SAME, "丙.xlsx": SAME}
    files = _folder(tmp_path, "2025", _mixed(2025))
    pooled = list(collect_files(session, district, files, 2025, jobs=2))
    assert [r.file for r in pooled] == [path.name for path in files]  # the files' order
    assert {r.file: r.status for r in pooled} == EXPECTED
    stored = service.latest(session, 2025)
    assert sorted(s.unit.name for s in stored.values()) == ["丙街道", "甲街道办事处"]
    # the worker fetched last year's report: the cross-year rules ran against 2024's 甲
    jia = next(s for s in stored.values() if s.unit.name == "甲街道办事处")
    assert jia.report["outcomes"]["cross.carry_in"]["passed"] == 7


def test_collect_validates_each_file_once_against_last_year(session, tmp_path, monkeypatch):
    district = _district(session)
    list(collect_files(session, district, _folder(tmp_path, "2024", _mixed(2024)), 2024))
    calls = []
    validate = server.workbook.validate_values

    def counting(*args, **kwargs):
        calls.append(kwargs.get("last_year"))
        return validate(*args, **kwargs)

    monkeypatch.setattr(server.workbook, "validate_values", counting)
    results = list(collect_files(session, district, _folder(tmp_path, "2025", _mixed(2025)), 2025))
    validated = [r for r in results if r.status in (STORED, REFUSED, PENDING_TEXT)]
    assert len(calls) == len(validated) == 3
    assert [last is not None for last in calls].count(True) == 1  # only 甲 was accepted in 2024 (丙 is pending)


def test_a_file_that_cannot_be_written_leaves_the_rest_of_its_batch_stored(session, tmp_path, monkeypatch):
    district = _district(session)
    files = _folder(tmp_path, "2025", _mixed(2025))
    real_store = collect.store

    def failing(session, unit, *args, **kwargs):
        if unit.name == "丙街道":
            raise RuntimeError("disk full")
        return real_store(session, unit, *args, **kwargs)

    monkeypatch.setattr(collect, "store", failing)
    results = {r.file: r for r in collect_files(session, district, files, 2025)}
    assert {name: r.status for name, r in results.items()} == {**EXPECTED, "丙.xlsx": FAILED}
    assert "重新运行" in results["丙.xlsx"].detail and "disk" not in results["丙.xlsx"].detail
    assert [s.unit.name for s in service.latest(session, 2025).values()] == ["甲街道办事处"]
