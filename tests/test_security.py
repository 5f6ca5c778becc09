"""The security basics of issue 9: cookie flags, login throttling, sessions ended on the server,
response headers, formula-safe exports, 405 with Allow, form-field limits (docs/security.md)."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import re
import threading
import warnings
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import database_url
from conftest import make_site
from district_data import workbook
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash
from werkzeug.test import encode_multipart

from server.cli import main
from server.config import SETTINGS
from server.config import from_environment
from server.district import auth
from server.district import service
from server.district.db import dispose
from server.district.db import get_session
from server.errors import ConfigurationError
from server.security import HEADERS


@pytest.fixture
def sqlite_site(tmp_path):
    """The site of conftest on SQLite only (these tests are about the web layer)."""
    app, logins = make_site(database_url("sqlite", tmp_path), tmp_path)
    yield app, logins
    dispose(app)


def _csrf(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _try_login(client, login, password, **kwargs):
    return client.post("/login", data={"login": login, "password": password, "csrf_token": _csrf(client)}, **kwargs)


def _logged_in(app, logins, who):
    client = app.test_client()
    assert _try_login(client, *logins[who]).status_code == 302
    return client


# The session cookie --------------------------------------------------------------------------


def test_the_session_cookie_is_samesite_lax_httponly_and_not_secure_by_default(sqlite_site):
    app, logins = sqlite_site
    cookie = _try_login(app.test_client(), *logins["a"]).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Secure" not in cookie


def test_server_session_cookie_secure_sets_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVER_SESSION_COOKIE_SECURE", "1")
    app, logins = make_site(database_url("sqlite", tmp_path), tmp_path)
    try:
        client = app.test_client()
        page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"login": logins["a"][0], "password": logins["a"][1], "csrf_token": token}
        # Flask-WTF checks the Referer on HTTPS: Referrer-Policy same-origin lets browsers send it
        secure = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
        cookie = client.post("/login", data=form, **secure).headers["Set-Cookie"]
        assert "; Secure" in cookie and "SameSite=Lax" in cookie
    finally:
        dispose(app)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("0", False), ("off", False)])
def test_boolean_settings_read_from_the_environment(raw, expected):
    assert from_environment({"SERVER_SESSION_COOKIE_SECURE": raw})["SESSION_COOKIE_SECURE"] is expected


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("SERVER_SESSION_COOKIE_SECURE", "maybe", "环境变量 SERVER_SESSION_COOKIE_SECURE 只能是 1 或 0"),
        ("SERVER_LOGIN_MAX_FAILURES", "five", "环境变量 SERVER_LOGIN_MAX_FAILURES 应为整数，现在是“five”"),
    ],
)
def test_a_setting_the_service_cannot_use_stops_the_command_in_chinese(tmp_path, monkeypatch, name, raw, message):
    with pytest.raises(ConfigurationError, match=message):
        from_environment({name: raw})
    monkeypatch.setenv(name, raw)
    monkeypatch.setenv("SERVER_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["units", "list"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_the_security_settings_are_declared():
    names = {setting.name for setting in SETTINGS}
    assert {"SESSION_COOKIE_SECURE", "TRUSTED_PROXIES", "LOGIN_MAX_FAILURES", "LOGIN_LOCK_MINUTES"} <= names


# Login throttling ----------------------------------------------------------------------------


class _Clock:
    """A clock the test moves."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


def _clock(app) -> _Clock:
    clock = _Clock()
    app.extensions["jcnb_login_throttle"].clock = clock
    return clock


def test_five_wrong_passwords_pause_the_login_name_even_for_the_right_password(sqlite_site):
    app, logins = sqlite_site
    clock = _clock(app)
    client = app.test_client()
    login, password = logins["district"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _try_login(client, login, "wrong-password").status_code == 401
    refused = _try_login(client, login, password)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "密码输错次数过多" in page and "约 15 分钟后" in page
    assert int(refused.headers["Retry-After"]) == 15 * 60
    assert _try_login(app.test_client(), *logins["a"]).status_code == 302  # other names are not held up
    clock.now += 15 * 60
    assert _try_login(client, login, password).status_code == 302


def test_simultaneous_wrong_passwords_check_at_most_the_limit(sqlite_site, monkeypatch):
    app, logins = sqlite_site
    checked = []
    original = service.authenticate
    monkeypatch.setattr(service, "authenticate", lambda *args: checked.append(1) or original(*args))
    clients = [(app.test_client(), None) for _ in range(12)]
    clients = [(client, _csrf(client)) for client, _ in clients]
    start = threading.Barrier(len(clients))
    statuses = []

    def attempt(client, token):
        start.wait()
        form = {"login": logins["a"][0], "password": "wrong-password", "csrf_token": token}
        statuses.append(client.post("/login", data=form).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert len(checked) == 5
    assert _try_login(app.test_client(), *logins["a"]).status_code == 429


def test_too_many_failures_from_one_address_pause_it_for_every_name(sqlite_site):
    app, logins = sqlite_site
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    client = app.test_client()
    here = {"environ_base": {"REMOTE_ADDR": "10.0.0.9"}}
    for n in range(6):
        assert _try_login(client, f"guess{n}", "wrong-password", **here).status_code == 401
    refused = _try_login(client, *logins["district"], **here)
    assert refused.status_code == 429 and "网络地址" in refused.get_data(as_text=True)
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.0.0.10"}}
    assert _try_login(app.test_client(), *logins["district"], **elsewhere).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVER_TRUSTED_PROXIES", "1")
    app, logins = make_site(database_url("sqlite", tmp_path), tmp_path)
    try:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
        client = app.test_client()
        for n in range(3):
            forwarded = {"headers": {"X-Forwarded-For": "172.16.0.5"}}
            assert _try_login(client, f"guess{n}", "x", **forwarded).status_code == 401
        blocked = _try_login(client, *logins["a"], headers={"X-Forwarded-For": "172.16.0.5"})
        assert blocked.status_code == 429
        other = _try_login(app.test_client(), *logins["a"], headers={"X-Forwarded-For": "172.16.0.6"})
        assert other.status_code == 302  # same proxy address, another client behind it
    finally:
        dispose(app)


def test_an_unknown_login_name_costs_one_slow_hash_check_like_a_known_one(sqlite_site, monkeypatch):
    app, logins = sqlite_site
    methods = []
    original = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: methods.append(h.split("$")[0]) or original(h, p))
    slow = generate_password_hash("x").split("$")[0]  # the default method: scrypt, some 100 ms
    client = app.test_client()
    for login in ("nobody-by-this-name", logins["a"][0], logins["district"][0]):
        methods.clear()
        assert _try_login(client, login, "wrong-password").status_code == 401
        assert methods.count(slow) == 1, (login, methods)


def _paused(app, logins) -> str:
    """Unit A's login name, paused by five wrong passwords."""
    _clock(app)
    login = logins["a"][0]
    for _ in range(5):
        _try_login(app.test_client(), login, "wrong-password")
    assert _try_login(app.test_client(), *logins["a"]).status_code == 429
    return login


def test_a_password_reset_by_the_district_lifts_the_pause(sqlite_site):
    app, logins = sqlite_site
    login = _paused(app, logins)
    district = _logged_in(app, logins, "district")
    with app.app_context():
        unit_id = service.unit_by_name(get_session(), "甲街道办事处").id
    token = _csrf(district, "/district/units")
    page = district.post(f"/district/units/{unit_id}/password", data={"csrf_token": token}).get_data(as_text=True)
    new_password = re.search(rf"<td>甲街道办事处</td><td>{login}</td><td>([^<]+)</td>", page).group(1)
    assert _try_login(app.test_client(), login, new_password).status_code == 302


def test_a_password_reset_from_the_command_line_lifts_the_pause_too(sqlite_site):
    """The command line runs in another process: it cannot reach the server's counters, only the database."""
    app, logins = sqlite_site
    login = _paused(app, logins)
    runner = CliRunner(env={"SERVER_DATABASE_URL": app.config["DATABASE_URL"]})
    shown = runner.invoke(main, ["units", "reset-password", "甲街道办事处"])
    assert shown.exit_code == 0, shown.output
    new_password = re.search(r"密码 ([^，\s]+)", shown.output).group(1)
    assert _try_login(app.test_client(), login, new_password).status_code == 302


# Sessions end on the server ------------------------------------------------------------------


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/unit/")


def test_a_cookie_copied_before_logout_no_longer_works_after_it(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    copied = unit.get_cookie("session").value
    assert _replay(app, copied).status_code == 200  # the copy works while logged in
    assert unit.post("/logout", data={"csrf_token": _csrf(unit, "/unit/")}).status_code == 302
    replayed = _replay(app, copied)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_a_logout_ends_only_that_login_session(site):
    """A district account shared by two officers: one logs out, the other goes on working."""
    app, logins = site
    first, second = _logged_in(app, logins, "district"), _logged_in(app, logins, "district")
    copied = first.get_cookie("session").value
    assert first.post("/logout", data={"csrf_token": _csrf(first, "/district/")}).status_code == 302
    assert second.get("/district/").status_code == 200
    replayed = app.test_client()
    replayed.set_cookie("session", copied)
    assert replayed.get("/district/").status_code == 302  # the logged-out session, copied, does not work
    assert first.get("/district/").status_code == 302


def test_two_logouts_of_one_session_at_once_both_end_it(site):
    app, logins = site
    unit = _logged_in(app, logins, "a")
    token = _csrf(unit, "/unit/")  # (kept in the session: the cookie is read after it)
    cookie = unit.get_cookie("session").value
    statuses, start = [], threading.Barrier(4)

    def logout():
        client = app.test_client()
        client.set_cookie("session", cookie)
        start.wait()
        statuses.append(client.post("/logout", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=logout) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    assert _replay(app, cookie).status_code == 302


def test_ended_logins_are_forgotten_once_their_cookies_have_expired(sqlite_site, monkeypatch):
    from server.district import models

    app, logins = sqlite_site
    for _ in range(3):
        unit = _logged_in(app, logins, "a")
        unit.post("/logout", data={"csrf_token": _csrf(unit, "/unit/")})
    with app.app_context():
        assert get_session().query(models.EndedLogin).count() == 3
    later = models.utcnow() + app.permanent_session_lifetime + dt.timedelta(minutes=1)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    unit = _logged_in(app, logins, "a")
    unit.post("/logout", data={"csrf_token": _csrf(unit, "/unit/")})
    with app.app_context():
        assert get_session().query(models.EndedLogin).count() == 1


def test_a_session_begun_before_login_ids_still_ends_at_its_logout(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    with unit.session_transaction() as cookie_session:  # as a cookie made by the previous version
        del cookie_session["login_id"]
    copied = unit.get_cookie("session").value
    assert unit.post("/logout", data={"csrf_token": _csrf(unit, "/unit/")}).status_code == 302
    assert _replay(app, copied).status_code == 302


def test_a_password_reset_ends_the_units_other_sessions(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    copied = unit.get_cookie("session").value
    district = _logged_in(app, logins, "district")
    with app.app_context():
        unit_id = service.unit_by_name(get_session(), "甲街道办事处").id
    district.post(f"/district/units/{unit_id}/password", data={"csrf_token": _csrf(district, "/district/units")})
    assert unit.get("/unit/").status_code == 302
    assert _replay(app, copied).status_code == 302
    assert district.get("/district/").status_code == 200  # the district's own session goes on


# Headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/check", "/static/site.css", "/no-such-page", "/api/v1/forms"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_pages_need_no_inline_script_or_style(sqlite_site):
    """The CSP allows neither; a page that had them would break in the browser."""
    app, logins = sqlite_site
    district = _logged_in(app, logins, "district")
    unit = _logged_in(app, logins, "a")
    submitted = unit.post(
        "/unit/submit",
        data={"file": (io.BytesIO(workbook("甲街道办事处")), "年报.xlsx"), "csrf_token": _csrf(unit, "/unit/")},
    )
    pages = [app.test_client().get(path) for path in ("/", "/check", "/login")]
    pages += [unit.get("/unit/"), unit.get(submitted.headers["Location"])]
    pages += [district.get(path) for path in ("/district/?year=2025", "/district/units")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.request.path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), page.request.path


# Exports -------------------------------------------------------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]


def _board_with_hostile_units(app, logins):
    with app.app_context():
        session = get_session()
        for name in HOSTILE_NAMES:
            service.register_unit(session, name, "=1+1")
        session.commit()
    return _logged_in(app, logins, "district")


def test_the_board_xlsx_keeps_formula_like_names_as_text(sqlite_site):
    app, logins = sqlite_site
    district = _board_with_hostile_units(app, logins)
    data = district.get("/district/board-2025.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value in HOSTILE_NAMES}
    assert set(cells) == set(HOSTILE_NAMES)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells.values())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml


def test_the_board_csv_neutralises_formula_like_cells(sqlite_site):
    app, logins = sqlite_site
    district = _board_with_hostile_units(app, logins)
    text = district.get("/district/board-2025.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted(["'" + name for name in HOSTILE_NAMES] + ["甲街道办事处", "乙镇人民政府"])
    assert all(row[1] == "'=1+1" for row in rows[1:] if row[0].startswith("'"))


# 405 and size limits -------------------------------------------------------------------------


def test_405_carries_allow_in_the_projects_error_shape(sqlite_site):
    app, _ = sqlite_site
    client = app.test_client()
    page = client.post("/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
    assert "不支持这种请求方式" in page.get_data(as_text=True) and page.mimetype == "text/html"
    logout = client.get("/logout", headers={"Accept": "application/json"})
    assert logout.status_code == 405 and "POST" in logout.headers["Allow"]
    assert logout.get_json() == {"ok": False, "error": "不支持这种请求方式。", "errors": [], "status": 405}
    api = client.delete("/api/v1/forms")
    assert api.status_code == 405 and "GET" in api.headers["Allow"] and api.get_json()["status"] == 405


def _submit(unit, explanation):
    """A submit with the body encoded in memory (the test client would spool a large one to an unclosed temp file)."""
    form = {
        "file": FileStorage(io.BytesIO(workbook("甲街道办事处")), filename="年报.xlsx"),
        "explanation": explanation,
        "csrf_token": _csrf(unit, "/unit/"),
    }
    boundary, body = encode_multipart(form)
    content_type = f"multipart/form-data; boundary={boundary}"
    return unit.post("/unit/submit", data=body, content_type=content_type, headers={"Accept": "application/json"})


def test_a_one_megabyte_explanation_is_told_the_real_limit(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    with warnings.catch_warnings():
        # Werkzeug leaves the file part it had spooled unclosed when a later field is too large
        warnings.simplefilter("ignore", ResourceWarning)
        response = _submit(unit, "说" * (1024 * 1024))
        gc.collect()
    message = response.get_json()["error"]
    assert response.status_code == 413
    assert "16 MB" not in message and "审核说明" in message and f"{service.MAX_TEXT} 个字" in message
    assert "每项文字最多 500 KB" in message


def test_an_explanation_over_the_maximum_is_refused_with_its_length(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    response = _submit(unit, "说" * (service.MAX_TEXT + 1))
    assert response.status_code == 422
    assert f"审核说明最多 {service.MAX_TEXT} 个字，现在有 {service.MAX_TEXT + 1} 个字" in response.get_json()["error"]
    assert _submit(unit, "说" * service.MAX_TEXT).status_code == 200


def test_a_too_large_upload_still_names_the_upload_limit(sqlite_site):
    app, logins = sqlite_site
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    unit = _logged_in(app, logins, "a")
    form = {
        "file": FileStorage(io.BytesIO(b"x" * (2 * 1024 * 1024)), filename="big.xlsx"),
        "csrf_token": _csrf(unit, "/unit/"),
    }
    boundary, body = encode_multipart(form)  # in memory: the test client would spool it to a temp file left open
    content_type = f"multipart/form-data; boundary={boundary}"
    response = unit.post("/unit/submit", data=body, content_type=content_type, headers={"Accept": "application/json"})
    assert response.status_code == 413 and "超过 1 MB" in response.get_json()["error"]


def test_the_explanation_boxes_carry_the_maximum(sqlite_site):
    app, logins = sqlite_site
    unit = _logged_in(app, logins, "a")
    assert f'maxlength="{service.MAX_TEXT}"' in unit.get("/unit/").get_data(as_text=True)
    assert f'data-max-text="{service.MAX_TEXT}"' in unit.get("/check").get_data(as_text=True)


def test_pages_of_logged_in_accounts_are_not_cached(sqlite_site):
    """Back in the browser or on a shared computer, a unit's new password must not come from the cache."""
    app, logins = sqlite_site
    district = _logged_in(app, logins, "district")
    with app.app_context():
        unit_id = service.unit_by_name(get_session(), "甲街道办事处").id
    token = _csrf(district, "/district/units")
    credentials = district.post(f"/district/units/{unit_id}/password", data={"csrf_token": token})
    assert credentials.status_code == 200 and credentials.headers["Cache-Control"] == "no-store"
    for path in ("/district/?year=2025", "/district/board-2025.csv", "/login"):
        assert district.get(path).headers["Cache-Control"] == "no-store", path
