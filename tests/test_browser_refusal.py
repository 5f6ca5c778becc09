"""A refusal and a resubmission in Chromium (desktop and 390 px): the mistake with its consequences,
the annotated copy, and the 审核说明 added without choosing the file again.

Screenshots are kept in tests/artifacts/ (refusal-<case>-<width>.png).
"""

from __future__ import annotations

import pytest
from district_data import workbook
from test_browser import _login
from test_browser import _shot
from test_browser import browser  # noqa: F401 (fixture)
from test_browser import live  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


def _unit_page(browser, live, width):  # noqa: F811
    base, _, logins = live
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    _login(page, base, *logins["a"])
    page.goto(f"{base}/unit/")
    return page


@pytest.mark.parametrize("width", [1366, 390])
def test_a_refused_workbook_shows_its_mistake_and_offers_the_annotated_copy(live, browser, tmp_path, width):  # noqa: F811
    page = _unit_page(browser, live, width)
    path = tmp_path / "有错误.xlsx"
    path.write_bytes(workbook("甲街道办事处", **{"t2.open.c_natural": 999}))
    page.set_input_files("#file", str(path))
    page.fill("#explanation", "已核对。")
    page.click("form[action='/unit/submit'] button[type=submit]")
    page.wait_for_selector("h1")
    _shot(page, f"refusal-errors-{width}")
    assert page.inner_text("h1") == "没有提交：有错误.xlsx"
    first = page.locator("ul.refusal > li").first
    assert first.locator("strong").inner_text() == "表二 依申请公开 D8"
    assert "由上条引起" in first.locator("ul.consequences").inner_text()
    assert page.input_value("#explanation") == "已核对。"
    with page.expect_download() as download:
        page.click("text=下载标注后的工作簿")
    assert download.value.suggested_filename.endswith(".checked.xlsx")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_missing_explanation_is_added_and_the_same_file_submitted(live, browser, tmp_path, width):  # noqa: F811
    page = _unit_page(browser, live, width)
    path = tmp_path / "有提示.xlsx"
    path.write_bytes(workbook("甲街道办事处", **{"t1.rules.issued": 1, "t1.rules.in_force": 1}))
    page.set_input_files("#file", str(path))
    page.click("form[action='/unit/submit'] button[type=submit]")
    page.wait_for_selector("text=填写审核说明后提交这个文件")
    _shot(page, f"refusal-explanation-{width}")
    assert page.locator("input[type=file]").count() == 0
    page.fill("#explanation", "转发市政府规章一件，已核实。")
    page.click("text=提交 有提示.xlsx")
    page.wait_for_selector("text=已提交 2025 年度报告")
    assert "转发市政府规章一件，已核实。" in page.content()
