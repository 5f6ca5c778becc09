"""Every page at phone width (390 px, Chromium): no sideways scrolling of the page, the navigation visible.

Screenshots are kept in tests/artifacts/ (phone-<page>.png).
"""

from __future__ import annotations

import pytest
from test_browser import _login
from test_browser import _shot
from test_browser import browser  # noqa: F401 (fixture)
from test_browser import live  # noqa: F401 (fixture)
from test_stories_workbook import typo_book

pytestmark = pytest.mark.slow

WIDTH = 390


def _phone(browser):  # noqa: F811
    return browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="zh-CN").new_page()


def _fits(page, name: str) -> None:
    _shot(page, f"phone-{name}")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= WIDTH, f"{name}: the page is {wide} px wide at {WIDTH} px"
    header = page.locator("header.top").bounding_box()
    for link in page.locator("header.top nav a, header.top nav button").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{name}: {link.inner_text()} off screen"
        assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"] + 0.5, (
            f"{name}: {link.inner_text()} sticks out of the top bar"
        )
    for heading in page.locator("table.findings th").all():  # a column title is not squeezed to a character a line
        assert heading.bounding_box()["height"] < 60, f"{name}: column title {heading.inner_text()!r} squeezed"
    for message in page.locator("table.findings td.message").all():
        assert message.bounding_box()["width"] >= 150, f"{name}: 说明 squeezed"


def test_every_page_fits_a_phone(live, browser, tmp_path):  # noqa: F811
    base, _, logins = live
    page = _phone(browser)
    for name, path in (("home", "/"), ("login", "/login")):
        page.goto(base + path)
        _fits(page, name)
    page.goto(f"{base}/check")
    book = tmp_path / "typo.xlsx"
    typo_book().save(book)
    page.set_input_files("#files", str(book))
    page.wait_for_selector(".file-result table.findings")
    _fits(page, "check-results")
    _login(page, base, *logins["a"])
    page.goto(f"{base}/unit/")
    _fits(page, "unit-home")
    district = _phone(browser)
    _login(district, base, *logins["district"])
    for name, path in (("board", "/district/"), ("units", "/district/units")):
        district.goto(base + path)
        _fits(district, name)
