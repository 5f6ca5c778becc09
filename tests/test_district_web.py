"""The district's pages over HTTP: login, CSRF, access control, submit, 退回, board, units, 汇总."""

from __future__ import annotations

import io
import re

import openpyxl
from district_data import values_of
from district_data import workbook

from server.district.aggregate import DETAIL_SHEET
from server.district.aggregate import INCLUDED_SHEET
from server.workbook import validate_grids
from server.xlsx.load import load_grids


def _csrf(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _login(app, logins, who):
    client = app.test_client()
    login, password = logins[who]
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": _csrf(client)})
    assert response.status_code == 302
    return client


def _submit(client, data, explanation="", accept_json=False):
    token = _csrf(client, "/unit/")
    headers = {"Accept": "application/json"} if accept_json else {}
    form = {"file": (io.BytesIO(data), "年报.xlsx"), "explanation": explanation, "csrf_token": token}
    return client.post("/unit/submit", data=form, headers=headers)


def test_login_rejects_a_wrong_password_and_forms_need_the_csrf_token(site):
    app, logins = site
    client = app.test_client()
    assert (
        client.post("/login", data={"login": "admin", "password": "x", "csrf_token": _csrf(client)}).status_code == 401
    )
    response = client.post("/login", data={"login": "admin", "password": "district-pass"})
    assert response.status_code == 400 and "安全校验" in response.get_data(as_text=True)


def test_pages_need_login_and_the_right_role(site):
    app, logins = site
    anonymous = app.test_client()
    assert anonymous.get("/district/").status_code == 302
    unit = _login(app, logins, "a")
    assert unit.get("/district/").status_code == 403
    assert unit.get("/district/units").status_code == 403
    assert unit.get("/unit/").status_code == 200


def test_a_unit_submits_and_the_district_sees_it(site):
    app, logins = site
    a = _login(app, logins, "a")
    response = _submit(a, workbook("甲街道办事处"))
    assert response.status_code == 302
    page = a.get(response.headers["Location"]).get_data(as_text=True)
    assert "已提交" in page and "第 1 版" in page
    district = _login(app, logins, "district")
    board = district.get("/district/?year=2025").get_data(as_text=True)
    assert "已提交 1 / 2" in board
    assert re.search(r'data-unit="甲街道办事处">.*?已提交', board, re.S)


def test_a_workbook_with_errors_is_refused_with_the_list(site):
    app, logins = site
    a = _login(app, logins, "a")
    response = _submit(a, workbook("甲街道办事处", **{"t2.open.c_natural": 999}), accept_json=True)
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] and all(e["severity"] == "error" for e in body["errors"])


def test_unit_b_cannot_open_unit_as_report_or_file(site):
    app, logins = site
    a = _login(app, logins, "a")
    location = _submit(a, workbook("甲街道办事处")).headers["Location"]
    b = _login(app, logins, "b")
    assert b.get(location).status_code == 403
    assert b.get(location + "/original").status_code == 403
    assert a.get(location + "/original").data[:2] == b"PK"


def test_return_is_shown_to_the_unit(site):
    app, logins = site
    a = _login(app, logins, "a")
    location = _submit(a, workbook("甲街道办事处")).headers["Location"]
    district = _login(app, logins, "district")
    token = _csrf(district, location)
    district.post(
        location.replace("/submission/", "/district/submission/") + "/return",
        data={"reason": "请核对上年结转", "csrf_token": token},
    )
    assert "退回原因：请核对上年结转" in a.get("/unit/").get_data(as_text=True)


def test_board_exports_and_aggregate_workbook(site):
    app, logins = site
    _submit(_login(app, logins, "a"), workbook("甲街道办事处", seed=6))
    _submit(_login(app, logins, "b"), workbook("乙镇人民政府", seed=7))
    district = _login(app, logins, "district")
    assert "甲街道办事处" in district.get("/district/board-2025.csv").data.decode("utf-8-sig")
    assert district.get("/district/board-2025.xlsx").data[:2] == b"PK"
    data = district.get("/district/aggregate-2025.xlsx").data
    _, report = validate_grids(load_grids(data))
    assert report.ok and not [f for f in report.findings if f.severity == "error"]
    assert report.values["t2.new.c_total"] == values_of(seed=6)["t2.new.c_total"] + values_of(seed=7)["t2.new.c_total"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {INCLUDED_SHEET, DETAIL_SHEET} <= set(book.sheetnames)
    assert book[DETAIL_SHEET].max_row == 2 + 2 + 1


def test_units_are_registered_and_imported_from_the_page(site):
    app, logins = site
    district = _login(app, logins, "district")
    token = _csrf(district, "/district/units")
    page = district.post("/district/units", data={"name": "丙街道", "kind": "街道", "csrf_token": token}).get_data(
        as_text=True
    )
    assert "丙街道" in page and "jcnb_" in page
    listing = "单位名称,单位类型,登录名\n丁镇,乡镇,ding\n丙街道,街道,\n".encode()
    page = district.post(
        "/district/units/import", data={"file": (io.BytesIO(listing), "名单.csv"), "csrf_token": token}
    ).get_data(as_text=True)
    assert "丁镇" in page and "已经登记过了" in page


def test_the_check_page_offers_submit_only_to_a_logged_in_unit(site):
    app, logins = site
    assert "data-submit-url" not in app.test_client().get("/check").get_data(as_text=True)
    assert "data-submit-url" in _login(app, logins, "a").get("/check").get_data(as_text=True)


def test_json_submit_from_the_check_page(site):
    app, logins = site
    a = _login(app, logins, "a")
    body = _submit(a, workbook("甲街道办事处"), accept_json=True).get_json()
    assert body["ok"] is True and body["version"] == 1


def test_the_login_session_expires(site):
    import datetime as dt
    from email.utils import parsedate_to_datetime

    app, logins = site
    client = app.test_client()
    response = client.post("/login", data={"login": "admin", "password": "district-pass", "csrf_token": _csrf(client)})
    cookie = response.headers["Set-Cookie"]
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = expires - dt.datetime.now(dt.UTC)
    assert abs(lifetime.total_seconds() - app.config["SESSION_MINUTES"] * 60) < 120
    assert "HttpOnly" in cookie


def test_the_district_renews_a_units_token_and_password_from_the_page(site):
    from server.district import service
    from server.district.db import get_session

    app, logins = site
    with app.app_context():
        unit = service.unit_by_name(get_session(), "甲街道办事处")
        unit_id = unit.id
    district = _login(app, logins, "district")
    token = _csrf(district, "/district/units")
    page = district.post(f"/district/units/{unit_id}/token", data={"csrf_token": token}).get_data(as_text=True)
    new_token = re.search(r"jcnb_[\w-]+", page).group(0)
    assert "甲街道办事处" in page and new_token != app.tokens["a"]
    with app.app_context():
        assert (
            service.account_for_token(get_session(), f"Bearer {app.tokens['a']}") is None
        )  # the old token stops working
        assert service.account_for_token(get_session(), new_token).unit_id == unit_id
    page = district.post(f"/district/units/{unit_id}/password", data={"csrf_token": token}).get_data(as_text=True)
    assert "甲街道办事处" in page
    assert district.post(f"/district/units/{unit_id}/other", data={"csrf_token": token}).status_code == 404
    unit_b = _login(app, logins, "b")
    refused = unit_b.post(f"/district/units/{unit_id}/token", data={"csrf_token": _csrf(unit_b, "/unit/")})
    assert refused.status_code == 403, refused.status_code


def test_a_form_sent_without_a_file_names_what_to_choose(site):
    app, logins = site
    unit = _login(app, logins, "a")
    response = unit.post("/unit/submit", data={"csrf_token": _csrf(unit, "/unit/")})
    assert response.status_code == 422 and "请选择要提交的 .xlsx 文件" in response.get_data(as_text=True)
    district = _login(app, logins, "district")
    response = district.post("/district/units/import", data={"csrf_token": _csrf(district, "/district/units")})
    assert response.status_code == 422 and "请选择单位名单文件" in response.get_data(as_text=True)


def test_resetting_a_password_or_token_asks_first_and_changes_nothing_until_confirmed(site):
    from server.district import service
    from server.district.db import get_session

    app, logins = site
    with app.app_context():
        unit_id = service.unit_by_name(get_session(), "甲街道办事处").id
    district = _login(app, logins, "district")
    units = district.get("/district/units").get_data(as_text=True)
    assert f'href="/district/units/{unit_id}/password"' in units and f'href="/district/units/{unit_id}/token"' in units
    assert f'action="/district/units/{unit_id}/password"' not in units  # no button that acts at once
    page = district.get(f"/district/units/{unit_id}/token").get_data(as_text=True)
    assert "生成新的加载项令牌：甲街道办事处" in page and "原来的令牌立即失效" in page and "取消" in page
    assert f'action="/district/units/{unit_id}/token"' in page and 'method="post"' in page
    page = district.get(f"/district/units/{unit_id}/password").get_data(as_text=True)
    assert "重设密码：甲街道办事处" in page and "原来的密码立即失效" in page
    with app.app_context():  # asking changed nothing
        assert service.account_for_token(get_session(), app.tokens["a"]).unit_id == unit_id
    assert district.get(f"/district/units/{unit_id}/other").status_code == 404
    unit_b = _login(app, logins, "b")
    assert unit_b.get(f"/district/units/{unit_id}/token").status_code == 403
