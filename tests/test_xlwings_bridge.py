"""The Excel door end to end: a simulated click on 校验 (tools/excel_sim.py) against the xlwings endpoint."""

from __future__ import annotations

import io

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from builders import without_totals
from seeds import SEEDS
from test_seeds import seed_workbook_bytes

from server.forms import get_form
from server.workbook import validate_grids
from server.workbook.layout import META_SHEET
from server.workbook.layout import RESULT_SHEET
from server.workbook.style import FLAG_FILL
from server.workbook.style import TEMPLATE_FILL
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook
from tools.excel_sim import REMOTE_ACTIONS
from tools.excel_sim import build_payload
from tools.excel_sim import click
from tools.excel_sim import flask_post

RED, YELLOW = FLAG_FILL["error"].lstrip("#"), FLAG_FILL["warning"].lstrip("#")


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type else ""


def _workbook(version="2021", seed=1, blank_totals=False, **changes):
    form = get_form(version)
    values = consistent_values(form, seed=seed)
    if blank_totals:
        values = without_totals(form, values)
    return make_workbook(version, {**values, **changes}, header_for(form)), values


def _snapshot(book):
    """Every value, fill and note of every sheet."""
    return {
        (sheet.title, cell.coordinate): (cell.value, _fill(cell), cell.comment.text if cell.comment else None)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


def test_a_typo_is_flagged_totals_filled_and_results_listed(client):
    book, values = _workbook(blank_totals=True, **{"t2.open.c_natural": "5件"})
    status, alerts, answer = click(flask_post(client), book)
    assert status == 200
    assert {action["func"] for action in answer["actions"]} <= set(REMOTE_ACTIONS)
    table = book["表二 依申请公开"]
    assert _fill(table["D8"]) == RED
    assert table["D8"].comment.text.startswith("【校验】") and "5件" in table["D8"].comment.text
    assert table["D8"].value == "5件"
    assert table["J6"].value == sum(
        values[f"t2.new.{c}"] for c in ("c_natural", "c_commercial", "c_research", "c_welfare", "c_legal", "c_other")
    )
    results = book[RESULT_SHEET]
    assert [c.value for c in results[3]] == [
        "序号",
        "类别",
        "工作表",
        "单元格",
        "规则",
        "说明",
        "应为",
        "实为",
        "参考值",
        "规则编号",
    ]
    assert results["D4"].value == "D8" and results["D4"].hyperlink.target == "#'表二 依申请公开'!D8"
    assert results["I4"].value == 5
    assert "校验未通过" in alerts[0]
    assert table.protection.sheet and book[META_SHEET].sheet_state == "hidden"


def test_fixing_the_cell_and_clicking_again_restores_its_template_look(client):
    book, values = _workbook(**{"t2.open.c_natural": 99})
    click(flask_post(client), book)
    table = book["表二 依申请公开"]
    assert _fill(table["D8"]) == RED and table["D8"].comment is not None
    table["D8"].value = values["t2.open.c_natural"]
    status, alerts, _ = click(flask_post(client), book)
    assert _fill(table["D8"]) == TEMPLATE_FILL["input"].lstrip("#")
    assert _fill(table["J8"]) == TEMPLATE_FILL["derived"].lstrip("#")
    assert table["D8"].comment is None
    assert alerts[0].startswith("校验通过")


def test_a_second_click_on_a_clean_workbook_changes_nothing(client):
    book, _ = _workbook(blank_totals=True)
    click(flask_post(client), book)
    before = _snapshot(book)
    click(flask_post(client), book)
    assert _snapshot(book) == before


def test_the_clerks_own_note_and_colour_survive(client):
    book, _ = _workbook()
    table = book["表二 依申请公开"]
    table["L3"].value = "备注"
    table["D6"].comment = openpyxl.comments.Comment("本单位备注", "张三")
    click(flask_post(client), book)
    assert table["D6"].comment.text == "本单位备注"


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seeds_give_the_same_findings_as_the_cli_pipeline(client, seed):
    data = seed_workbook_bytes(seed)
    _, report = validate_grids(load_grids(data))
    book = openpyxl.load_workbook(io.BytesIO(data))
    click(flask_post(client), book)
    rows = list(book[RESULT_SHEET].iter_rows(min_row=4, values_only=True))
    assert [(row[2], row[3], row[4], row[9]) for row in rows] == [
        (f.sheet, f.cell, f.name, f.rule) for f in report.findings
    ]


def test_only_the_report_sheets_are_sent():
    book, _ = _workbook()
    book.create_sheet("草稿")["A1"] = "与年报无关的内容"
    from tools.excel_sim import include_of

    payload = build_payload(book, include=include_of(book))
    sent = {sheet["name"]: sheet["values"] for sheet in payload["sheets"]}
    assert sent["草稿"] == [[]]
    assert sent["表二 依申请公开"] != [[]]


def test_a_hand_typed_workbook_gets_a_hidden_metadata_sheet(client):
    book, _ = _workbook()
    del book[META_SHEET]
    status, alerts, _ = click(flask_post(client), book)
    assert status == 200 and alerts[0].startswith("校验通过")
    assert book[META_SHEET].sheet_state == "hidden" and book[META_SHEET]["B2"].value == 0


# What the clerk can get wrong -------------------------------------------------------------


def test_a_renamed_sheet_is_explained(client):
    book, _ = _workbook()
    book["表二 依申请公开"].title = "依申请"
    status, alerts, _ = click(flask_post(client), book)
    assert status == 200
    assert "表二" in alerts[0] and "不要删除或重命名工作表" in alerts[0]


def test_the_other_format_version_is_explained(client):
    form = get_form("2019")
    book = make_workbook("2019", consistent_values(form, seed=1), header_for(form, year=2025, date="2026-01-10"))
    status, alerts, _ = click(flask_post(client), book)
    assert "2025年度的报告应使用" in alerts[0]


def test_an_add_in_of_another_xlwings_version_gets_a_message_box(client):
    book, _ = _workbook()
    status, alerts, answer = click(flask_post(client), book, version="0.30.0")
    assert status == 200 and [a["func"] for a in answer["actions"]] == ["alert"]
    assert "xlwings 版本（0.30.0）" in alerts[0]


def test_a_workbook_without_any_table_gets_a_message_box(client):
    book = openpyxl.Workbook()
    book.active["A1"] = "会议纪要"
    status, alerts, _ = click(flask_post(client), book)
    assert status == 200 and "无法识别这个工作簿" in alerts[0]


@pytest.mark.parametrize("body", [b"garbage", b"{}", b'{"sheets": 3}'], ids=["not json", "empty", "no book"])
def test_a_request_that_is_not_from_the_add_in_is_a_plain_400(client, body):
    response = client.post("/xlwings/validate", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "Excel 加载项" in response.get_data(as_text=True)


# What the add-in sends besides the workbook -----------------------------------------------


def test_the_add_in_name_arrives_hex_encoded_and_the_macros_are_called_by_it(client):
    from tools.excel_sim import addin_header

    book, _ = _workbook(blank_totals=True)
    status, _, answer = click(flask_post(client), book, addin="信息公开年报 (2).xlam")
    macros = [action["args"][0] for action in answer["actions"] if action["func"] == "runMacro"]
    assert status == 200 and macros
    assert all(name.startswith("'信息公开年报 (2).xlam'!JCNB_") for name in macros)
    assert addin_header("信息公开年报.xlam") == "4FE1606F516C5F005E7462A5002E0078006C0061006D"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("4FE1606F516C5F00002E0078006C0061006D", "信息公开.xlam"),
        ("jcnb.xlam", "jcnb.xlam"),
        ("D800", None),  # a lone surrogate is not a name
        ("", None),
        (None, None),
    ],
)
def test_addin_name_decodes_the_header(header, name):
    from server.xlwings_bridge import addin_name

    assert addin_name(header) == name


def test_a_garbled_add_in_header_leaves_the_macros_unqualified(client):
    book, _ = _workbook(blank_totals=True)
    payload = build_payload(book, include="")
    answer = client.post("/xlwings/validate", json=payload, headers={"X-JCNB-Addin": "D800"}).get_json()
    macros = [action["args"][0] for action in answer["actions"] if action["func"] == "runMacro"]
    assert macros and all(name.startswith("JCNB_") for name in macros)


def test_json_the_add_in_could_not_write_gets_a_message_box(client):
    """VBA-JSON writes #SPILL! as nothing (``[1,,2]``): the clerk is told, with status 200 so Excel shows it."""
    from server.xlwings_bridge import UNSENDABLE

    body = '{"book": {"name": "年报.xlsx"}, "sheets": [{"name": "表一", "values": [[1,,2]]}]}'.encode()
    response = client.post(
        "/xlwings/validate", data=body, content_type="application/json", headers={"X-JCNB-Addin": "6A"}
    )
    assert response.status_code == 200
    [action] = response.get_json()["actions"]
    assert action["func"] == "alert" and action["args"][0] == UNSENDABLE


def test_ping_answers_what_the_add_in_checks(client):
    from server.xlwings_bridge import PING_ANSWER

    response = client.get("/xlwings/ping")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith(PING_ANSWER + " xlwings ")


def test_a_date_typed_as_a_date_reads_as_in_the_cli(client):
    import datetime as dt

    from server.workbook.layout import layout_for
    from server.xlwings_bridge import _checked_grids

    book, _ = _workbook(blank_totals=True)
    sheet, cell = layout_for("2021").addresses["header.date"]
    book[sheet][cell] = dt.datetime(2025, 6, 30)  # before the end of the report year: a P11 warning
    data = io.BytesIO()
    book.save(data)
    _, expected = validate_grids(load_grids(data.getvalue()))
    payload = build_payload(book, include="")
    sent = next(s for s in payload["sheets"] if s["name"] == sheet)["values"]
    assert "2025-06-30T00:00:00.000Z" in {value for row in sent for value in row}
    received = next(g for g in _checked_grids(payload)[1] if g.name == sheet)
    assert dt.datetime(2025, 6, 30) in {value for row in received.rows for value in row}
    click(flask_post(client), book)
    rows = list(book[RESULT_SHEET].iter_rows(min_row=4, values_only=True))
    assert [(row[2], row[3]) for row in rows] == [(f.sheet, f.cell) for f in expected.findings]
    assert any(f.rule == "header.date_early" for f in expected.findings)
