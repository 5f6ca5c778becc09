"""Issue 10 in the browser (Chromium, desktop and 390 px): /check shows one story per mistake.

Screenshots are kept in tests/artifacts/ (check-story-<scenario>-<width>.png).
"""

from __future__ import annotations

import pytest
from test_browser import _shot
from test_browser import browser  # noqa: F401 (fixture)
from test_browser import live  # noqa: F401 (fixture)
from test_stories_workbook import ambiguity_book
from test_stories_workbook import blank_book
from test_stories_workbook import text_book
from test_stories_workbook import two_way_book
from test_stories_workbook import typo_book

pytestmark = pytest.mark.slow

BOOKS = {
    "typo": typo_book,
    "ambiguity": ambiguity_book,
    "two-way": two_way_book,
    "text": text_book,
    "blank": blank_book,
}
HEADING = "某某市某某局 · 2025 年度 · 2021 年版格式"


def _rows(page) -> list[dict]:
    rows = page.locator(".file-result table.findings tbody tr")
    out = []
    for i in range(rows.count()):
        cells = [rows.nth(i).locator("td").nth(j).inner_text() for j in range(8)]
        out.append({"class": rows.nth(i).get_attribute("class"), "cells": cells})
    return out


def _check(live, browser, tmp_path, scenario: str, width: int):  # noqa: F811
    base, _, _ = live
    path = tmp_path / f"{scenario}.xlsx"
    BOOKS[scenario]().save(path)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/check")
    page.set_input_files("#files", str(path))
    page.wait_for_selector(".file-result table.findings")
    _shot(page, f"check-story-{scenario}-{width}")
    table = page.inner_text(".file-result table.findings")
    state, rows = page.inner_text(".file-result .state"), _rows(page)
    context.close()  # no connection left open to the live server
    for rule_id in ("locate.", "sum.", "balance.", "value.", "table.blank"):
        assert rule_id not in table  # Chinese names only
    return state, rows


@pytest.mark.parametrize("width", [1366, 390])
def test_one_typo_with_a_blank_total_is_one_error_with_three_consequences(live, browser, tmp_path, width):  # noqa: F811
    state, rows = _check(live, browser, tmp_path, "typo", width)
    assert state == f"校验未通过：1 处错误（{HEADING}）"
    assert "sev-error" in rows[0]["class"] and rows[0]["cells"][2:4] == ["D8", "最可能填错的单元格"]
    assert rows[0]["cells"][4].startswith("D8「（一）予以公开·自然人」 现为 33，很可能填错，请核对原始登记后改正。")
    assert "合计 D29 暂不自动填入" in rows[0]["cells"][4]
    assert [(r["cells"][0], r["cells"][2]) for r in rows[1:]] == [("由上条引起", c) for c in ("J8", "J29", "D30")]
    assert all("consequence" in r["class"] and r["cells"][5] == "" for r in rows[1:])
    assert all(r["cells"][4].startswith("↳ 这一条是 D8 填错造成的") for r in rows[1:])


@pytest.mark.parametrize("width", [1366, 390])
def test_an_ambiguity_is_shown_as_choices(live, browser, tmp_path, width):  # noqa: F811
    state, rows = _check(live, browser, tmp_path, "ambiguity", width)
    assert state.startswith("校验未通过：1 处错误")
    assert rows[0]["cells"][3] == "几格之一填错"
    assert rows[0]["cells"][5:7] == ["", ""] and "改为" not in rows[0]["cells"][4]
    assert rows[0]["cells"][4].startswith("D6、D7、D8 中有一个填错，请逐一核对原始登记后改正填错的那一格。")
    assert [(r["cells"][0], r["cells"][2]) for r in rows[1:2]] == [("由上条引起", "D30")]
    assert {r["cells"][0] for r in rows[2:]} == {"说明"}  # the totals filled in the other rows


@pytest.mark.parametrize("width", [1366, 390])
def test_a_two_way_ambiguity_is_one_error_with_both_choices(live, browser, tmp_path, width):  # noqa: F811
    state, rows = _check(live, browser, tmp_path, "two-way", width)
    assert state.startswith("校验未通过：1 处错误")
    assert rows[0]["cells"][2:4] == ["A6", "几格之一填错"]
    assert rows[0]["cells"][4].startswith("A6、E6 中有一个填错，请逐一核对原始登记后改正填错的那一格。")
    assert [(r["cells"][0], r["cells"][2]) for r in rows[1:]] == [("由上条引起", "E6")]


@pytest.mark.parametrize("width", [1366, 390])
def test_text_that_breaks_a_sum_is_one_row(live, browser, tmp_path, width):  # noqa: F811
    state, rows = _check(live, browser, tmp_path, "text", width)
    assert state.startswith("校验未通过：1 处错误")
    assert [r["cells"][2] for r in rows] == ["D6", "J6", "D30"]
    assert rows[0]["cells"][6] == "3件" and "填的是文字“3件”（应填数字，读作 3）" in rows[0]["cells"][4]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_blank_report_fails(live, browser, tmp_path, width):  # noqa: F811
    state, rows = _check(live, browser, tmp_path, "blank", width)
    assert state.startswith("校验未通过：3 处错误") and "未填写填报单位和报告年度" in state
    assert "校验通过" not in state and "未填单位" not in state
    blank = [r["cells"][4] for r in rows if r["cells"][3] == "整张表未填写"]
    assert [text.split("：")[0] for text in blank] == ["表一未填写", "表二未填写", "表三未填写"]
