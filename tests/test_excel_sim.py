"""The simulator imitates Excel's own input rules, and the Excel door survives them.

Excel treats ``Range.Value = text`` as typed input; the 提交 macro's ``_upload`` sheet and every
``setValues`` of the answer go through it. These tests pin the rules and catch what broke 提交
at random (a base64 chunk starting with ``+`` became a 30,000-character formula).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from district_data import workbook

from server.forms import get_form
from server.workbook.layout import RESULT_SHEET
from server.xlsx.template import make_workbook
from server.xlwings_book import excel_text
from server.xlwings_book import uploaded_file
from tools.excel_sim import UPLOAD_SHEET
from tools.excel_sim import ExcelError
from tools.excel_sim import Formula
from tools.excel_sim import _add_upload_sheet
from tools.excel_sim import addin_header
from tools.excel_sim import build_payload
from tools.excel_sim import click
from tools.excel_sim import flask_post
from tools.excel_sim import include_of
from tools.excel_sim import parse_iso
from tools.excel_sim import typed

VBA = Path(__file__).resolve().parent.parent / "addin" / "src" / "JCNB.bas"


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("=1+2", Formula("=1+2")),
        ("+abc", Formula("=+abc")),
        ("@abc", Formula("=@abc")),
        ("-abc", Formula("=-abc")),
        ("+5", 5),
        ("-4", -4),
        ("1,234", 1234),
        ("12%", 0.12),
        ("1.5e3", 1500),
        (" 7 ", 7),
        ("2025-01-15", dt.datetime(2025, 1, 15)),
        ("2025/1/5", dt.datetime(2025, 1, 5)),
        ("2025年1月15日", dt.datetime(2025, 1, 15)),
        ("true", True),
        ("'=1+2", "=1+2"),
        ("'0012", "0012"),
        ("-", "-"),
        ("37个", "37个"),
        ("0571-12345678", "0571-12345678"),
        ("", None),
        (5, 5),
    ],
)
def test_typed_input_is_read_as_excel_reads_it(text, held):
    value = typed(text)
    assert value == held and type(value) is type(held)


def test_a_long_formula_is_refused_as_excel_does():
    with pytest.raises(ExcelError, match="1004"):
        typed("+" + "A" * 9000)
    assert typed("+" + "A" * 9000, text_format=True) == "+" + "A" * 9000


def test_remote_bas_parses_iso_dates_first():
    assert parse_iso("2025-01-15T00:00:00.000Z") == dt.datetime(2025, 1, 15)
    assert parse_iso("2025-01-15") == dt.datetime(2025, 1, 15)
    assert parse_iso("0571-12345678") is None
    assert parse_iso("校验通过") is None


def _with_plus_chunk() -> bytes:
    """Bytes whose base64 text has a second, full 30,000-character chunk starting with '+'."""
    data = bytearray(io.BytesIO(workbook("甲街道办事处")).getvalue())
    data += bytes(max(0, 46_000 - len(data)))
    data[22_500] = 0xF8  # base64 character 30,000 encodes the top six bits of byte 22,500: 0b111110 is '+'
    assert base64.b64encode(bytes(data)).decode()[30_000] == "+"
    return bytes(data)


def test_an_upload_chunk_starting_with_plus_breaks_a_sheet_not_formatted_as_text():
    book = openpyxl.Workbook()
    with pytest.raises(ExcelError, match="1004"):
        _add_upload_sheet(book, _with_plus_chunk(), "年报.xlsx", "", text_format=False)


@pytest.mark.parametrize("explanation", ["", "=已核实", "+1件为转办", "-", "20260115", "说明\n第二行"])
def test_the_upload_sheet_formatted_as_text_carries_the_file_and_explanation_exactly(explanation):
    data = _with_plus_chunk()
    book = openpyxl.load_workbook(io.BytesIO(workbook("甲街道办事处")))
    _add_upload_sheet(book, data, "甲街道.xlsx", explanation)
    payload = build_payload(book, include=f"{include_of(book)},{UPLOAD_SHEET}")
    assert uploaded_file(payload) == (data, "甲街道.xlsx", explanation)


def test_the_vba_formats_the_upload_sheet_as_text_before_writing():
    source = VBA.read_text(encoding="utf-8")
    body = source[source.index("Private Sub AddUploadSheet") :]
    body = body[: body.index("End Sub")]
    assert re.search(r'\.NumberFormat = "@"', body), "AddUploadSheet must format its cells as text first"
    assert body.index('NumberFormat = "@"') < body.index(".Value = Mid(")


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("=1+2", "'=1+2"),
        ("-4", "'-4"),
        ("1,234", "'1,234"),
        ("2025-01-15", "'2025-01-15"),
        ("TRUE", "'TRUE"),
        ("'x", "''x"),
        ("37个", "37个"),
        ("校验通过\n说明", "校验通过 说明"),
        (5, 5),
    ],
)
def test_text_the_server_writes_is_kept_as_text(text, sent):
    assert excel_text(text) == sent
    if isinstance(text, str):
        assert typed(sent) == text.replace("\n", " ")


def test_text_in_a_number_cell_shows_as_typed_in_the_results_sheet(client):
    form = get_form("2021")
    values = {**consistent_values(form, seed=2), "t2.open.c_natural": "1,234"}
    book = make_workbook("2021", values, header_for(form))
    click(flask_post(client), book)
    [shown] = [row for row in book[RESULT_SHEET].iter_rows(min_row=4, values_only=True) if row[3] == "D8"]
    assert shown[9] == "locate.culprit" and shown[7] == "1,234"  # one row: the typo, as typed (issue 10)
    assert "填的是文字“1,234”" in shown[5]


def test_the_template_names_and_a_null_selection_are_accepted(client):
    form = get_form("2021")
    book = make_workbook("2021", consistent_values(form, seed=2), header_for(form))
    headers = {"X-JCNB-Addin": addin_header()}
    normal = build_payload(book, include=include_of(book))
    assert any(name["name"].endswith("!Print_Area") for name in normal["names"])
    odd = build_payload(book, include=include_of(book), selection=None)
    first = client.post("/xlwings/validate", json=normal, headers=headers)
    second = client.post("/xlwings/validate", json=odd, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()


def test_a_sheet_protected_with_a_password_is_named_and_protection_comes_back(client):
    """JCNB_BeginUpdate never prompts for a password; writing into such a sheet fails with a message."""
    form = get_form("2021")
    book = make_workbook("2021", {**consistent_values(form, seed=2), "t2.total.c_natural": None}, header_for(form))
    book["表二 依申请公开"].protection.password = "secret"
    status, alerts, _ = click(flask_post(client), book)
    assert status == 200
    assert len(alerts) == 1 and "“表二 依申请公开” 设有密码保护" in alerts[0]
    assert all(sheet.protection.sheet for sheet in book.worksheets if sheet.title.startswith("表"))
