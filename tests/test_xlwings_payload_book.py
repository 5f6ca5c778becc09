"""The click's book (:class:`server.xlwings_book.PayloadBook`) answers exactly as ``xw.Book(json=payload)``.

The 校验 and 提交 doors build their actions on a PayloadBook instead of xlwings' own book (issue 11:
opening an ``xw.Book`` cost more than a third of the xlwings floor). Here every action of a click —
first click, the click again (results and metadata sheets already there), a workbook typed by hand,
the 提交 answer's macro and message box — is built on both books and compared field by field.
"""

from __future__ import annotations

import copy
import json

import pytest
import xlwings as xw
from golden_doors import _book
from golden_doors import cases

from server import xlwings_bridge
from server.workbook import validate_grids
from server.workbook.layout import META_SHEET
from server.workbook.layout import RESULT_SHEET
from server.xlwings_book import PayloadBook
from server.xlwings_book import apply_report
from server.xlwings_book import run_macro
from server.xlwings_book import show_alert
from server.xlwings_bridge import addin_name
from tools.excel_sim import addin_header
from tools.excel_sim import apply_actions
from tools.excel_sim import build_payload
from tools.excel_sim import include_of


def _payload(book) -> dict:
    return build_payload(book, include=include_of(book))


def _both(payload: dict, work) -> tuple[str, str]:
    """``work(book)`` on an xw.Book and on a PayloadBook of the same payload: both answers as JSON text."""
    answers = []
    for opened in (lambda: xw.Book(json=copy.deepcopy(payload)), lambda: PayloadBook(copy.deepcopy(payload))):
        book = opened()
        try:
            work(book)
            answers.append(json.dumps(book.json(), ensure_ascii=False, sort_keys=True))
        finally:
            book.close()
    return answers[0], answers[1]


def _click(payload: dict, *, alert: bool = True):
    reading, report = validate_grids(xlwings_bridge._checked_grids(payload)[1])

    def work(book):
        actions = apply_report(book, reading, report, addin_name(addin_header()), alert=alert)
        if not alert:  # what the 提交 door adds
            actions.macro("JCNB_AskExplanation", "说明")
            show_alert(book, "已提交", title="信息公开年报提交", critical=False)

    return work


@pytest.mark.parametrize("case", sorted(cases()))
def test_every_click_of_a_case_is_what_xlwings_answers(case):
    version, values, header, _ = cases()[case]
    book = _book(version, values, header)
    first = _payload(book)
    xlwings, ours = _both(first, _click(first))
    assert ours == xlwings
    apply_actions(book, json.loads(ours))
    again = _payload(book)
    assert any(sheet["name"] == RESULT_SHEET for sheet in again["sheets"])
    for payload, alert in ((again, True), (again, False)):
        xlwings, ours = _both(payload, _click(payload, alert=alert))
        assert ours == xlwings
    hand = _book(version, values, header)
    del hand[META_SHEET]
    xlwings, ours = _both(_payload(hand), _click(_payload(hand)))
    assert ours == xlwings


def test_sheets_are_added_cleared_and_placed_as_xlwings_does():
    version, values, header, _ = cases()["2021 one typo, totals blank"]
    payload = _payload(_book(version, values, header))

    def work(book):
        sheets = book.sheets
        assert [sheet.name for sheet in sheets] == [sheet["name"] for sheet in payload["sheets"]]
        middle = sheets.add("中间", after=sheets[1])
        last = sheets.add("最后", after=sheets[len(sheets) - 1])
        for sheet in (middle, last, sheets[0], sheets[len(sheets) - 2]):
            sheet.clear()
            run_macro(book, "JCNB_SetNotes", sheet.name, sheet.index)
        show_alert(book, "提示")
        with pytest.raises(ValueError):
            sheets.add(payload["sheets"][0]["name"].upper(), after=sheets[0])
        assert [sheet.name for sheet in sheets][2] == "中间"

    xlwings, ours = _both(payload, work)
    assert ours == xlwings
    assert '"sheetClear"' in ours and '"addSheet"' in ours


def test_without_the_remote_engine_the_click_is_refused_as_before(client, monkeypatch):
    """An xlwings that did not load its remote engine (no valid licence key) could not open the payload."""
    from server import xlwings_bridge

    version, values, header, _ = cases()["2021 clean, totals blank"]
    payload = _payload(_book(version, values, header))
    monkeypatch.setattr(xlwings_bridge, "_remote_engine", lambda: False)
    answer = client.post("/xlwings/validate", json=payload).get_json()
    assert [action["func"] for action in answer["actions"]] == ["alert"]
    assert answer["actions"][0]["args"][0].startswith("校验服务无法读取这个工作簿")


def test_cell_text_is_excel_text_for_plain_text_and_for_text_of_other_kinds():
    """Plain text is looked up in a cache (the same texts come back every click); a str of another kind
    (a formula's text) is not taken for the plain text equal to it."""
    from server.readings import Formula
    from server.xlwings_book import _cell_text
    from server.xlwings_book import excel_text

    class Marked(str):
        pass

    texts = ["=SUM(D5:D9)", "-4", "2025-01-15", "文字", "", "a\r\nb", "TRUE", "'引号", "12件"]
    for _ in range(2):  # the second time from the cache
        for text in texts:
            assert _cell_text(text) == excel_text(text) and type(_cell_text(text)) is str
            for kind in (Formula, Marked):
                assert _cell_text(kind(text)) == excel_text(kind(text))
                assert type(_cell_text(kind(text))) is type(excel_text(kind(text)))
    assert [_cell_text(value) for value in (None, 0, 1.5, True)] == ["", 0, 1.5, True]


def _refusal(call):
    from server.errors import ServerError

    try:
        return ("ok", call())
    except ServerError as error:
        return (type(error).__name__, error.status, error.message)


def _variants(payload: dict):
    """The payload, and copies with every kind of cell and damage the door checks for."""
    import math

    from server.xlwings_payload import MAX_CELL_TEXT

    yield payload
    cells = [
        None, 0, -3, 2.5, True, "", "   ", "文字", "2026-01-15T00:00:00.000Z", "2026-13-45T00:00:00.000Z", "5件",
        "x" * (MAX_CELL_TEXT + 1), "\ud800", math.nan, math.inf, {"a": 1}, [1], "a\u3000",
    ]  # fmt: skip
    for position, cell in enumerate(cells):
        damaged = copy.deepcopy(payload)
        rows = damaged["sheets"][position % 3]["values"]
        rows[position % len(rows)][1] = cell
        rows[-1].append(cell)
        yield damaged
    for damage in (
        lambda p: p["sheets"].append(5),
        lambda p: p["sheets"][1].update(values="abc"),
        lambda p: p["sheets"][1]["values"].append(5),
        lambda p: p["sheets"][2].update(values=None),
        lambda p: p["sheets"][2].pop("values"),
        lambda p: p["sheets"][0].update(name="\ud800"),
        lambda p: p.pop("version"),
        lambda p: p.update(book="年报.xlsx"),
        lambda p: p.update(names={}),
        lambda p: p.update(sheets={}),
        lambda p: p["sheets"].append({"name": "_upload", "values": [["QUJD", "甲.xlsx", ""]]}),
    ):
        damaged = copy.deepcopy(payload)
        damage(damaged)
        yield damaged
    yield []


def test_the_payload_checked_and_read_in_one_pass_is_checked_then_read():
    """``_checked_grids`` (one look at each cell) refuses what ``checked_payload`` refuses, with the same
    message, and otherwise gives the grids of every report sheet converted row by row (:func:`grid_row`)."""
    from server.workbook.grid import Grid
    from server.xlwings_book import UPLOAD_SHEET
    from server.xlwings_payload import checked_payload
    from server.xlwings_payload import grid_row

    def row_by_row(payload):
        sheets = [s for s in payload["sheets"] if s["name"] != UPLOAD_SHEET]
        return [Grid(s["name"], [grid_row(row, xlwings_bridge._date) for row in s.get("values") or []]) for s in sheets]

    version, values, header, _ = cases()["2021 text in number cells"]
    seen = set()
    for payload in _variants(_payload(_book(version, values, header))):
        one_pass = _refusal(lambda p=payload: xlwings_bridge._checked_grids(copy.deepcopy(p)))
        two = _refusal(lambda p=payload: checked_payload(copy.deepcopy(p)))
        if two[0] == "ok":
            two = ("ok", (payload, row_by_row(copy.deepcopy(payload))))
        assert one_pass == two
        seen.add(one_pass[0])
    assert seen == {"ok", "ServerError", "PayloadRefused"}


def test_text_that_only_looks_like_a_date_is_read_as_text(client):
    """A clerk's text shaped like the dates Remote.bas sends but no date (month 13) was an internal error."""
    version, values, header, _ = cases()["2021 clean, totals blank"]
    payload = _payload(_book(version, values, header))
    payload["sheets"][0]["values"][0].append("2026-13-45T00:00:00.000Z")
    answer = client.post("/xlwings/validate", json=payload).get_json()
    alerts = [action["args"][0] for action in answer["actions"] if action["func"] == "alert"]
    assert len(alerts) == 1 and "内部错误" not in alerts[0]
