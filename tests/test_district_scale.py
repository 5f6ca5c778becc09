"""The district path stays linear in the number of units (issue 11): lookups, last year's report, one validation.

Speed itself is measured by benchmarks/district_bench.py; these tests pin the
shape that makes it independent of N: a bounded number of queries per
submission, and one validation per workbook.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from district_data import setup
from district_data import values_of
from district_data import workbook
from sqlalchemy import event

import server.workbook
from server.district import service
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
