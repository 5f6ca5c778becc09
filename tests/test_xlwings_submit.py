"""The Excel add-in's 提交 button end to end (simulated): token, saved copy, 审核说明, refusals."""

from __future__ import annotations

import io

import openpyxl
from district_data import workbook

from server.district.db import get_session
from server.district.models import Submission
from tools.excel_sim import flask_post
from tools.excel_sim import submit_click


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _submissions(app):
    with app.app_context():
        found = get_session().query(Submission).order_by(Submission.id).all()
        for submission in found:
            submission.unit_name = submission.unit.name
        return found


def test_submit_stores_the_saved_copy_for_the_unit(site):
    app, _ = site
    book = _book(workbook("甲街道办事处"))
    status, alerts, asked = submit_click(flask_post(app.test_client()), book, app.tokens["a"], name="甲街道2025.xlsx")
    assert status == 200 and not asked
    assert "已提交 2025 年度报告（第 1 版）" in alerts[-1]
    [stored] = _submissions(app)
    assert stored.channel == "excel" and stored.filename == "甲街道2025.xlsx" and stored.unit_name == "甲街道办事处"
    assert openpyxl.load_workbook(io.BytesIO(stored.content))["填报信息"]["B4"].value == "甲街道办事处"
    assert "_upload" not in book.sheetnames and "校验结果" in book.sheetnames


def test_warnings_ask_for_the_explanation_then_submit(site):
    app, _ = site
    book = _book(workbook("甲街道办事处", **{"t1.rules.issued": 1, "t1.rules.in_force": 1}))
    status, alerts, asked = submit_click(
        flask_post(app.test_client()), book, app.tokens["a"], answer="转发市政府规章一件，已核实。"
    )
    assert asked and "审核说明" in asked[0]
    assert "已提交" in alerts[-1]
    [stored] = _submissions(app)
    assert stored.explanation == "转发市政府规章一件，已核实。" and stored.warnings >= 1


def test_errors_are_refused_and_flagged(site):
    app, _ = site
    book = _book(workbook("甲街道办事处", **{"t2.open.c_natural": 999}))
    status, alerts, _ = submit_click(flask_post(app.test_client()), book, app.tokens["a"])
    assert "不能提交" in alerts[-1] and "错误" in alerts[-1]
    assert book["表二 依申请公开"]["D8"].fill.fgColor.rgb.endswith("FFC7CE")
    assert _submissions(app) == []


def test_a_token_of_another_unit_cannot_submit_this_units_workbook(site):
    app, _ = site
    status, alerts, _ = submit_click(flask_post(app.test_client()), _book(workbook("甲街道办事处")), app.tokens["b"])
    assert "不能替其他单位提交" in alerts[-1]
    assert _submissions(app) == []


def test_without_a_valid_token_the_clerk_is_told_how_to_set_it(site):
    app, _ = site
    status, alerts, _ = submit_click(flask_post(app.test_client()), _book(workbook("甲街道办事处")), "jcnb_wrong")
    assert status == 200 and "令牌" in alerts[-1]


def test_the_excel_submit_validates_the_workbook_once(site, monkeypatch):
    """Regression: the 提交 button checked the file for its actions, then service.submit checked it again."""
    import server.workbook

    app, _ = site
    calls = []
    validate = server.workbook.validate_values

    def counting(*args, **kwargs):
        calls.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(server.workbook, "validate_values", counting)
    status, alerts, _ = submit_click(flask_post(app.test_client()), _book(workbook("甲街道办事处")), app.tokens["a"])
    assert "已提交" in alerts[-1]
    assert len(calls) == 1
