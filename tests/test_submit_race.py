"""Version numbers of one unit's submissions under simultaneous submitting (issue 9, item 6).

Eight clients submit 25 times each for the same unit through the web door: every
submission is stored, the versions are exactly 1..200, nobody gets a 5xx.
"""

from __future__ import annotations

import io
import re
import threading

from district_data import workbook
from sqlalchemy import select

from server.district.db import get_session
from server.district.models import Submission

CLIENTS, EACH = 8, 25


def _login(app, login, password):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    assert response.status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/unit/").get_data(as_text=True)).group(1)
    return client, token


def test_simultaneous_submissions_of_one_unit_get_versions_one_to_n(site):
    app, logins = site
    data = workbook("甲街道办事处")
    clients = [_login(app, *logins["a"]) for _ in range(CLIENTS)]
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def run(client, token):
        start.wait()
        for _ in range(EACH):
            form = {"file": (io.BytesIO(data), "年报.xlsx"), "explanation": "", "csrf_token": token}
            response = client.post("/unit/submit", data=form, headers={"Accept": "application/json"})
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200], {code: statuses.count(code) for code in set(statuses)}
    with app.app_context():
        versions = get_session().scalars(select(Submission.version_no).where(Submission.year == 2025)).all()
    assert sorted(versions) == list(range(1, CLIENTS * EACH + 1))


CHILD = """
import sys, time
sys.path.insert(0, {tests!r})
from district_data import workbook
from sqlalchemy import select
from server import create_app
from server.district import service
from server.district.db import get_session
from server.district.models import Account

app = create_app({{"TESTING": True, "DATABASE_URL": {url!r}}}, instance_path={instance!r})
with app.app_context():
    session = get_session()
    account = session.scalar(select(Account).where(Account.login == {login!r}))
    data = workbook("甲街道办事处")
    for _ in range(3):
        service.submit(session, account, data, "年报.xlsx", None, "web")

    def stuck(*args):
        print("inside the transaction", flush=True)
        time.sleep(600)

    service.cell_rows = stuck  # the submission row is written, its cells not yet
    service.submit(session, account, data, "年报.xlsx", None, "web")
"""


def test_kill_9_in_the_middle_of_a_submission_leaves_no_partial_rows(site, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import func

    from server.district.models import CellValue

    app, logins = site
    script = CHILD.format(
        tests=str(Path(__file__).parent),
        url=app.config["DATABASE_URL"],
        instance=app.instance_path,
        login=logins["a"][0],
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout.readline().strip() == "inside the transaction"
        finally:
            child.kill()  # SIGKILL: no rollback, no clean-up in the process
    with app.app_context():
        db = get_session()
        versions = db.scalars(select(Submission.version_no).order_by(Submission.version_no)).all()
        cells = db.execute(select(CellValue.submission_id, func.count()).group_by(CellValue.submission_id)).all()
    assert versions == [1, 2, 3]
    assert len(cells) == 3 and len({count for _, count in cells}) == 1
    client, token = _login(app, *logins["a"])  # the unit is not left locked: the next version is 4
    form = {"file": (io.BytesIO(workbook("甲街道办事处")), "年报.xlsx"), "csrf_token": token}
    assert client.post("/unit/submit", data=form, headers={"Accept": "application/json"}).get_json()["version"] == 4


def test_collect_and_web_submissions_of_one_unit_at_the_same_time_number_the_versions_one_to_n(
    site, tmp_path, monkeypatch
):
    """collect writes batches of files (its own statements) while clerks submit through the web: no gap, no duplicate."""
    from server.district import collect
    from server.district.collect import STORED
    from server.district.collect import collect_files
    from server.district.collect import workbook_files
    from server.district.models import Account

    app, logins = site
    monkeypatch.setattr(collect, "BATCH", 3)  # many batches, each a transaction of its own
    folder = tmp_path / "邮件附件"
    folder.mkdir()
    for seed in range(100, 124):
        unit = "甲街道办事处" if seed % 3 else "乙镇人民政府"
        (folder / f"{seed}.xlsx").write_bytes(workbook(unit, seed=seed))
    files = workbook_files(folder)
    clients = [_login(app, *logins["a"]) for _ in range(4)]
    data = workbook("甲街道办事处")
    statuses: list[int] = []
    collected: list = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)

    def run_collect():
        with app.app_context():
            session = app.extensions["jcnb_sessions"]()
            district = session.scalar(select(Account).where(Account.login == "admin"))
            start.wait()
            collected.extend(collect_files(session, district, files, 2025, jobs=1))
            session.close()

    def run_web(client, token):
        start.wait()
        for _ in range(6):
            form = {"file": (io.BytesIO(data), "年报.xlsx"), "explanation": "", "csrf_token": token}
            response = client.post("/unit/submit", data=form, headers={"Accept": "application/json"})
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=run_collect)] + [threading.Thread(target=run_web, args=c) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200], {code: statuses.count(code) for code in set(statuses)}
    assert [r.status for r in collected] == [STORED] * len(files)
    with app.app_context():
        rows = get_session().execute(select(Submission.unit_id, Submission.version_no)).all()
    by_unit: dict[int, list[int]] = {}
    for unit_id, version_no in rows:
        by_unit.setdefault(unit_id, []).append(version_no)
    assert sorted(len(v) for v in by_unit.values()) == [8, 16 + 24]  # 乙: 8 collected; 甲: 16 collected + 24 web
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in by_unit.values())
