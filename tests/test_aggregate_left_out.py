"""The 汇总 names the registered units it leaves out, and why — in the workbook and on the board before the download."""

from __future__ import annotations

import io
import re

import openpyxl
from district_data import setup
from district_data import workbook
from test_district_web import _login

from server.district import service
from server.district.aggregate import DETAIL_SHEET
from server.district.aggregate import INCLUDED_SHEET
from server.district.aggregate import aggregate
from server.district.aggregate import aggregate_workbook


def test_units_without_an_accepted_report_are_named_with_the_reason(session):
    district, a, b = setup(session)
    service.register_unit(session, "丙街道办事处", "街道办事处")
    session.commit()
    service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    returned = service.submit(session, b, workbook("乙镇人民政府"), "乙.xlsx", None, "web")
    service.return_submission(session, district, returned.id, "表三数字请核实")
    result = aggregate(session, district, 2025)
    assert [s.unit.name for s in result.included] == ["甲街道办事处"]
    assert result.left_out == [("丙街道办事处", "未提交"), ("乙镇人民政府", "已退回，没有通过的版本")]
    book = openpyxl.load_workbook(io.BytesIO(aggregate_workbook(session, district, 2025, "某区政务公开办")))
    rows = list(book[INCLUDED_SHEET].iter_rows(values_only=True))
    assert "包含 1 个单位" in rows[0][0] and "未计入 2 个单位" in rows[0][0]
    assert ("丙街道办事处", "未计入：未提交") in {(row[1], row[5]) for row in rows[2:]}
    assert ("乙镇人民政府", "未计入：已退回，没有通过的版本") in {(row[1], row[5]) for row in rows[2:]}
    titles = [cell.value for cell in book[DETAIL_SHEET][1]]
    assert titles[:2] == ["单位", "版本"] and not any(re.fullmatch(r"t\d\.[\w.]+", str(t)) for t in titles)


def test_a_returned_version_with_an_earlier_accepted_one_still_counts(session):
    district, a, b = setup(session)
    service.submit(session, a, workbook("甲街道办事处"), "甲.xlsx", None, "web")
    later = service.submit(session, a, workbook("甲街道办事处", seed=2), "甲2.xlsx", None, "web")
    service.return_submission(session, district, later.id, "请核实")
    result = aggregate(session, district, 2025)
    assert [s.unit.name for s in result.included] == ["甲街道办事处"]
    assert result.left_out == [("乙镇人民政府", "未提交")]


def test_the_board_warns_before_the_download(site):
    app, logins = site
    district = _login(app, logins, "district")
    page = district.get("/district/?year=2025").get_data(as_text=True)
    assert "汇总表将不包含 2 个单位" in page
    assert "甲街道办事处：未提交" in page and "乙镇人民政府：未提交" in page
