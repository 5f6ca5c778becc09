"""The Excel door under concurrent use: every clerk gets exactly their own answer, and nothing is kept.

Reproduces the week's measurement (issue: answers mixed between clerks): simultaneous 校验 and 提交
clicks against the app under waitress with 8 threads, each answer compared with what a lone click
returns for the same payload; and 200 clicks leave no book in xlwings' engine and no memory behind.
"""

from __future__ import annotations

import io
import json
import re
import threading
import urllib.request

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from builders import without_totals
from district_data import workbook

from server.district import service
from server.district.db import get_session
from server.forms import get_form
from server.xlsx.template import make_workbook
from tools.excel_sim import UPLOAD_SHEET
from tools.excel_sim import _add_upload_sheet
from tools.excel_sim import _saved_copy
from tools.excel_sim import addin_header
from tools.excel_sim import build_payload
from tools.excel_sim import include_of

THREADS = 8


@pytest.fixture
def served(tmp_path):
    """The app (SQLite, district account and units) under waitress with 8 threads; yields (base URL, app)."""
    from conftest import database_url
    from conftest import make_site
    from waitress import create_server
    from waitress import wasyncore

    from server.district.db import dispose

    app, _ = make_site(database_url("sqlite", tmp_path), tmp_path)
    server = create_server(app, host="127.0.0.1", port=0, threads=THREADS, ident="jcnb-test")
    stop = threading.Event()

    def serve():  # waitress's run(), in steps, so that the loop itself closes the server
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):  # the listener and any connection still open
            channel.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", app
    stop.set()
    thread.join(timeout=30)
    dispose(app)


def _post(base: str, path: str, payload: dict, headers: dict) -> tuple[int, dict | str]:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def _together(calls: list) -> list:
    """Run the calls at the same moment (a barrier), one thread each; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _validate_payload(seed: int, typo: bool) -> dict:
    """A 2021 report with blank totals, with or without a typo (different answers for different payloads)."""
    form = get_form("2021")
    values = without_totals(form, consistent_values(form, seed=seed))
    if typo:
        values["t2.open.c_natural"] = f"{seed}件"
    book = make_workbook("2021", values, header_for(form))
    return build_payload(book, include=include_of(book))


def _funcs(answer: dict) -> list[str]:
    return [action["func"] if action["func"] != "runMacro" else action["args"][0] for action in answer["actions"]]


def test_simultaneous_validate_clicks_each_get_their_own_answer(served):
    base, _ = served
    headers = {"X-JCNB-Addin": addin_header()}
    payloads = [_validate_payload(seed, typo=seed % 2 == 0) for seed in range(1, 41)]
    lone = [_post(base, "/xlwings/validate", payload, headers) for payload in payloads]
    assert all(status == 200 for status, _ in lone)
    for _, answer in lone:
        assert _funcs(answer).count("alert") == 1 and "'信息公开年报.xlam'!JCNB_BeginUpdate" in _funcs(answer)
    for pair in range(20):
        first, second = payloads[2 * pair], payloads[2 * pair + 1]
        answers = _together(
            [
                lambda p=first: _post(base, "/xlwings/validate", p, headers),
                lambda p=second: _post(base, "/xlwings/validate", p, headers),
            ]
        )
        assert answers == [lone[2 * pair], lone[2 * pair + 1]], f"pair {pair}: answers differ from lone clicks"


def _units(app, count: int) -> list[tuple[str, str]]:
    """Register ``count`` more units; their (name, add-in token)."""
    with app.app_context():
        session = get_session()
        district = service.authenticate(session, "admin", "district-pass")
        made = []
        for number in range(count):
            name = f"第{number + 1}街道办事处"
            unit, _ = service.register_unit(session, name, "街道办事处")
            session.flush()
            made.append((name, service.renew_token(session, district, unit.id).token))
        session.commit()
    return made


def _submit_payload(unit: str, bad: bool) -> dict:
    changes = {"t2.open.c_natural": 999} if bad else {}
    book = openpyxl.load_workbook(io.BytesIO(workbook(unit, **changes)))
    _add_upload_sheet(book, _saved_copy(book), f"{unit}.xlsx", "")
    include = include_of(book)
    return build_payload(book, name=f"{unit}.xlsx", include=f"{include},{UPLOAD_SHEET}")


def _version_free(answer) -> str:
    """The answer with the submission's version number taken out (it counts up per unit)."""
    return re.sub(r"第 \d+ 版", "第 N 版", json.dumps(answer, ensure_ascii=False, sort_keys=True))


def test_simultaneous_submissions_from_different_units_each_get_their_own_answer(served):
    base, app = served
    units = _units(app, 50)
    cases = []
    for index, (name, token) in enumerate(units):
        payload = _submit_payload(name, bad=index % 3 == 0)
        headers = {"X-JCNB-Addin": addin_header(), "Authorization": token}
        cases.append((payload, headers, index % 3 == 0))
    lone = [_post(base, "/xlwings/submit", payload, headers) for payload, headers, _ in cases]
    for (status, answer), (_, _, bad) in zip(lone, cases, strict=True):
        alerts = [a["args"][0] for a in answer["actions"] if a["func"] == "alert"]
        assert status == 200 and len(alerts) == 1
        assert alerts[0].startswith("不能提交" if bad else "已提交")
    together = _together([lambda p=p, h=h: _post(base, "/xlwings/submit", p, h) for p, h, _ in cases])
    for index, (expected, got) in enumerate(zip(lone, together, strict=True)):
        assert got[0] == 200, f"unit {index}: status {got[0]}"
        assert _version_free(got[1]) == _version_free(expected[1]), f"unit {index}: {_first_difference(expected, got)}"


def _first_difference(expected, got) -> str:
    """Where an answer departs from the lone click's (for the failure message)."""
    if not isinstance(got[1], dict) or not isinstance(expected[1], dict):
        return f"answer {str(got[1])[:300]!r} instead of {str(expected[1])[:300]!r}"
    alerts = [action["args"][0][:200] for action in got[1]["actions"] if action["func"] == "alert"]
    pairs = zip(expected[1]["actions"], got[1]["actions"], strict=False)
    for position, (one, other) in enumerate(pairs):
        if _version_free(one) != _version_free(other):
            return f"action {position}: {str(other)[:300]} instead of {str(one)[:300]}; message {alerts}"
    return f"{len(got[1]['actions'])} actions instead of {len(expected[1]['actions'])}"


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def test_clicks_leave_no_book_in_the_engine_and_no_memory_behind(served):
    base, _ = served
    headers = {"X-JCNB-Addin": addin_header()}
    payloads = [_validate_payload(seed, typo=seed % 2 == 0) for seed in range(1, 11)]
    for payload in payloads:  # warm up: imports, caches of labels and layouts
        _post(base, "/xlwings/validate", payload, headers)
    from xlwings import engines

    books = engines["remote"].apps.active.books
    held = len(books)
    before = _rss_kb()
    for click in range(200):
        status, _ = _post(base, "/xlwings/validate", payloads[click % len(payloads)], headers)
        assert status == 200
    grown = _rss_kb() - before
    assert len(books) == held, f"the engine holds {len(books) - held} more books after 200 clicks"
    assert grown < 20 * 1024, f"RSS grew by {grown} kB over 200 clicks"
