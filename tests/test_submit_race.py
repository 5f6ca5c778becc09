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
