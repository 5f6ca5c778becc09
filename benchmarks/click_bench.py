"""The 校验 click against the xlwings floor, and localisation time by number of typos (issue 11, target 1).

    .venv/bin/python benchmarks/click_bench.py [--runs 100] [--small] [--typos]

Floor: what xlwings itself costs on the same payload — ``xw.Book(json=payload)``,
25 colour actions, ``book.json()``. Click: ``POST /xlwings/validate`` through the
Flask test client, as the add-in sends it (the body
encoded once beforehand, as in api_bench: encoding it is the add-in's work), on a process settled as
``python -m server serve`` settles it; also printed: the same click called as a WSGI server such as
waitress calls the app (no test client). Targets: the click with one typo and
blank totals ≤ 5× the floor; 10 typos ≤ 50 ms; no exponential growth with the
number of typos. Times are CPU milliseconds of the thread (benchmarks/timing.py).

The typo table gives the median and the slowest of several reports per count:
random detail cells of 表二 (2021) changed by 1–40, totals typed or left blank
(``--typos``: only this table).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from builders import consistent_values  # noqa: E402
from builders import header_for  # noqa: E402
from builders import with_typos  # noqa: E402
from builders import without_totals  # noqa: E402
from timing import machine  # noqa: E402
from timing import medians  # noqa: E402
from wsgi_call import wsgi_post  # noqa: E402

from server import create_app  # noqa: E402
from server.cli import settle_for_serving  # noqa: E402
from server.forms import get_form  # noqa: E402
from server.xlsx.template import make_workbook  # noqa: E402
from tools.excel_sim import build_payload  # noqa: E402
from tools.excel_sim import include_of  # noqa: E402

FLOOR_TARGET = 5.0
TEN_TYPOS_MS = 50.0
_FORM = get_form("2021")


def payload(values: dict) -> dict:
    """The xlwings payload of a 2021 workbook holding ``values``."""
    book = make_workbook("2021", values, header_for(_FORM))
    return build_payload(book, include=include_of(book))


def floor(data: dict) -> None:
    """xlwings' own work on a payload: open it, colour 25 cells, answer."""
    import xlwings as xw

    book = xw.Book(json=data)
    sheet = book.sheets[0]
    for row in range(25):
        sheet[f"D{5 + row}"].color = "#FFC7CE"
    book.json()


def _cpu_ms(call) -> float:
    start = time.thread_time()
    call()
    return (time.thread_time() - start) * 1000


def main() -> None:
    """Print the ratio to the floor and the typo table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--small", action="store_true", help="fewer runs and reports")
    parser.add_argument("--typos", action="store_true", help="only the typo table")
    args = parser.parse_args()
    runs, reports = (100, 3) if args.small else (args.runs, 8)  # 20 runs were too few on a noisy VM
    app = create_app({"TESTING": True}, instance_path=str(ROOT / "instance"))
    client = app.test_client()
    settle_for_serving()  # as `python -m server serve` does before its first request

    def click(data: dict):
        body = json.dumps(data).encode()  # the add-in's work (VBA-JSON), done once: only the server's side is timed
        return lambda: client.post("/xlwings/validate", data=body, content_type="application/json")

    if args.typos:
        print(f"# {machine()}; CPU ms of the thread")
        _typo_table(click, reports, args.small)
        return
    print(f"# {machine()}; CPU ms of the thread, medians of {runs} interleaved runs")
    full = consistent_values(_FORM, seed=1)
    typo = {"t2.open.c_natural": full["t2.open.c_natural"] + 2}
    one_typo_blank = payload({**without_totals(_FORM, full), **typo})
    times = medians(
        {
            "floor": lambda: floor(one_typo_blank),
            "one typo, totals blank": click(one_typo_blank),
            "clean, totals blank": click(payload(without_totals(_FORM, full))),
            "one typo, totals typed": click(payload({**full, **typo})),
            "wsgi": _wsgi_click(app, one_typo_blank),
        },
        runs,
    )
    base = times.pop("floor")
    wsgi = times.pop("wsgi")
    print(f"{'xlwings floor (same payload)':<30} {base:>8.2f} ms")
    for name, value in times.items():
        print(f"{'click: ' + name:<30} {value:>8.2f} ms  {value / base:>5.1f}× the floor")
    print(f"target: one typo, totals blank ≤ {FLOOR_TARGET:g}× the floor")
    print(
        f"(one typo, totals blank, called as a WSGI server calls the app, without the test client: {wsgi:.2f} ms, "
        f"{wsgi / base:.1f}× the floor)"
    )
    print()
    _typo_table(click, reports, args.small)


def _wsgi_click(app, data: dict):
    """The click as waitress calls the app (:func:`wsgi_post`), its answer a 200."""
    post = wsgi_post(app, "/xlwings/validate", json.dumps(data).encode())

    def call() -> None:
        assert post()[0] == "200 OK"

    return call


def _typo_table(click, reports: int, small: bool) -> None:
    """Median and slowest click per number of typos, totals typed and blank (one click per report)."""
    print(f"{'typos':>5} {'totals':>6} {'median ms':>10} {'slowest ms':>11}   (target: 10 typos ≤ {TEN_TYPOS_MS:g} ms)")
    counts = (1, 2, 3, 5, 10) if small else (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
    for blank_totals in (False, True):
        for count in counts:
            data = [payload(with_typos("2021", seed, count, blank_totals)) for seed in range(reports)]
            spent = [_cpu_ms(click(one)) for one in data]
            label = "blank" if blank_totals else "typed"
            print(f"{count:>5} {label:>6} {statistics.median(spent):>10.1f} {max(spent):>11.1f}")


if __name__ == "__main__":
    main()
