"""Issue 9: hostile and broken files through every door — a Chinese answer, never a crash.

The corpus (tests/hostile_files.py) is generated here from one good workbook.
Every file goes through the reader, the CLI (one file and a folder), the JSON
API upload and its annotated download (the web check page's two requests),
the unit's submit page and the add-in's 提交 (the file inside ``_upload``).
Each answer is a refusal in Chinese (CLI exit 2, HTTP 422, a message box) or,
for files whose oddity is skipped or reported as a finding, a report.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hostile_files import PEAK
from hostile_files import READABLE
from hostile_files import UNIT
from hostile_files import corpus
from hostile_files import good

from server.cli import main
from server.errors import WorkbookUnreadable
from server.workbook import validate_grids
from server.xlsx.annotate import annotate
from server.xlsx.limits import Limits
from server.xlsx.load import load_grids

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(corpus())
REFUSED = [name for name in NAMES if name not in READABLE]
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_LEAKS = ("Traceback", "Error", "Exception", "error:", "Invalid", "object", "index")


def _chinese(message: str) -> None:
    """A message for a clerk: Chinese, and none of Python's English."""
    assert CJK.search(message), message
    for leak in ENGLISH_LEAKS:
        assert leak not in message, message


# The reader ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFUSED)
def test_every_broken_file_is_refused_in_chinese(name):
    with pytest.raises(WorkbookUnreadable) as refused:
        load_grids(corpus()[name])
    _chinese(refused.value.message)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_readable_oddities_are_validated_and_annotated(name):
    data = corpus()[name]
    reading, report = validate_grids(load_grids(data))
    book = openpyxl.load_workbook(io.BytesIO(annotate(data, reading, report)))
    assert "校验结果" in book.sheetnames


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("number_abc", ("表二 依申请公开", "D8", "abc")),
        ("number_nan", ("D8", "NaN")),
        ("number_inf", ("D8", "inf")),
        ("number_1e999", ("D8", "超出范围")),
        ("date_garbage", ("D8", "日期")),
        ("bool_garbage", ("D8", "逻辑值")),
        ("shared_string_out_of_range", ("D8", "共享字符串")),
        ("bad_reference", ("D8ZZ", "地址")),
        ("style_not_a_number", ("D8", "样式")),
        ("billion_laughs", ("实体声明",)),
        ("quadratic_blowup", ("实体声明",)),
        ("xxe_file", ("实体声明",)),
        ("whitespace_bomb", ("sheet3.xml", "上限 10 MB")),
        ("huge_inline_string", ("上限 10 MB",)),
        ("long_text", ("D8", "32767")),
        ("many_sheets", ("150 张", "上限 100 张")),
        ("many_parts", ("上限 2000 个",)),
        ("flipped_deflate", ("损坏",)),
        ("lying_sizes", ("损坏",)),
        ("truncated", ("不完整",)),
        ("empty", ("空的",)),
        ("pdf_renamed", ("PDF",)),
        ("png_renamed", ("图片",)),
        ("csv_renamed", ("CSV",)),
        ("xls_real", (".xls", "另存为")),
        ("encrypted", ("密码",)),
        ("encrypted_entries", ("加密",)),
        ("ods", (".ods", "另存为")),
        ("docx", ("Word",)),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_refusal_says_where_or_which_limit(name, words):
    with pytest.raises(WorkbookUnreadable) as refused:
        load_grids(corpus()[name])
    for word in words:
        assert word in refused.value.message


def test_rows_and_columns_beyond_the_limits_are_not_read():
    """A row touching XFD is not padded to 16384 columns; rows far down are not read."""
    for name in ("xfd_columns", "far_rows"):
        grids = load_grids(corpus()[name])
        assert max(grid.width for grid in grids) <= Limits().columns
        assert max(grid.height for grid in grids) <= Limits().rows
    small = Limits(rows=10, columns=5)
    table = next(g for g in load_grids(good(), small) if g.name == "表二 依申请公开")
    assert table.height <= 10 and table.width <= 5


def test_limits_are_settings_of_the_service(app):
    app.config.update(WORKBOOK_MAX_SHEETS=3)
    response = app.test_client().post("/api/v1/workbook", data={"file": (io.BytesIO(good()), "年报.xlsx")})
    assert response.status_code == 422
    assert "上限 3 张" in response.get_json()["error"]


def test_limits_from_the_environment_apply_outside_the_service_and_follow_changes(monkeypatch):
    """The command line and collect's workers read the limits from SERVER_WORKBOOK_MAX_* (remembered by value)."""
    monkeypatch.setenv("SERVER_WORKBOOK_MAX_SHEETS", "3")
    with pytest.raises(WorkbookUnreadable, match="上限 3 张"):
        load_grids(good())
    monkeypatch.setenv("SERVER_WORKBOOK_MAX_SHEETS", "4")
    with pytest.raises(WorkbookUnreadable, match="上限 4 张"):
        load_grids(good())
    monkeypatch.delenv("SERVER_WORKBOOK_MAX_SHEETS")
    assert len(load_grids(good())) > 4


# Annotated copy ---------------------------------------------------------------------------------


def _annotated(name: str):
    data = corpus()[name]
    reading, report = validate_grids(load_grids(data))
    return openpyxl.load_workbook(io.BytesIO(annotate(data, reading, report)))


def test_a_merged_data_cell_is_skipped_and_said_so():
    book = _annotated("merged_data_cell")
    note = book["校验结果"]["A2"].value
    assert "合并单元格" in note and "表二 依申请公开!J8" in note
    assert book["表二 依申请公开"]["D8"].value is not None  # the rest of the copy is there


def test_a_style_index_out_of_range_gives_a_results_only_copy_that_says_so():
    book = _annotated("style_index_out_of_range")
    assert book.sheetnames == ["校验结果"]
    assert "只包含校验结果" in book["校验结果"]["A2"].value


def test_text_that_looks_like_a_formula_stays_text_in_the_results_sheet():
    book = _annotated("formula_in_input")
    results = book["校验结果"]
    cells = [row for row in results.iter_rows(min_row=4) if row[7].value == "=1+2"]
    assert cells and all(row[7].data_type == "s" for row in cells)


# The command line ---------------------------------------------------------------------------------


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.mark.parametrize("name", NAMES)
def test_cli_answers_every_file(runner, tmp_path, name):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(corpus()[name])
    result = runner.invoke(main, ["validate", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if name in READABLE:
        assert result.exit_code in (0, 1) and (tmp_path / "out.xlsx").exists()
    else:
        assert result.exit_code == 2
        assert "无法读取" in result.output
        _chinese(result.output.split("无法读取 — ", 1)[1])


def test_a_cli_folder_run_goes_on_after_each_bad_file(runner, tmp_path):
    for name in NAMES:
        (tmp_path / f"{name}.xlsx").write_bytes(corpus()[name])
    (tmp_path / "zz_good.xlsx").write_bytes(good())
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    summary = result.output.split("汇总：", 1)[1]
    for name in REFUSED:
        assert re.search(rf"^{name}\.xlsx\s+无法读取", summary, re.MULTILINE), name
    assert re.search(rf"^zz_good\.xlsx\s+{UNIT}", summary, re.MULTILINE)


# The JSON API and the web check page --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/workbook", "/api/v1/workbook/annotated"])
def test_api_upload_answers_every_file(client, path):
    for name in NAMES:
        response = client.post(path, data={"file": (io.BytesIO(corpus()[name]), f"{name}.xlsx")})
        if name in READABLE:
            assert response.status_code == 200, name
            continue
        assert response.status_code == 422, name
        body = response.get_json()
        assert body["ok"] is False and body["errors"][0]["field"] == "file"
        _chinese(body["error"])


def test_the_check_page_without_javascript_gets_the_message_as_a_page(client):
    response = client.post(
        "/api/v1/workbook",
        data={"file": (io.BytesIO(corpus()["billion_laughs"]), "年报.xlsx")},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 422
    assert "实体声明" in response.get_data(as_text=True)


# The unit's submit page and the add-in's 提交 -----------------------------------------------------


def _login(app, logins, who):
    client = app.test_client()
    login, password = logins[who]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"login": login, "password": password, "csrf_token": token}).status_code == 302
    return client


def test_unit_submit_answers_every_file(site):
    app, logins = site
    client = _login(app, logins, "a")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/unit/").get_data(as_text=True)).group(1)
    for name in REFUSED:
        form = {"file": (io.BytesIO(corpus()[name]), f"{name}.xlsx"), "csrf_token": token}
        json_answer = client.post("/unit/submit", data=form, headers={"Accept": "application/json"})
        assert json_answer.status_code == 422, name
        _chinese(json_answer.get_json()["error"])
        form = {"file": (io.BytesIO(corpus()[name]), f"{name}.xlsx"), "csrf_token": token}
        page = client.post("/unit/submit", data=form)
        assert page.status_code == 422, name
        assert "服务器内部错误" not in page.get_data(as_text=True)


def test_addin_submit_answers_every_file_inside_the_upload_sheet(site):
    from tools.excel_sim import UPLOAD_SHEET
    from tools.excel_sim import _add_upload_sheet
    from tools.excel_sim import addin_header
    from tools.excel_sim import build_payload
    from tools.excel_sim import include_of

    app, _ = site
    client = app.test_client()
    headers = {"X-JCNB-Addin": addin_header(), "Authorization": app.tokens["a"]}
    for name in NAMES:
        book = openpyxl.load_workbook(io.BytesIO(good()))
        _add_upload_sheet(book, corpus()[name], f"{name}.xlsx", "说明说明说明说明")
        include = include_of(book)
        payload = build_payload(book, include=f"{include},{UPLOAD_SHEET}" if include else "")
        response = client.post("/xlwings/submit", json=payload, headers=headers)
        assert response.status_code == 200, name
        alerts = [a["args"][0] for a in response.get_json()["actions"] if a["func"] == "alert"]
        assert alerts, name
        _chinese(alerts[-1])
        assert "内部错误" not in alerts[-1], (name, alerts[-1])


# Memory and time, measured in a separate process ---------------------------------------------------


def _run_measured(arguments: list[str], tmp_path: Path, limit_seconds: float = 600) -> tuple[int, int, str]:
    """(exit status, peak RSS in MB, output) of ``python ARGUMENTS`` in a child, killed after a generous time."""
    log, peak = tmp_path / "child.log", tmp_path / "child.peak"
    env = {**os.environ, "PEAK_FILE": str(peak)}
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", PEAK, *arguments], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        try:
            child.wait(timeout=limit_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail(f"{arguments[:2]} did not finish in {limit_seconds} s")
    return child.returncode, int(peak.read_text()) // 1024, log.read_text(encoding="utf-8", errors="replace")


def test_the_cli_reads_the_whole_corpus_within_400_mb(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in NAMES:
        (folder / f"{name}.xlsx").write_bytes(corpus()[name])
    status, peak_mb, output = _run_measured(["server", "validate", str(folder)], tmp_path)
    assert status == 2 and "Traceback" not in output
    assert peak_mb < 400, peak_mb


SERVER_SCRIPT = """
import io, os, sys
sys.path.insert(0, "tests")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
from pathlib import Path
from server import create_app
folder = Path(sys.argv[1])
app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///" + str(folder / "db.sqlite3")}, instance_path=str(folder))
client = app.test_client()
for path in sorted(folder.glob("*.xlsx")):
    for url in ("/api/v1/workbook", "/api/v1/workbook/annotated"):
        status = client.post(url, data={"file": (io.BytesIO(path.read_bytes()), path.name)}).status_code
        print(path.name, url, status)
"""


def test_the_server_reads_the_whole_corpus_within_400_mb(tmp_path):
    for name in NAMES:
        (tmp_path / f"{name}.xlsx").write_bytes(corpus()[name])
    status, peak_mb, output = _run_measured(["-c", SERVER_SCRIPT, str(tmp_path)], tmp_path)
    assert status == 0, output[-2000:]
    answers = [line.split() for line in output.splitlines() if line.endswith(("200", "422", "500"))]
    assert len(answers) == 2 * len(NAMES)
    assert all(answer[-1] in ("200", "422") for answer in answers), [a for a in answers if a[-1] == "500"]
    assert peak_mb < 400, peak_mb


def test_the_settings_defaults_are_the_reader_defaults():
    from server.config import DEFAULTS
    from server.xlsx.limits import from_settings

    assert from_settings(DEFAULTS) == Limits()


def test_unit_list_import_answers_every_file(site):
    app, logins = site
    client = _login(app, logins, "district")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/district/units").get_data(as_text=True))
    for name in REFUSED:
        form = {"file": (io.BytesIO(corpus()[name]), "名单.xlsx"), "csrf_token": token.group(1)}
        response = client.post("/district/units/import", data=form, headers={"Accept": "application/json"})
        assert response.status_code == 422, name
        _chinese(response.get_json()["error"])


def test_a_unit_list_saved_by_chinese_excel_as_gbk_csv_is_read():
    from server.district.cli import read_unit_list

    rows = read_unit_list("单位名称,单位类型\n丙街道办事处,街道办事处\n".encode("gb18030"), "名单.csv")
    assert rows == [{"name": "丙街道办事处", "kind": "街道办事处"}]
    with pytest.raises(Exception, match="不是 CSV 文本文件"):
        read_unit_list(bytes(range(128, 256)) * 4, "名单.csv")


def test_a_hostile_last_year_workbook_is_refused_naming_the_field(client, runner, tmp_path):
    response = client.post(
        "/api/v1/workbook",
        data={
            "file": (io.BytesIO(good()), "年报.xlsx"),
            "last_year": (io.BytesIO(corpus()["billion_laughs"]), "上年.xlsx"),
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "last_year"
    (tmp_path / "年报.xlsx").write_bytes(good())
    (tmp_path / "上年.xlsx").write_bytes(corpus()["number_abc"])
    result = runner.invoke(main, ["validate", str(tmp_path / "年报.xlsx"), "--last-year", str(tmp_path / "上年.xlsx")])
    assert result.exit_code == 2
    assert "错误：上年度工作簿无法读取" in result.output and "D8" in result.output
