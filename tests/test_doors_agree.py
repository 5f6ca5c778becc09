"""One workbook through every door gives identical findings."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from builders import consistent_values
from builders import header_for
from click.testing import CliRunner

from server.cli import main
from server.forms import get_form
from server.stories import stories
from server.workbook import validate_grids
from server.workbook.layout import RESULT_SHEET
from server.workbook.results import result_rows
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook
from tools.excel_sim import click
from tools.excel_sim import flask_post

CASES = {
    "typo": {"t2.open.c_natural": 77},
    "text and blank": {"t1.fees.fee_amount": "251000元", "t2.deny_1.c_legal": None, "t2.total.c_total": None},
    "unreadable": {"t2.new.c_other": "见附件", "t3.cases.review_total": 99},
}


def _workbook(changes) -> bytes:
    form = get_form("2021")
    book = make_workbook("2021", {**consistent_values(form, seed=9), **changes}, header_for(form))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flat(findings) -> list[tuple]:
    return sorted(
        (f["rule"], f["sheet"], f["cell"], f["severity"], f["message"], str(f["suggestion"])) for f in findings
    )


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_every_door_gives_the_same_findings(client, tmp_path, changes):
    data = _workbook(changes)
    path = tmp_path / "单位.xlsx"
    path.write_bytes(data)
    reading, report = validate_grids(load_grids(data))
    core = _flat(f.to_dict() for f in report.findings)

    cli = json.loads(CliRunner().invoke(main, ["validate", "--json", str(path)]).output)
    upload = client.post("/api/v1/workbook", data={"file": (io.BytesIO(data), "单位.xlsx")}).get_json()
    values = client.post(
        "/api/v1/validate", json={"version": "2021", "values": reading.values, "header": reading.header}
    ).get_json()
    book = openpyxl.load_workbook(io.BytesIO(data))
    click(flask_post(client), book)
    excel = [row for row in book[RESULT_SHEET].iter_rows(min_row=4, values_only=True)]

    assert _flat(cli["findings"]) == core
    assert _flat(upload["findings"]) == core
    assert _flat(values["findings"]) == core
    # The 校验结果 sheet tells one story per mistake (issue 10): the same rows as the shared presentation,
    # covering every finding except text merged into its culprit's row.
    assert [(row[2], row[3], row[5], row[9]) for row in excel] == [
        (row[2] or None, row[3] or None, row[5], row[9]) for row in result_rows(report)
    ]
    merged = {f.id for story in stories(report) for f in story.merged}
    assert sorted((row[2], row[3], row[9]) for row in excel) == sorted(
        (f.sheet, f.cell, f.rule) for f in report.findings if f.id not in merged
    )
