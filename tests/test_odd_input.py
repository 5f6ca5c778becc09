"""Issue 9 items 3, 4, 5, 7: odd text in JSON and cells, formulas without results, CLI usage errors."""

from __future__ import annotations

import io
import json

import pytest
from builders import consistent_values
from builders import header_for
from engine import check
from hostile_files import corpus

from server.cli import main
from server.forms import get_form
from server.readings import Formula
from server.readings import read
from server.workbook import validate_grids
from server.xlsx.load import load_grids

FORM = get_form("2021")
BASE = consistent_values(FORM, seed=7)
KEY = "t2.open.c_natural"


# Lone surrogates and other unencodable text in JSON (item 3) ----------------------------------------


def _post(client, text: str):
    return client.post("/api/v1/validate", data=text, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"version": "2021", "values": {"t2.new.c_natural": "\\ud800"}}', "values.t2.new.c_natural"),
        ('{"version": "2021", "values": {}, "header": {"unit": "甲\\udfff街道"}}', "header.unit"),
        ('{"version": "2021", "values": {"\\ud83dx": 1}}', "values.\\ud83dx"),
        ('{"version": "\\ud800", "values": {}}', "version"),
        (
            '{"version": "2021", "values": {}, "last_year": {"version": "2021", "values": {"a": "\\udc00"}}}',
            "last_year.values.a",
        ),
        ('{"version": "2021", "values": {"t2.new.c_natural": "\\uDBFF"}}', "values.t2.new.c_natural"),
    ],
    ids=["value", "header", "key", "version", "last_year", "upper-case escape"],
)
def test_a_lone_surrogate_is_a_422_naming_the_field(client, body, field):
    response = _post(client, body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["errors"][0]["field"] == field
    assert "无法编码的字符" in payload["error"]


@pytest.mark.parametrize(
    "body",
    [
        # a surrogate written as UTF-8 bytes: Python's JSON reader decodes it with surrogatepass
        b'{"version": "2021", "values": {"t2.new.c_natural": "X"}}'.replace(b"X", b"\xed\xa0\x80"),
        # the whole body in UTF-16 or UTF-32 (Python's JSON reader detects it), with a lone surrogate in it
        '{"version": "2021", "values": {"t2.new.c_natural": "X"}}'.encode("utf-16-le").replace(b"X\x00", b"\x00\xd8"),
        '{"version": "2021", "values": {"t2.new.c_natural": "X"}}'.encode("utf-32-le").replace(
            b"X\x00\x00\x00", b"\x00\xd8\x00\x00"
        ),
    ],
    ids=["utf-8 bytes", "utf-16", "utf-32"],
)
def test_a_lone_surrogate_without_an_escape_is_a_422_too(client, body):
    response = client.post("/api/v1/validate", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "values.t2.new.c_natural"


def test_a_whole_emoji_is_fine(client):
    response = _post(client, json.dumps({"version": "2021", "values": {}, "header": {"unit": "甲街道😀"}}))
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["NaN", "Infinity", "-Infinity"])
def test_a_header_year_that_is_not_finite_is_a_422(client, year):
    response = _post(client, f'{{"version": "2021", "values": {{}}, "header": {{"year": {year}}}}}')
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "header.year"


@pytest.mark.parametrize("year", [float("nan"), float("inf")])
def test_the_engine_takes_a_non_finite_header_year_as_unreadable(year):
    report = check("2021", BASE, header=header_for(FORM, year=year))
    assert report.year is None


# A formula without a cached value (item 4) ------------------------------------------------------------


def test_a_formula_without_a_result_is_a_finding_and_blocks_its_identities():
    reading, report = validate_grids(load_grids(corpus()["formula_in_input"]))
    assert reading.values[KEY] == "=1+2" and isinstance(reading.values[KEY], Formula)
    finding = next(f for f in report.findings if f.rule == "value.formula")
    assert (finding.sheet, finding.cell) == ("表二 依申请公开", "D8")
    assert "公式没有计算结果：请在 Excel 中打开并保存后再校验，或直接填写数字" in finding.message
    blocked = [f for f in report.findings if f.rule == "check.undecided" and f.cell == "D8"]
    assert blocked, "the identities through D8 cannot be checked"
    assert report.outcomes["value.formula"].failed == 1
    assert not report.ok
    assert KEY not in report.filled  # never read as blank and deduced


def test_a_total_formula_without_a_result_is_computed_like_a_blank_total():
    from hostile_files import good

    data = _replace_total_with_formula(good())  # J8, the row total of D8:I8, holds =SUM(D8:I8) without a result
    reading, report = validate_grids(load_grids(data))
    assert reading.values["t2.open.c_total"] is None
    assert not any(f.rule == "value.formula" for f in report.findings)
    assert report.ok


def _replace_total_with_formula(data: bytes) -> bytes:
    import re

    from hostile_files import TABLE_SHEET
    from hostile_files import _edit_part

    return _edit_part(
        data, TABLE_SHEET, lambda t: re.sub(r'<c r="J8"[^>]*>.*?</c>', '<c r="J8"><f>SUM(D8:I8)</f></c>', t)
    )


def test_a_formula_with_an_empty_text_result_is_blank():
    """=IF(…,"",…) computed to "" is saved as <v></v>: a blank cell, not an uncomputed formula."""
    from hostile_files import _with_cell
    from hostile_files import good

    data = _with_cell(good(), '<c r="D8" t="str"><f>IF(1,"",1)</f><v></v></c>')
    reading, _ = validate_grids(load_grids(data))
    assert reading.values[KEY] is None


# Invisible and direction characters (item 5) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("1\u200b2", "零宽空格"),
        ("\u200f37个", "从右到左标记"),
        ("\u200e12", "从左到右标记"),
        ("\ufeff12", "字节顺序标记"),
        ("1\u00ad2", "软连字符"),
        ("\u202e21\u202c", "从右到左强制"),
        ("\u206612\u2069", "从左到右隔离"),
        ("1\u200d2", "零宽连字"),
        ("12\u2060", "字连接符"),
    ],
)
def test_invisible_characters_are_removed_and_named(raw, name):
    report = check("2021", {**BASE, KEY: raw})
    [finding] = [f for f in report.findings if f.key == KEY and f.rule.startswith("value.")]
    assert finding.rule == "value.text"
    assert f"含有看不见的字符（{name}" in finding.message
    number = float(raw.translate({ord(c): None for c in raw if not (c.isdigit())}))
    assert finding.suggestion == number


def test_invisible_characters_in_unreadable_text_are_named_too():
    reading = read("abc\u200b")
    report = check("2021", {**BASE, KEY: "abc\u200b"})
    [finding] = [f for f in report.findings if f.key == KEY and f.rule.startswith("value.")]
    assert reading.kind == "unreadable" and finding.rule == "value.unreadable"
    assert "零宽空格" in finding.message


def test_a_cell_of_invisible_characters_only_is_blank():
    assert read("\u200b\u200f").kind == "blank"


# CLI usage errors in Chinese (item 7) -----------------------------------------------------------------


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["validate"], ("缺少参数", "PATHS")),
        (["validate", "--bogus", "x"], ("没有选项 --bogus", "是不是想用 --verbose")),
        (["validate", "--format", "2020", "x.xlsx"], ("--format", "“2020”不是可选的值", "2019、2021")),
        (["validate", "不存在.xlsx"], ("“不存在.xlsx”不存在",)),
        (["nosuch"], ("没有命令“nosuch”",)),
        (["validate", "-o"], ("选项 -o 后面需要一个值",)),
        (["template"], ("缺少选项", "--output")),
        (["validate", "--json=3", "x"], ("选项 --json 不能带值",)),
        (["serve", "--port", "abc"], ("--port", "“abc”不是整数")),
    ],
    ids=[
        "missing-argument",
        "unknown-option",
        "bad-choice",
        "missing-file",
        "unknown-command",
        "needs-value",
        "missing-option",
        "flag-with-value",
        "not-an-integer",
    ],
)
def test_usage_errors_are_in_chinese(runner, args, words):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output
    assert "错误：" in result.output
    for english in ("Error:", "Usage:", "No such", "Missing", "Invalid value", "Try '"):
        assert english not in result.output


def test_a_usage_error_shows_the_usage_line_and_the_help_hint(runner):
    result = runner.invoke(main, ["validate"])
    assert result.output.startswith("用法：")
    assert "运行“" in result.output and "--help”查看帮助" in result.output


def test_help_still_exits_zero(runner):
    result = runner.invoke(main, ["validate", "--help"])
    assert result.exit_code == 0 and "校验一个或多个工作簿" in result.output


def test_an_unreadable_file_in_the_cli_is_exit_2_with_the_reason(runner, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(io.BytesIO(corpus()["number_abc"]).getvalue())
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "无法读取" in result.output and "D8" in result.output


def test_invisible_characters_in_the_unit_name_and_year_are_ignored():
    from server.rules.header import parse_header

    header = parse_header({"unit": "甲\u200b街道办事处\u200f", "year": "\ufeff2025"})
    assert header.unit == "甲街道办事处" and header.year == 2025


def test_a_label_with_a_zero_width_space_still_matches():
    from server.workbook.normalize import normalize_label

    assert normalize_label("自然\u200b人") == normalize_label("自然人")


def test_an_annotated_copy_that_cannot_be_written_is_reported_not_a_traceback(runner, tmp_path):
    from hostile_files import good

    source = tmp_path / "年报.xlsx"
    source.write_bytes(good())
    blocked = tmp_path / "不是文件夹"
    blocked.write_text("a file where a folder should be")
    result = runner.invoke(main, ["validate", str(source), "-o", str(blocked / "副本.xlsx")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "无法写出标注后的副本" in result.output
