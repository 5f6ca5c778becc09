"""The check page in Chromium with a published report: findings shown, its tables downloaded in Word."""

from __future__ import annotations

from pathlib import Path

import pytest
from seeds import SEEDS
from test_browser import _nothing_refused_by_the_csp  # noqa: F401  (fixture: nothing refused by the CSP)
from test_browser import _page
from test_browser import _shot
from test_browser import browser  # noqa: F401  (fixture)
from test_browser import live  # noqa: F401  (fixture)

from server.published import read_published
from server.rules.catalogue import rule_name

SEED_DIR = Path(__file__).parent / "data" / "seeds"
pytestmark = pytest.mark.slow


def test_drop_a_published_text_see_its_findings_and_download_its_tables(live, browser, tmp_path):  # noqa: F811
    base, _, _ = live
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    path = tmp_path / "鹿山街道2020年报.txt"
    path.write_bytes((SEED_DIR / f"{seed.name}.txt").read_bytes())
    page = _page(browser)
    page.goto(f"{base}/check")
    page.set_input_files("#files", str(path))
    page.wait_for_selector(".file-result table.findings")
    rows = page.locator(".file-result table.findings tbody tr")
    names = {rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count())}
    assert names == {rule_name(rule) for rule, _ in seed.expected}
    assert "第351行" in page.inner_text(".file-result table.findings")
    _shot(page, "check-page-published-seed-003")
    with page.expect_download() as download:
        page.click("button:has-text('下载统计表（Word，官方格式）')")
    saved = tmp_path / "tables.docx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "鹿山街道2020年报.统计表.docx"
    reading = read_published(saved.read_bytes(), saved.name)
    assert reading.values["t1.procurement.projects"] == 37 and reading.values["t2.total.c_other"] == 0
    assert page.locator("button:has-text('提交给区政务公开办')").count() == 0
