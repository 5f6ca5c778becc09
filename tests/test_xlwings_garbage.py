"""A click leaves nothing for the garbage collector (issue 11, the click).

Objects in a reference cycle outlive the request until Python's cyclic collector runs; a click
that left its book, its actions and the payload rows in cycles (about 150 objects) made the
collector run every few clicks, over everything built since — a twentieth of the click's time.
Here the server's side of a click, called as a WSGI server calls it, must leave no cycle of its
own (werkzeug's URL matcher leaves one small closure per request: that is the library's).
"""

from __future__ import annotations

import collections
import gc
import json

from builders import consistent_values
from builders import header_for
from builders import without_totals
from wsgi_call import wsgi_post

from server.forms import get_form
from server.xlsx.template import make_workbook
from tools.excel_sim import build_payload
from tools.excel_sim import include_of

_LIBRARY = {"builtins.cell", "builtins.function", "builtins.tuple", "builtins.set"}
"""What werkzeug's ``StateMachineMatcher.match`` leaves per request: a recursive closure."""


def _body() -> bytes:
    form = get_form("2021")
    values = consistent_values(form, seed=1)
    values = {**without_totals(form, values), "t2.open.c_natural": values["t2.open.c_natural"] + 2}
    book = make_workbook("2021", values, header_for(form))
    return json.dumps(build_payload(book, include=include_of(book))).encode()


def _garbage(app, body: bytes, clicks: int) -> collections.Counter:
    post = wsgi_post(app, "/xlwings/validate", body)

    def click() -> None:
        status, answer = post()
        assert status == "200 OK" and b'"setRangeColor"' in answer

    click()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(clicks):
            click()
        gc.collect()
        return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_click_leaves_no_reference_cycle_of_its_own(app):
    left = _garbage(app, _body(), 20)
    ours = {kind: count for kind, count in left.items() if kind not in _LIBRARY}
    assert not ours, ours
    assert sum(left.values()) <= 10 * 20
