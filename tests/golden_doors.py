"""Exact answers of the doors for a fixed set of reports, recorded before the click was made faster (issue 11).

The 校验 click (``POST /xlwings/validate``), ``POST /api/v1/validate``, ``POST /api/v1/workbook`` and
``validate --json`` are run on each report; tests/test_golden_doors.py asserts that every answer is still
byte for byte what tests/data/golden_doors.json.gz recorded. After a deliberate change of an answer (a new
message wording, say) record them again:

    .venv/bin/python tests/golden_doors.py --write
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from builders import consistent_values  # noqa: E402
from builders import header_for  # noqa: E402
from builders import with_typos  # noqa: E402
from builders import without_totals  # noqa: E402

from server.forms import get_form  # noqa: E402
from server.workbook.layout import META_SHEET  # noqa: E402
from server.xlsx.template import make_workbook  # noqa: E402

GOLDEN = HERE / "data" / "golden_doors.json.gz"
"""Gzipped JSON: {case: {door: answer text}}."""


def _values(version: str, seed: int = 1, *, blank_totals: bool = False, **changes) -> dict:
    form = get_form(version)
    values = consistent_values(form, seed=seed)
    if blank_totals:
        values = without_totals(form, values)
    return {**values, **changes}


def cases() -> dict[str, tuple[str, dict, dict, dict | None]]:
    """Name -> (version, values, header changes, the values once the clerk corrected the cells or None)."""
    typo = {"t2.open.c_natural": _values("2021")["t2.open.c_natural"] + 2}
    text = {"t2.open.c_natural": "5件", "t1.fees.fee_amount": "251000元", "t2.new.c_other": "见附件"}
    blanks = {"t2.total.c_total": None, "t2.deny_1.c_legal": None, "t3.cases.review_total": 99}
    typo_2019 = {"t2.open.c_natural": _values("2019")["t2.open.c_natural"] + 3}
    blank_2021, blank_2019 = _values("2021", blank_totals=True), _values("2019", blank_totals=True)
    return {
        "2021 clean, totals typed": ("2021", _values("2021"), {}, None),
        "2021 clean, totals blank": ("2021", blank_2021, {}, None),
        "2021 one typo, totals blank": ("2021", {**blank_2021, **typo}, {}, blank_2021),
        "2021 one typo, totals typed": ("2021", {**_values("2021"), **typo}, {}, _values("2021")),
        "2021 three typos, totals blank": (
            "2021",
            with_typos("2021", 3, 3, True),
            {},
            _values("2021", 3, blank_totals=True),
        ),
        "2021 three typos, totals typed": ("2021", with_typos("2021", 4, 3, False), {}, _values("2021", 4)),
        "2021 five typos, totals blank": (
            "2021",
            with_typos("2021", 5, 5, True),
            {},
            _values("2021", 5, blank_totals=True),
        ),
        "2021 two typos, totals typed": ("2021", with_typos("2021", 7, 2, False), {}, _values("2021", 7)),
        "2021 text in number cells": ("2021", {**blank_2021, **text}, {}, blank_2021),
        "2021 blanks in totals and parts": (
            "2021",
            _values("2021", seed=9, **blanks),
            {"date": None, "phone": None},
            _values("2021", seed=9),
        ),
        "2019 clean, totals blank": ("2019", blank_2019, {}, None),
        "2019 one typo, totals blank": ("2019", {**blank_2019, **typo_2019}, {}, blank_2019),
        "2019 text and typos, totals typed": (
            "2019",
            {**with_typos("2019", 2, 2, False), "t2.new.c_other": "3件"},
            {},
            _values("2019", 2),
        ),
    }


def _corrected(book, version: str, values: dict, fixed: dict) -> None:
    """Type the right values into the cells the clerk got wrong (the validator's fills stay)."""
    from server.workbook.layout import layout_for

    addresses = layout_for(version).addresses
    for key, value in fixed.items():
        if values.get(key) != value:
            sheet, cell = addresses[key]
            book[sheet][cell].value = value


def _book(version: str, values: dict, header: dict):
    form = get_form(version)
    return make_workbook(version, values, header_for(form, **header))


def click_payload(case: str) -> dict:
    """What the add-in sends for a case's workbook on the first click."""
    from tools.excel_sim import build_payload
    from tools.excel_sim import include_of

    version, values, header, _ = cases()[case]
    book = _book(version, values, header)
    return build_payload(book, include=include_of(book))


def _xlsx(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def recorded() -> dict[str, dict[str, str]]:
    """The answers as recorded."""
    return json.loads(gzip.decompress(GOLDEN.read_bytes()).decode("utf-8"))


def answers() -> dict[str, dict[str, str]]:
    """Case -> door -> the exact answer text."""
    import tempfile

    from click.testing import CliRunner

    from server import create_app
    from server.cli import main
    from server.workbook import validate_grids
    from server.xlsx.load import load_grids
    from tools.excel_sim import addin_header
    from tools.excel_sim import apply_actions
    from tools.excel_sim import build_payload
    from tools.excel_sim import include_of

    out: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'g.sqlite3'}"}, instance_path=tmp)
        client = app.test_client()
        headers = {"X-JCNB-Addin": addin_header()}

        def post(book) -> str:
            payload = build_payload(book, include=include_of(book))
            response = client.post("/xlwings/validate", json=payload, headers=headers)
            return response.get_data(as_text=True)

        for name, (version, values, header, fixed) in cases().items():
            book = _book(version, values, header)
            data = _xlsx(book)
            first = post(book)
            apply_actions(book, json.loads(first))
            second = post(book)  # the click again: the metadata sheet now lists fills and flags
            if fixed is not None:
                apply_actions(book, json.loads(second))
                _corrected(book, version, values, fixed)
                out.setdefault(name, {})["click after correcting"] = post(book)
            hand = _book(version, values, header)
            del hand[META_SHEET]  # typed by hand: the tables are found by their labels
            reading, _ = validate_grids(load_grids(data))
            api = client.post(
                "/api/v1/validate", json={"version": version, "values": reading.values, "header": reading.header}
            ).get_data(as_text=True)
            upload = client.post("/api/v1/workbook", data={"file": (io.BytesIO(data), "单位.xlsx")}).get_data(
                as_text=True
            )
            path = Path(tmp) / "单位.xlsx"
            path.write_bytes(data)
            cli = CliRunner().invoke(main, ["validate", "--json", str(path)]).output.replace(tmp, "<tmp>")
            out.setdefault(name, {}).update(
                {
                    "click": first,
                    "click again": second,
                    "click, typed by hand": post(hand),
                    "api validate": api,
                    "api workbook": upload,
                    "cli --json": cli,
                }
            )
        last = _values("2021", seed=3)
        this = _values("2021", blank_totals=True, **{"t2.open.c_natural": 1000})
        out["2021 with last year"] = {
            "api validate": client.post(
                "/api/v1/validate",
                json={
                    "version": "2021",
                    "values": this,
                    "header": header_for(get_form("2021")),
                    "last_year": {
                        "version": "2021",
                        "values": last,
                        "header": header_for(get_form("2021"), unit="另一个单位", year=2023),
                    },
                },
            ).get_data(as_text=True)
        }
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: tests/golden_doors.py --write")
    text = json.dumps(answers(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    GOLDEN.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {GOLDEN}")
