"""The five seed reports (tests/data/seeds).

Their transcription in tests/seeds.py is checked cell by cell against the published text; typed
into the template they give exactly the findings docs/forms.md §9 predicts.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from seeds import SEED_DIR
from seeds import SEEDS
from seeds import seed_values

from server.workbook import validate_grids
from server.xlsx.load import load_grids
from server.xlsx.template import make_workbook


def seed_workbook_bytes(seed) -> bytes:
    """The seed typed into the official template, as .xlsx bytes."""
    values, extra = seed_values(seed)
    book = make_workbook(seed.version, values, seed.header, extra=extra)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pairs(report):
    pairs = set()
    for finding in report.findings:
        pairs.add((finding.rule, finding.key if finding.key else (finding.sheet, finding.cell)))
    return pairs


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_seed_gives_exactly_the_predicted_findings(seed):
    reading, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    assert reading.mode == "template"
    assert reading.form.version == seed.version
    assert (report.unit, report.year) == (seed.header["unit"], seed.header["year"])
    assert _pairs(report) == set(seed.expected)


def test_seed_003_blank_total_comes_out_filled_with_zero():
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    _, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    assert report.filled == {"t2.total.c_other": 0}
    [filled] = [f for f in report.findings if f.rule == "total.filled"]
    assert (filled.sheet, filled.cell, filled.expected) == ("表二 依申请公开", "I27", 0)
    suggestions = {f.key: f.suggestion for f in report.findings if f.rule == "value.text"}
    assert suggestions == {"t1.procurement.projects": 37, "t1.procurement.amount": 46.3}


def test_seed_001_percent_is_read_as_zero_with_a_suggestion():
    seed = next(s for s in SEEDS if s.name.startswith("001"))
    _, report = validate_grids(load_grids(seed_workbook_bytes(seed)))
    texts = [f for f in report.findings if f.rule == "value.text"]
    assert {(f.actual, f.suggestion) for f in texts} == {("0%", 0)}
    assert all("百分数" in f.message for f in texts)


# Transcription check ---------------------------------------------------------------------------
#
# Every value of tests/seeds.py is compared with the published text at its row label and column
# label. The labels below are written out by hand from the printed reports (docs/forms.md §2–§3);
# nothing is taken from server/forms, so a wrong definition cannot hide a wrong transcription.
#
# The texts come in two layouts (tests/data/seeds/SOURCES.md): a table row per line with the cells
# separated by tabs (001, 004), or one cell per line, each starting with a tab, the rows separated
# by an empty line (000, 002, 003). In both, a row is a list of cells: the label cells come first
# (some empty, where the label of a merged cell above spans down), then the values in column order;
# a blank value cell stays an empty string (seed 003's （七）总计 × 其他).

_T1_DOCS_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量")
_T1_ITEMS_2019 = ("上一年项目数量", "本年增/减", "处理决定数量")
T1_LABELS = {
    "2019": (
        ("规章", _T1_DOCS_2019),
        ("规范性文件", _T1_DOCS_2019),
        ("行政许可", _T1_ITEMS_2019),
        ("其他对外管理服务事项", _T1_ITEMS_2019),
        ("行政处罚", _T1_ITEMS_2019),
        ("行政强制", _T1_ITEMS_2019),
        ("行政事业性收费", ("上一年项目数量", "本年增/减")),
        ("政府集中采购", ("采购项目数量", "采购总金额")),
    ),
    "2021": (
        ("规章", ("本年制发件数", "本年废止件数", "现行有效件数")),
        ("行政规范性文件", ("本年制发件数", "本年废止件数", "现行有效件数")),
        ("行政许可", ("本年处理决定数量",)),
        ("行政处罚", ("本年处理决定数量",)),
        ("行政强制", ("本年处理决定数量",)),
        ("行政事业性收费", ("本年收费金额（单位：万元）",)),
    ),
}
"""表一: (row label, its block's column labels) in printed order."""

T2_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
"""表二's seven numeric columns, left to right (no 法人或其他组织 subtotal)."""

_T2_HEAD = ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开")
_T2_RESULTS = (
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
)
_T2_TAIL = ("（七）总计", "四、结转下年度继续办理")
T2_ROWS = {
    "2019": _T2_HEAD + _T2_RESULTS + ("（六）其他处理",) + _T2_TAIL,
    "2021": _T2_HEAD
    + _T2_RESULTS
    + (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
    )
    + _T2_TAIL,
}
"""表二: each data row's own (innermost) label, top to bottom."""

T3_COLUMNS = tuple(
    f"{group}·{leaf}"
    for group in ("行政复议", "未经复议直接起诉", "复议后起诉")
    for leaf in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
)
"""表三's fifteen columns, left to right."""

LABEL_ALIASES = {"2.其他法律法规禁止公开": "2.其他法律行政法规禁止公开"}
"""Seed 004's wording of 不予公开 2 (a local deviation, docs/forms.md D9)."""

_VALUE = re.compile(r"^[+-]?\d+(\.\d+)?(%|个|万元)?$")


def _norm(label: str) -> str:
    """A label without spaces, with full-width brackets and commas, and ``1.`` numbering."""
    label = re.sub(r"\s+", "", label)
    label = label.translate(str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："}))
    return re.sub(r"^(\d)[．、]", r"\1.", label)


def _column(columns: tuple[str, ...], index: int) -> str:
    return columns[index] if index < len(columns) else f"第{index + 1}个值（表格中没有这一列）"


def _text_rows(text: str) -> list[list[str] | None]:
    """The rows of the tables onward, as lists of cells; None for a line of prose between them."""
    lines = text.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if "第二十条第（一）项" in line) :]
    tabbed = [line for line in lines if "\t" in line]
    one_cell_per_line = all(line.startswith("\t") and line.count("\t") == 1 for line in tabbed)
    rows: list[list[str] | None] = []
    current: list[str] = []
    for line in lines:
        if "\t" not in line:
            if current:
                rows.append(current)
                current = []
            if line.strip():
                rows.append(None)
        elif one_cell_per_line:
            current.append(line[1:].strip())
        else:
            rows.append([cell.strip() for cell in line.split("\t")])
    if current:
        rows.append(current)
    return rows


def _split(row: list[str]) -> tuple[list[str], list[str]]:
    """(non-empty label cells, value cells without the trailing empty ones) of a row."""
    first = next((i for i, cell in enumerate(row) if _VALUE.match(cell)), len(row))
    values = row[first:]
    while values and not values[-1]:
        values.pop()
    return [_norm(cell) for cell in row[:first] if cell], values


def read_seed_tables(text: str, version: str) -> dict[tuple[str, str, str], str]:
    """(table, row label, column label) -> the cell text, for every value printed in the three tables."""
    rows = _text_rows(text)
    t2_start = next(i for i, row in enumerate(rows) if row and any("勾稽关系" in cell for cell in row))
    t3_start = next(i for i, row in enumerate(rows) if i > t2_start and row and "行政复议" in map(_norm, row))
    cells: dict[tuple[str, str, str], str] = {}

    header: tuple[str, ...] = ()
    for row in filter(None, rows[:t2_start]):
        labels, values = _split(row)
        if labels and labels[0] == "信息内容":
            header = tuple(labels[1:])
        elif values:
            for index, value in enumerate(values):
                cells[("表一", labels[-1], _column(header, index))] = value

    t2_rows = list(filter(None, rows[t2_start:t3_start]))
    first_data = next(i for i, row in enumerate(t2_rows) if _split(row)[1])
    header_cells = {_norm(cell) for row in t2_rows[:first_data] for cell in row}
    assert set(T2_COLUMNS) <= header_cells, f"表二 header lacks {set(T2_COLUMNS) - header_cells}"
    wanted = set(T2_ROWS[version])
    for index, row in enumerate(t2_rows):
        labels, values = _split(row)
        if not values:
            continue
        label = LABEL_ALIASES.get(labels[-1], labels[-1])
        following = _split(t2_rows[index + 1]) if index + 1 < len(t2_rows) else ([], [""])
        if label not in wanted and following[0] and not following[1]:
            label += following[0][-1]  # a label broken across a page: 1.信访举报投诉 / 类申请 (seed 001)
        for column, value in enumerate(values):
            key = ("表二", label, _column(T2_COLUMNS, column))
            assert key not in cells, f"表二 row {label} printed twice"
            cells[key] = value

    t3_rows = []
    for row in rows[t3_start:]:
        if row is None and any(_split(r)[1] for r in t3_rows):
            break
        if row is not None:
            t3_rows.append(row)
    header_cells = [_norm(cell) for row in t3_rows for cell in row if not _VALUE.match(cell)]
    assert {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"} <= set(header_cells)
    assert [header_cells.count(leaf) for leaf in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")] == [3] * 5
    [(labels, values)] = [_split(row) for row in t3_rows if _split(row)[1]]
    assert not labels
    for column, value in enumerate(values):
        cells[("表三", "", _column(T3_COLUMNS, column))] = value
    return cells


def transcribed_cells(seed) -> dict[tuple[str, str, str], str]:
    """The same mapping built from tests/seeds.py and the hand-written labels above."""
    cells = {}
    for (label, columns), values in zip(T1_LABELS[seed.version], seed.t1, strict=True):
        for index, value in enumerate(values):
            cells[("表一", label, _column(columns, index))] = value
    for label, values in zip(T2_ROWS[seed.version], seed.t2, strict=True):
        for index, value in enumerate(values):
            cells[("表二", label, _column(T2_COLUMNS, index))] = value
    for index, value in enumerate(seed.t3[0]):
        cells[("表三", "", _column(T3_COLUMNS, index))] = value
    return {key: "" if value is None else str(value) for key, value in cells.items()}


def _differences(text: str, seed) -> dict:
    printed, transcribed = read_seed_tables(text, seed.version), transcribed_cells(seed)
    return {
        key: (printed.get(key), transcribed.get(key))
        for key in printed.keys() | transcribed.keys()
        if printed.get(key) != transcribed.get(key)
    }


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_transcription_matches_the_seed_text_cell_by_cell(seed):
    """Every value of tests/seeds.py is the one printed at its row and column in tests/data/seeds."""
    text = (SEED_DIR / f"{seed.name}.txt").read_text(encoding="utf-8")
    printed = read_seed_tables(text, seed.version)
    rows = {"2019": (8, 23), "2021": (6, 25)}[seed.version]
    assert len({(t, r) for t, r, _ in printed if t == "表一"}) == rows[0]
    assert len({(t, r) for t, r, _ in printed if t == "表二"}) == rows[1]
    assert _differences(text, seed) == {}


def test_every_seed_text_is_in_the_repository():
    assert sorted(path.stem for path in SEED_DIR.glob("*.txt")) == sorted(seed.name for seed in SEEDS)


def test_a_value_moved_to_the_wrong_column_is_caught():
    """Seed 003's blank 其他 cell moved one column left: same numbers in the same order, wrong cells."""
    seed = next(s for s in SEEDS if s.name.startswith("003"))
    total = [1, 0, 0, 0, None, 0, 1]
    moved = dataclasses.replace(seed, t2=[*seed.t2[:-2], total, seed.t2[-1]])
    text = (SEED_DIR / f"{seed.name}.txt").read_text(encoding="utf-8")
    assert _differences(text, moved) == {
        ("表二", "（七）总计", "法律服务机构"): ("0", ""),
        ("表二", "（七）总计", "其他"): ("", "0"),
    }


def test_a_value_in_a_column_the_block_does_not_have_is_caught():
    """Seed 002's third value in the （八） row is kept as a value beyond the block's two columns."""
    seed = next(s for s in SEEDS if s.name.startswith("002"))
    text = (SEED_DIR / f"{seed.name}.txt").read_text(encoding="utf-8")
    assert read_seed_tables(text, "2019")[("表一", "行政事业性收费", "第3个值（表格中没有这一列）")] == "0"
    dropped = dataclasses.replace(seed, t1=[*seed.t1[:6], [0, 0], seed.t1[7]])
    assert _differences(text, dropped) == {("表一", "行政事业性收费", "第3个值（表格中没有这一列）"): ("0", None)}
