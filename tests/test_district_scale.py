"""The district path stays linear in the number of units (issue 11): lookups, last year's report, one validation.

Speed itself is measured by benchmarks/district_bench.py; these tests pin the
shape that makes it independent of N: a bounded number of queries per
submission, and one validation per workbook.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import openpyxl
import pytest
from district_data import next_year_values
from district_data import setup
from district_data import values_of
from district_data import workbook
from district_data import workbook_of
from sqlalchemy import event
from werkzeug.security import generate_password_hash

import server.workbook
from server.district import auth
from server.district import collect
from server.district import service
from server.district.aggregate import aggregate
from server.district.aggregate import aggregate_workbook
from server.district.board import status_board
from server.district.cli import import_unit_rows
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


def _validations(monkeypatch) -> list:
    """From now on, the last-year report of each validation, one entry per call."""
    calls = []
    validate = server.workbook.validate_values

    def counting(*args, **kwargs):
        calls.append(kwargs.get("last_year"))
        return validate(*args, **kwargs)

    monkeypatch.setattr(server.workbook, "validate_values", counting)
    return calls


@pytest.mark.parametrize("with_last_year", [False, True], ids=["first year", "second year"])
def test_a_workbook_is_validated_once(session, monkeypatch, with_last_year):
    """Regression: check_workbook validated again whenever last year's report existed."""
    _, a, _ = setup(session)
    if with_last_year:
        _store(session, a.unit, 2024, seed=1)
    calls = _validations(monkeypatch)
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
    calls = _validations(monkeypatch)
    results = list(collect_files(session, district, _folder(tmp_path, "2025", _mixed(2025)), 2025))
    validated = [r for r in results if r.status in (STORED, REFUSED, PENDING_TEXT)]
    assert len(calls) == len(validated) == 3
    assert [last is not None for last in calls].count(True) == 1  # only 甲 was accepted in 2024 (丙 is pending)


def test_a_file_that_cannot_be_written_leaves_the_rest_of_its_batch_stored(session, tmp_path, monkeypatch):
    district = _district(session)
    files = _folder(tmp_path, "2025", _mixed(2025))
    attempts = []

    def failing(real):
        def fields(report, version_no, data, filename, *args):
            attempts.append(filename)
            if filename == "丙.xlsx":
                raise RuntimeError("disk full")
            return real(report, version_no, data, filename, *args)

        return fields

    # the batch and the file-by-file retry (a batch of one) both fail on 丙
    monkeypatch.setattr(collect, "submission_fields", failing(collect.submission_fields))
    results = {r.file: r for r in collect_files(session, district, files, 2025)}
    assert {name: r.status for name, r in results.items()} == {**EXPECTED, "丙.xlsx": FAILED}
    assert "重新运行" in results["丙.xlsx"].detail and "disk" not in results["丙.xlsx"].detail
    assert [s.unit.name for s in service.latest(session, 2025).values()] == ["甲街道办事处"]
    assert attempts.count("丙.xlsx") == 2  # once in the batch, once on its own


def test_one_batch_numbers_the_versions_of_a_unit_in_order_and_skips_a_repeated_file(session, tmp_path, monkeypatch):
    """Several files of one unit in one batch: versions 1, 2 …, a copy of the newest is not stored again."""
    district = _district(session)
    failed = []  # batches whose writing failed (their files are then retried one by one)
    store_batch = collect._store_batch

    def recording(session, units, batch):
        try:
            return store_batch(session, units, batch)
        except Exception as error:
            failed.append(error)
            raise

    monkeypatch.setattr(collect, "_store_batch", recording)
    first, second = workbook("甲街道办事处", year=2024, seed=1), workbook("甲街道办事处", year=2024, seed=2)
    files = _folder(tmp_path, "2024", {"1.xlsx": first, "2.xlsx": second, "3.xlsx": second, "4.xlsx": first})
    results = [r.status for r in collect_files(session, district, files, 2024)]
    assert results == [STORED, STORED, SAME, STORED]
    versions = service.history(session, district, service.unit_by_name(session, "甲街道办事处").id, 2024)
    assert [(s.version_no, s.filename) for s in versions] == [(3, "4.xlsx"), (2, "2.xlsx"), (1, "1.xlsx")]
    assert all(len(s.cells) == len(versions[0].cells) > 100 for s in versions)
    again = [r.status for r in collect_files(session, district, [files[0], files[1], files[1]], 2024)]
    assert again == [SAME, STORED, SAME]  # 1.xlsx is a copy of the newest (4.xlsx); 2.xlsx is not
    assert service.history(session, district, versions[0].unit_id, 2024)[0].version_no == 4
    assert failed == []  # all written by the batch, none retried file by file


# 汇总 ---------------------------------------------------------------------------------------


def _reference_workbook(session, district, year: int, district_name: str) -> bytes:
    """The 汇总 workbook as it was built before the SQL sums: every submission and cell as ORM objects."""
    from openpyxl.styles import Font

    from server.district.aggregate import DETAIL_SHEET
    from server.district.aggregate import INCLUDED_SHEET
    from server.district.aggregate import _with_totals
    from server.district.board import local_time
    from server.forms import form_for_year
    from server.xlsx.template import make_workbook

    form = form_for_year(year)
    latest = sorted(service.latest_accepted(session, year).values(), key=lambda s: service.name_key(s.unit.name))
    included = [s for s in latest if s.form_version == form.version]
    excluded = [s for s in latest if s.form_version != form.version]
    inputs = [cell for cell in form.cells.values() if not cell.derived]
    stored = [{cell.key: cell.value for cell in s.cells} for s in included]
    sums = {cell.key: sum(values.get(cell.key) or 0 for values in stored) for cell in inputs}
    sums = {key: int(round(v, 4)) if round(v, 4) == int(round(v, 4)) else round(v, 4) for key, v in sums.items()}
    values = _with_totals(form, sums)
    book = make_workbook(form.version, values, {"unit": f"{district_name}（汇总）", "year": year})
    counted = {s.unit_id for s in latest}
    newest = service.latest(session, year)
    why = {None: "未提交", "returned": "已退回，没有通过的版本", "pending": "有提示待说明，补充审核说明后计入"}
    left = [
        (u.name, why[getattr(newest.get(u.id), "state", None)]) for u in service.units(session) if u.id not in counted
    ]
    sheet = book.create_sheet(INCLUDED_SHEET, len(book.sheetnames) - 1)
    missing = f"；未计入 {len(excluded) + len(left)} 个单位，原因列在下面" if excluded or left else ""
    sheet.append([f"{year}年度汇总包含 {len(included)} 个单位（每个单位最新一次通过的提交）{missing}"])
    sheet.append(["序号", "单位", "版本", "提交时间", "格式", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, s in enumerate(included, start=1):
        sheet.append([number, s.unit.name, s.version_no, local_time(s.submitted_at), s.form_version, "已计入"])
    for s in excluded:
        reason = f"使用了 {s.form_version} 年版格式，{year}年度应为 {form.version} 年版，不同版本不能相加"
        sheet.append(["", s.unit.name, s.version_no, local_time(s.submitted_at), s.form_version, f"未计入：{reason}"])
    for name, reason in left:
        sheet.append(["", name, None, None, None, f"未计入：{reason}"])
    for letter, width in zip("ABCDEF", (6, 30, 6, 18, 8, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet = book.create_sheet(DETAIL_SHEET, len(book.sheetnames) - 1)
    sheet.append(["单位", "版本"] + [f"{cell.table.name} {cell.label}" for cell in inputs])
    sheet.append(["（单元格键，供程序使用）", ""] + [cell.key for cell in inputs])
    for s, cells in zip(included, stored, strict=True):
        sheet.append([s.unit.name, s.version_no] + [cells.get(cell.key) for cell in inputs])
    sheet.append(["合计", ""] + [values[cell.key] for cell in inputs])
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _contents(data: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: (
            [list(row) for row in sheet.iter_rows(values_only=True)],
            [cell.font.b for row in sheet.iter_rows() for cell in row],
            sheet.freeze_panes,
            {letter: dim.width for letter, dim in sheet.column_dimensions.items()},
            sheet.sheet_state,
            [str(rng) for rng in sheet.merged_cells.ranges],
        )
        for sheet in book.worksheets
    }


def test_the_aggregate_workbook_is_the_same_as_before(session):
    """Sums by SQL and streamed sheets give exactly the workbook of the all-in-memory version."""
    district, a, b = setup(session)
    others = _register(session, 3)
    others[0].name = "A&B <街道> 办事处"  # text that must be escaped in the streamed XML
    session.commit()
    _store(session, a.unit, 2025, seed=1)
    returned = _store(session, a.unit, 2025, seed=2)
    service.return_submission(session, district, returned.id, "请核实")
    _store(session, b.unit, 2025, seed=3)
    pending = _store(session, others[0], 2025, seed=4, state=PENDING)
    service.explain(session, district, pending.id, "已核实，数字无误。")
    _store(session, others[1], 2025, seed=5, state=PENDING)  # not counted: no explanation
    data = workbook(others[2].name, year=2025, seed=6, version="2019")  # the wrong format version: listed, not summed
    reading, report = service.check_workbook(session, others[2], data)
    service.store(session, others[2], reading, report, data, "旧.xlsx", None, "collect", None, ACCEPTED)
    result = aggregate(session, district, 2025)
    assert [s.unit.name for s in result.included] == ["A&B <街道> 办事处", "甲街道办事处", "乙镇人民政府"]
    assert [s.unit.name for s, _ in result.excluded] == [others[2].name]
    assert result.left_out == [(others[1].name, "有提示待说明，补充审核说明后计入")]
    new = aggregate_workbook(session, district, 2025, "某区")
    assert _contents(new) == _contents(_reference_workbook(session, district, 2025, "某区"))
    assert len(_contents(new)["分单位明细"][0]) == 2 + 3 + 1


# Units import -------------------------------------------------------------------------------


def test_generated_passwords_hash_fast_and_older_hashes_still_verify(session):
    unit, credentials = service.register_unit(session, "丙街道", "街道")
    session.commit()
    account = unit.accounts[0]
    assert account.password_hash.startswith(auth.GENERATED_METHOD + "$")
    assert service.authenticate(session, credentials.login, credentials.password).id == account.id
    assert service.authenticate(session, credentials.login, credentials.password[:-1]) is None
    account.password_hash = generate_password_hash("an-older-password")  # werkzeug's default (scrypt), as before
    session.commit()
    assert service.authenticate(session, credentials.login, "an-older-password").id == account.id
    district, _, _ = setup(session)
    renewed = service.reset_password(session, district, unit.id)
    assert account.password_hash.startswith(auth.GENERATED_METHOD + "$")
    assert service.authenticate(session, credentials.login, renewed.password).id == account.id


def test_refusing_a_fast_hash_also_pays_the_slow_check(session, monkeypatch):
    """A wrong password takes as long to refuse for a unit (fast hash) as for an unknown login name."""
    unit, credentials = service.register_unit(session, "丙街道", "街道")
    session.commit()
    slow = []
    monkeypatch.setattr(auth, "no_password_matches", lambda password: slow.append(password) or False)
    assert service.authenticate(session, credentials.login, credentials.password) is not None
    assert slow == []
    assert service.authenticate(session, credentials.login, "wrong-password") is None
    assert service.authenticate(session, "nobody", "wrong-password") is None
    assert slow == ["wrong-password", "wrong-password"]


def test_units_import_in_batches_leaves_out_only_the_bad_rows(session):
    rows = [{"name": f"第{n}社区", "kind": "社区"} for n in range(450)]
    rows[250] = {"name": "第3社区", "kind": "社区"}  # already in the list: refused alone
    rows[260]["login"] = "unit002"  # taken by 第1社区's generated login: refused alone
    results = import_unit_rows(session, rows)
    assert [number for number, _, _ in results] == list(range(2, 452))
    refused = {number: text for number, _, text in results if text.startswith("未登记")}
    assert set(refused) == {252, 262} and "已经登记过了" in refused[252] and "unit002" in refused[262]
    assert len(service.unit_index(session)) == 448
    shown = [text for number, _, text in results if number not in refused]
    assert all("密码" in text and "jcnb_" in text for text in shown)


def test_the_board_queries_do_not_grow_with_the_number_of_submissions(session):
    """Regression: each submission's events were loaded by a query of their own (and its file with it)."""
    district, a, _ = setup(session)
    for unit in _register(session, 2):
        _store(session, unit, 2025, seed=3)
    session.expunge_all()
    with counted_queries(session) as few:
        assert status_board(session, district, 2025).counts()["已提交"] == 2
    for unit in _register(session, 6, start=2):
        _store(session, unit, 2025, seed=3)
    session.expunge_all()
    with counted_queries(session) as many:
        assert status_board(session, district, 2025).counts()["已提交"] == 8
    assert len(many) == len(few)
