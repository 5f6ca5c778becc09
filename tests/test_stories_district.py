"""Issue 10 at the district: refusals list mistakes with their consequences, blank reports are refused
everywhere, and the board marks reports of all zeros or of last year's numbers again."""

from __future__ import annotations

import re

import pytest
from builders import zero_values
from district_data import setup
from district_data import values_of
from district_data import workbook
from district_data import workbook_of
from test_district_web import _login
from test_district_web import _submit

from server.district import service
from server.district.board import ALL_ZERO
from server.district.board import SAME_AS_LAST_YEAR
from server.district.board import board_csv
from server.district.board import status_board
from server.errors import SubmissionRejected
from server.forms import get_form


def _typo():
    right = values_of()["t2.open.c_natural"]
    return workbook("甲街道办事处", **{"t2.open.c_natural": right + 30}), right


def test_a_refusal_lists_the_mistake_once_with_its_consequences(session):
    _, a, _ = setup(session)
    data, right = _typo()
    with pytest.raises(SubmissionRejected) as refused:
        service.submit(session, a, data, "甲.xlsx", None, "web")
    [mistake] = refused.value.errors
    assert mistake["rule"] == "locate.culprit" and mistake["suggestion"] == right
    assert {c["cell"] for c in mistake["consequences"]} == {"J8", "D29"}
    assert refused.value.message.startswith("校验发现 1 处错误，不能提交")


def test_a_blank_report_is_refused(session):
    _, a, _ = setup(session)
    with pytest.raises(SubmissionRejected) as refused:
        service.submit(session, a, workbook_of("甲街道办事处", 2025, {}), "甲.xlsx", None, "web")
    assert [e["rule"] for e in refused.value.errors] == ["table.blank"] * 3


def test_the_refusal_page_shows_consequences_under_their_mistake_without_rule_ids(site):
    app, logins = site
    page = _submit(_login(app, logins, "a"), _typo()[0]).get_data(as_text=True)
    assert "校验发现 1 处错误" in page
    assert re.search(r"很可能填错.*?<ul class=\"consequences\">.*?由上条引起：(表二 依申请公开 )?J8 行合计", page, re.S)
    assert "locate.culprit" not in page and "sum.row_total" not in page


def test_a_blank_report_cannot_be_submitted_from_the_web(site):
    app, logins = site
    response = _submit(_login(app, logins, "a"), workbook_of("甲街道办事处", 2025, {}), accept_json=True)
    assert response.status_code == 422
    assert [e["name"] for e in response.get_json()["errors"]] == ["整张表未填写"] * 3


def test_the_board_marks_a_report_of_all_zeros(session):
    district, a, b = setup(session)
    service.submit(session, a, workbook_of("甲街道办事处", 2025, zero_values(get_form("2021"))), "甲.xlsx", None, "web")
    service.submit(session, b, workbook("乙镇人民政府"), "乙.xlsx", None, "web")
    board = status_board(session, district, 2025)
    notes = {row.unit.name: row.notes for row in board.rows}
    assert notes == {"甲街道办事处": (ALL_ZERO,), "乙镇人民政府": ()}
    assert ALL_ZERO in board_csv(board).decode("utf-8-sig")


def test_the_board_marks_a_report_identical_to_last_year(session):
    district, a, b = setup(session)
    for unit, account in (("甲街道办事处", a), ("乙镇人民政府", b)):
        service.submit(session, account, workbook(unit, year=2024, seed=3), "2024.xlsx", "上年度报告", "web")
    service.submit(
        session, a, workbook("甲街道办事处", year=2025, seed=3), "2025.xlsx", "上年结转与上年不同的原因说明", "web"
    )
    service.submit(
        session, b, workbook("乙镇人民政府", year=2025, seed=4), "2025.xlsx", "上年结转与上年不同的原因说明", "web"
    )
    notes = {row.unit.name: row.notes for row in status_board(session, district, 2025).rows}
    assert notes == {"甲街道办事处": (SAME_AS_LAST_YEAR,), "乙镇人民政府": ()}


def test_the_board_page_shows_the_marker(site):
    app, logins = site
    _submit(_login(app, logins, "a"), workbook_of("甲街道办事处", 2025, zero_values(get_form("2021"))))
    board = _login(app, logins, "district").get("/district/?year=2025").get_data(as_text=True)
    assert re.search(r'data-unit="甲街道办事处">.*?<span class="board-note">数字全部为 0</span>', board, re.S)
