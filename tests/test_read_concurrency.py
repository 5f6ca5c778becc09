"""Simultaneous reads: the fast reader's caches of workbook-wide parts are shared by every request thread.

The web server reads uploads in several threads at once. Each read must give exactly what it gives alone,
whether its template's parts are already remembered, being remembered by another thread, or dropped
because the cache was full.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import openpyxl
from district_data import workbook
from hostile_files import corpus
from test_read_fast import outcome

from server.xlsx import fast
from server.xlsx.load import load_grids


def _dated_book(number_format: str) -> bytes:
    """A book whose B2 holds 45672 in the given format: a date or a number by its style alone."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "数字", "文字"])
    sheet.append([None, 45672, "37个"])
    sheet["B2"].number_format = number_format
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden.append([1.5, True, None, "x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _files() -> list[bytes]:
    files = [
        workbook("甲街道办事处", year=2025, seed=1),
        workbook("乙镇人民政府", year=2025, seed=2, **{"t2.open.c_natural": 999}),
        workbook("丙街道", year=2020, seed=3),  # the 2019 form
        _dated_book("yyyy-mm-dd"),  # the same parts but the styles: read as a date …
        _dated_book("0.00"),  # … and as a number
    ]
    files += list(corpus().values())[:6]  # some that are refused
    return files


def test_simultaneous_reads_each_get_what_they_get_alone():
    files = _files()
    alone = [outcome(load_grids, data) for data in files]
    assert sum(1 for result in alone if result[0] != "refused") >= 5
    assert alone[3] != alone[4]  # the date and the number
    for _round in range(4):
        fast._BOOKS.clear()
        fast._OPENPYXL_BOOKS.clear()
        start = threading.Barrier(8)

        def read(index: int, start=start):
            if index < 8:
                start.wait()
            data = files[index % len(files)]
            return index % len(files), outcome(load_grids, data)

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(read, range(8 * len(files))))
        for index, result in results:
            assert result == alone[index]
