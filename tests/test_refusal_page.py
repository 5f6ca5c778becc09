"""The refusal page: what was wrong (sheet and cell), the annotated copy, and resubmitting without losing anything."""

from __future__ import annotations

import io
import re

import openpyxl
from district_data import workbook
from test_district_web import _csrf
from test_district_web import _login
from test_district_web import _submit

from server.workbook.layout import RESULT_SHEET


def _headings(page: str) -> str:
    """The page's title and main heading."""
    return " ".join(
        title + heading for title, heading in re.findall(r"<title>(.*?)</title>|<h1>(.*?)</h1>", page, re.S)
    )


def test_a_refused_workbook_names_sheet_and_cell_keeps_the_explanation_and_links_on(site):
    app, logins = site
    unit = _login(app, logins, "a")
    response = _submit(unit, workbook("甲街道办事处", **{"t2.open.c_natural": 999}), explanation="本单位已核对台账。")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "没有提交：年报.xlsx" in page and "422" not in _headings(page)
    assert "<strong>表二 依申请公开 D8</strong>" in page
    assert 'href="/unit/kept/annotated"' in page and 'href="/unit/"' in page
    assert ">本单位已核对台账。</textarea>" in page
    assert 'type="file"' in page  # a workbook with errors must be corrected: a new file is chosen
    copy = unit.get("/unit/kept/annotated")
    assert copy.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(copy.data))
    assert book.active.title == RESULT_SHEET and book.active["A1"].value.startswith("校验未通过")


def test_a_missing_explanation_is_added_without_choosing_the_file_again(site):
    app, logins = site
    unit = _login(app, logins, "a")
    data = workbook("甲街道办事处", **{"t1.rules.issued": 1, "t1.rules.in_force": 1})  # P4: a warning
    page = _submit(unit, data).get_data(as_text=True)
    assert "填写审核说明后提交这个文件" in page and 'name="kept" value="1"' in page and 'type="file"' not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = unit.post(
        "/unit/submit", data={"kept": "1", "explanation": "转发市政府规章一件，已核实。", "csrf_token": token}
    )
    assert response.status_code == 302
    submission = unit.get(response.headers["Location"]).get_data(as_text=True)
    assert "年报.xlsx" in submission and "转发市政府规章一件，已核实。" in submission
    again = unit.post("/unit/submit", data={"kept": "1", "explanation": "再交一次试试看。", "csrf_token": token})
    assert again.status_code == 422 and "已不在服务器上" in again.get_data(as_text=True)  # submitted: not kept


def test_one_units_kept_file_is_never_shown_to_another(site):
    app, logins = site
    unit_a = _login(app, logins, "a")
    _submit(unit_a, workbook("甲街道办事处", **{"t2.open.c_natural": 999}))
    unit_b = _login(app, logins, "b")
    assert unit_b.get("/unit/kept/annotated").status_code == 404
    token = _csrf(unit_b, "/unit/")
    refused = unit_b.post("/unit/submit", data={"kept": "1", "explanation": "说明说明说明", "csrf_token": token})
    assert refused.status_code == 422 and "已不在服务器上" in refused.get_data(as_text=True)


def test_error_pages_have_no_status_codes_in_their_titles(client):
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "<h1>找不到</h1>" in page and "404" not in _headings(page)


def test_simultaneous_refusals_of_one_account_leave_one_whole_kept_file(app):
    """The kept file is shared by the account's requests: written atomically, one of them wins whole."""
    import threading

    from server.district import pending

    uploads = [(bytes([n]) * 200_000, f"第{n}份.xlsx", f"说明{n}") for n in range(8)]
    barrier = threading.Barrier(len(uploads))

    def refuse(data, name, explanation):
        with app.app_context():
            barrier.wait()
            pending.keep(7, data, name, explanation)

    threads = [threading.Thread(target=refuse, args=upload) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        data, name, explanation = pending.load(7)
    assert len(set(data)) == 1 and len(data) == 200_000  # never a mix of two uploads
    assert (name, explanation) == uploads[data[0]][1:]  # name and explanation of the same upload


def test_kept_files_of_accounts_that_never_come_back_are_swept_after_a_day(app, monkeypatch):
    import os
    import time

    from server.district import pending

    with app.app_context():
        pending.keep(1, b"old", "旧.xlsx", "")
        pending.keep(2, b"recent", "新.xlsx", "")
        folder = pending._path(1).parent
        leftover = folder / ".tmp-interrupted.kept"  # a write that never finished
        leftover.write_bytes(b"x")
        day_ago = time.time() - pending.KEEP_HOURS * 3600 - 60
        for path in (pending._path(1), leftover):
            os.utime(path, (day_ago, day_ago))
        monkeypatch.setattr(pending, "_last_sweep", 0.0)
        pending.keep(3, b"another", "另一个.xlsx", "")
        assert not pending._path(1).exists() and not leftover.exists()
        assert pending.load(2)[0] == b"recent" and pending.load(3)[0] == b"another"
        pending.keep(1, b"again", "再次.xlsx", "")  # within the hour: no second look through the folder
        os.utime(pending._path(2), (day_ago, day_ago))
        pending.keep(4, b"x", "x.xlsx", "")
        assert pending._path(2).exists()
