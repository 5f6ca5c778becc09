"""The add-in door never answers the add-in with anything but a 200 and a Chinese message box.

xlwings' Remote.bas shows any other answer as raw text in a message box (JSON, an HTML error
page); plain 4xx stay for callers that are not the add-in.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from district_data import workbook

from server.forms import get_form
from server.xlsx.template import make_workbook
from tools.excel_sim import UPLOAD_SHEET
from tools.excel_sim import _add_upload_sheet
from tools.excel_sim import _saved_copy
from tools.excel_sim import addin_header
from tools.excel_sim import build_payload
from tools.excel_sim import include_of

ADDIN = {"X-JCNB-Addin": addin_header()}


def _payload() -> dict:
    form = get_form("2021")
    book = make_workbook("2021", consistent_values(form, seed=3), header_for(form))
    return build_payload(book, include=include_of(book))


def _alert(response) -> str:
    """The one message box of an answer (asserting that it is one)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    [action] = response.get_json()["actions"]
    assert action["func"] == "alert"
    return action["args"][0]


def _sheet(payload: dict, name: str) -> dict:
    return next(sheet for sheet in payload["sheets"] if sheet["name"] == name)


def test_a_request_over_the_size_limit_is_a_message_box_for_the_add_in(app):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    payload = _payload()
    _sheet(payload, "表一 主动公开")["values"].append(["x" * 100_000])
    text = _alert(app.test_client().post("/xlwings/validate", json=payload, headers=ADDIN))
    assert "工作簿太大" in text and "0 MB" not in text


def test_a_request_over_the_size_limit_is_a_plain_413_for_anyone_else(app):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    payload = _payload()
    _sheet(payload, "表一 主动公开")["values"].append(["x" * 100_000])
    response = app.test_client().post("/xlwings/validate", json=payload)
    assert response.status_code == 413 and "工作簿太大" in response.get_data(as_text=True)


def test_an_internal_error_is_a_message_box(client, monkeypatch):
    import server.xlwings_bridge as bridge

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(bridge, "validate_grids", broken)
    text = _alert(client.post("/xlwings/validate", json=_payload(), headers=ADDIN))
    assert "内部错误" in text and "boom" not in text


def _damage(kind: str, payload: dict) -> dict:
    table = _sheet(payload, "表二 依申请公开")["values"]
    if kind == "sheet not an object":
        payload["sheets"].append(5)
    elif kind == "values a string":
        _sheet(payload, "表一 主动公开")["values"] = "abc"
    elif kind == "row not a list":
        table.append(5)
    elif kind == "year NaN":
        _sheet(payload, "填报信息")["values"][4][1] = float("nan")
    elif kind == "infinity":
        table[7][3] = float("inf")
    elif kind == "lone surrogate":
        table[7][3] = "\ud800"
    elif kind == "object in a cell":
        table[7][3] = {"a": 1}
    elif kind == "no version":
        del payload["version"]
    elif kind == "book not an object":
        payload["book"] = "年报.xlsx"
    return payload


@pytest.mark.parametrize(
    "kind",
    [
        "sheet not an object",
        "values a string",
        "row not a list",
        "year NaN",
        "infinity",
        "lone surrogate",
        "object in a cell",
        "no version",
        "book not an object",
    ],
)
def test_a_damaged_payload_is_a_chinese_message_box(client, kind):
    body = json.dumps(_damage(kind, _payload()))  # ASCII: a lone surrogate travels as \\ud800, as VBA-JSON writes it
    text = _alert(client.post("/xlwings/validate", data=body, content_type="application/json", headers=ADDIN))
    assert "内部错误" not in text
    assert "校验服务" in text or "单元格" in text


def test_a_bad_cell_is_named_by_sheet_and_address(client):
    body = json.dumps(_damage("infinity", _payload()))
    text = _alert(client.post("/xlwings/validate", data=body, content_type="application/json", headers=ADDIN))
    assert "“表二 依申请公开”的 D8 单元格" in text


def _submit_payload(upload_values) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(workbook("甲街道办事处")))
    _add_upload_sheet(book, _saved_copy(book), "甲.xlsx", "")
    payload = build_payload(book, include=f"{include_of(book)},{UPLOAD_SHEET}")
    if upload_values is not None:
        _sheet(payload, UPLOAD_SHEET)["values"] = upload_values
    return payload


@pytest.mark.parametrize(
    "upload_values",
    ["abc", [5], [[5]], [["@@@@"]], [[""]], [[None, "甲.xlsx"], ["QUJD"]]],
    ids=["a string", "a number row", "a number chunk", "not base64", "empty", "first chunk missing"],
)
def test_a_damaged_upload_sheet_is_a_message_box(site, upload_values):
    app, _ = site
    headers = {**ADDIN, "Authorization": app.tokens["a"]}
    response = app.test_client().post("/xlwings/submit", json=_submit_payload(upload_values), headers=headers)
    text = _alert(response)
    assert "内部错误" not in text
    assert "没有提交" in text or "加载项" in text or "校验服务" in text or "不是 Excel 工作簿" in text


def test_an_explanation_that_excel_turned_into_a_number_is_kept_as_text(site):
    """A 审核说明 of digits only arrives as a number when the cell is not formatted as text."""
    from server.xlwings_book import uploaded_file

    payload = _submit_payload(None)
    _sheet(payload, UPLOAD_SHEET)["values"][0][2] = 20260115
    assert uploaded_file(payload)[2] == "20260115"
