"""Browser tests: Playwright driving Debian's Chromium against a live server.

Screenshots of the main pages are kept in tests/artifacts/ (not committed).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import openpyxl
import pytest
from district_data import workbook
from seeds import SEEDS
from test_seeds import seed_workbook_bytes
from werkzeug.serving import make_server

from server.rules.catalogue import rule_name
from server.workbook import validate_grids
from server.workbook.layout import RESULT_SHEET
from server.xlsx.load import load_grids

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path):
    """The app (SQLite) served on a free local port; yields (base URL, app, logins)."""
    from conftest import database_url
    from conftest import make_site

    app, logins = make_site(database_url("sqlite", tmp_path), tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, logins
    server.shutdown()
    thread.join(timeout=10)
    from server.district.db import dispose

    dispose(app)


@pytest.fixture
def browser():
    """Debian's Chromium under Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is needed: bash scripts/system-packages.sh"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


CSP_REFUSALS: list[str] = []
"""What Chromium refused under the Content-Security-Policy (inline script or style, another origin)."""


@pytest.fixture(autouse=True)
def _nothing_refused_by_the_csp():
    CSP_REFUSALS.clear()
    yield
    assert not CSP_REFUSALS, CSP_REFUSALS


def _page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda message: _record_csp(message.text))
    return page


def _record_csp(text: str) -> None:
    if "Content Security Policy" in text:
        CSP_REFUSALS.append(text)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page, base, login, password):
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_check_a_seed_see_its_findings_and_download_the_annotated_copy(live, browser, tmp_path):
    base, _, _ = live
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    path = tmp_path / "鹿山街道2020.xlsx"
    path.write_bytes(seed_workbook_bytes(seed))
    page = _page(browser)
    page.goto(f"{base}/check")
    page.set_input_files("#files", str(path))
    page.wait_for_selector(".file-result table.findings")
    rows = page.locator(".file-result table.findings tbody tr")
    names = {rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count())}
    assert names == {rule_name(rule) for rule, _ in seed.expected}  # Chinese names, never rule ids (issue 10)
    assert "校验未通过" in page.inner_text(".file-result .state")
    _shot(page, "check-page-seed-003")
    with page.expect_download() as download:
        page.click("button:has-text('下载标注后的工作簿')")
    saved = tmp_path / "checked.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "鹿山街道2020.checked.xlsx"
    book = openpyxl.load_workbook(saved)
    assert RESULT_SHEET in book.sheetnames
    assert book["表二 依申请公开"]["I27"].value == 0
    assert book["表一 主动公开"]["B20"].fill.fgColor.rgb.endswith("FFC7CE")


def test_a_unit_submits_and_the_district_sees_it_and_downloads_the_aggregate(live, browser, tmp_path):
    base, app, logins = live
    path = tmp_path / "甲街道2025.xlsx"
    path.write_bytes(workbook("甲街道办事处"))
    unit = _page(browser)
    _login(unit, base, *logins["a"])
    unit.goto(f"{base}/check")
    unit.set_input_files("#files", str(path))
    unit.wait_for_selector("button:has-text('提交给区政务公开办')")
    _shot(unit, "check-page-logged-in-unit")
    unit.click("button:has-text('提交给区政务公开办')")
    unit.wait_for_selector("text=已提交 2025 年度报告（第 1 版）")
    unit.goto(f"{base}/unit/")
    assert "已提交" in unit.inner_text("table.findings")
    _shot(unit, "unit-reports")

    district = _page(browser)
    _login(district, base, *logins["district"])
    district.goto(f"{base}/district/?year=2025")
    assert "已提交 1 / 2" in district.inner_text("main")
    assert "已提交" in district.inner_text("tr[data-unit='甲街道办事处']")
    assert "未提交" in district.inner_text("tr[data-unit='乙镇人民政府']")
    assert district.locator("svg.progress rect.bar-已提交").bounding_box()["width"] > 100  # 1 of 2: half the bar
    _shot(district, "district-board")
    with district.expect_download() as download:
        district.click("a:has-text('下载 2025 年度汇总表')")
    saved = tmp_path / "汇总.xlsx"
    download.value.save_as(saved)
    _, report = validate_grids(load_grids(saved))
    assert report.ok
    district.goto(f"{base}/district/units")
    _shot(district, "district-units")


def test_home_page_in_chinese(live, browser):
    base, _, _ = live
    page = _page(browser)
    page.goto(base + "/")
    assert "统计表校验服务" in page.inner_text("h1")
    _shot(page, "home")
    page.goto(base + "/api/v1/docs")
    _shot(page, "api-docs")


def test_the_check_page_shows_each_refusal_in_its_card(live, browser, tmp_path):
    """Issue 9: Chromium drops hostile files (tests/hostile_files.py) on the check page; each card says why."""
    from hostile_files import corpus

    base, _, _ = live
    names = ["billion_laughs", "number_abc", "xls_real", "whitespace_bomb", "formula_in_input"]
    paths = []
    for name in names:
        paths.append(tmp_path / f"{name}.xlsx")
        paths[-1].write_bytes(corpus()[name])
    page = _page(browser)
    page.goto(f"{base}/check")
    page.set_input_files("#files", [str(path) for path in paths])
    page.locator(".file-result.failed").nth(len(names) - 1).wait_for()  # every card answered (all five fail)
    cards = {
        page.locator(".file-result h3").nth(i).inner_text(): page.locator(".file-result").nth(i)
        for i in range(len(names))
    }
    assert "实体声明" in cards["billion_laughs.xlsx"].locator(".state").inner_text()
    assert "D8" in cards["number_abc.xlsx"].locator(".state").inner_text()
    assert ".xls" in cards["xls_real.xlsx"].locator(".state").inner_text()
    assert "上限" in cards["whitespace_bomb.xlsx"].locator(".state").inner_text()
    assert "公式没有计算结果" in cards["formula_in_input.xlsx"].inner_text()
    _shot(page, "check-page-hostile-files")
