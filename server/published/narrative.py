"""Narrative vs tables (FORMS.md P9): numbers the report's text states, compared with the cells they name.

Only statements whose cell is unambiguous are compared: applications received
(一), carried over from last year (二), answered (三（七）总计), carried to next
year (四), the 予以公开 / 部分公开 / 不予公开 / 无法提供 / 不予处理 totals,
行政复议 and 行政诉讼 cases (表三 总计), 规章 and 规范性文件 issued (表一), and a
text saying no fees were charged while 表一's fee amount is above 0. A
statement is a number with a unit (“受理申请21件”) or a denial without a
number (“未收到依申请公开”, “没有…行政复议或行政诉讼”). Which cells a
statement names is read from the form's labels (the row whose label says
本年新收, the group 不予公开, the 总计 columns of 表三 …), never listed here.

Each mismatch is a warning that quotes the sentence and names the cell; a
sentence speaking of a narrower scope (“区政府办代表区政府受理…”, “通过会商机制
办理…”) is still asked about, with its wording in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping

from ..findings import CellRef
from ..findings import Finding
from ..findings import Report
from ..forms.derive import short_label
from ..forms.model import Domain
from ..forms.model import Form
from ..rules.catalogue import rule_info
from ..rules.messages import render
from .document import Document
from .statements import FEES
from .statements import Statement
from .statements import Target
from .statements import find_statements

RULE = "narrative.mismatch"


def narrative_check(
    form: Form,
    document: Document,
    addresses: Mapping[str, tuple[str, str]],
    printed: Mapping[str, object] | None = None,
) -> Callable[[Report], list[Finding]]:
    """The P9 check of a document, to run on the finished values (see ``validate_values(extra_checks=…)``).

    :param printed: the values as printed; a statement about a table the document does not print
        (all blank: missing, or an image) cannot be checked.
    """
    tables = None if printed is None else {key.split(".", 1)[0] for key, value in printed.items() if value is not None}

    def check(report: Report) -> list[Finding]:
        statements = find_statements(document.paragraphs, report.year)
        return compare(form, statements, report, addresses, tables)

    return check


# Comparing -----------------------------------------------------------------------------------


def cells_of(form: Form, statement: Statement) -> list[str]:
    """The cell keys a statement names (their sum is compared), from the form's labels; [] if none."""
    target = statement.target
    try:
        table = form.table(target.table)
    except KeyError:
        return []
    if target is FEES:
        return [
            f"{table.key}.{row.key}.{column.key}"
            for block in table.blocks
            for row in block.rows
            if target.row_label in row.label
            for column in block.columns
            if column.domain is Domain.AMOUNT
        ]
    if target.table == "t3":
        return [f"{table.key}.{row.key}.{c.key}" for row in table.rows for c in _t3_totals(table, target.column_label)]
    rows = [row for row in table.rows if any(target.row_label in label for label in row.labels)]
    keys = []
    for row in rows:
        block = table.block_of(row.key)
        for column in _columns(block.columns, target, statement.applicants):
            keys.append(f"{table.key}.{row.key}.{column.key}")
    return keys


def _t3_totals(table, group: str) -> list:
    return [c for c in table.columns if c.header[0] == group and c.label == "总计"]


def _columns(columns, target: Target, applicants: str) -> list:
    if target.table == "t1":
        return [c for c in columns if target.column_label in c.label][:1]
    if applicants == "自然人":
        return [c for c in columns if c.label == applicants]
    if applicants:
        return [c for c in columns if applicants in c.header[:-1]]
    return [c for c in columns if c.label == target.column_label]


def compare(
    form: Form,
    statements: list[Statement],
    report: Report,
    addresses: Mapping[str, tuple[str, str]],
    tables: set[str] | None = None,
) -> list[Finding]:
    """A warning for every statement that disagrees with its cells (``tables``: those printed, when known)."""
    out: list[Finding] = []
    seen: set[tuple] = set()
    for statement in statements:
        keys = cells_of(form, statement)
        identity = (statement.target.name, statement.applicants, statement.stated, statement.where)
        if not keys or identity in seen:
            continue
        seen.add(identity)
        values = [report.values.get(key) for key in keys]
        outcome = report.outcome(RULE)
        if any(value is None for value in values) or (tables is not None and keys[0].split(".")[0] not in tables):
            outcome.undecided += 1
            continue
        actual = round(sum(values), 4)
        if _agrees(statement, actual):
            outcome.passed += 1
            continue
        outcome.failed += 1
        out.append(_finding(form, statement, dict(zip(keys, values, strict=True)), actual, addresses))
    return out


def _agrees(statement: Statement, actual: int | float) -> bool:
    if statement.target is FEES:
        return actual == 0
    return actual == statement.stated


def _finding(
    form: Form, statement: Statement, values: dict[str, object], actual, addresses: Mapping[str, tuple[str, str]]
) -> Finding:
    keys = list(values)
    cells = [form.cells[key] for key in keys]
    table = cells[0].table
    if len(keys) == 1:
        address = addresses.get(keys[0], (table.name, ""))[1]
        where = f"{table.name}{address}「{cells[0].label}」"
    else:
        where = _sum_name(table.name, cells, statement)
    scope = (
        f"该句说的是“{statement.scope}”，范围可能与表格的统计范围不同，请确认；如范围相同，" if statement.scope else ""
    )
    stated = "称没有" if statement.target is FEES else f"即 {statement.stated}"
    params = {
        "check": "P9",
        "place": statement.where,
        "sentence": _quote(statement.sentence, statement.at),
        "stated": stated,
        "where": where,
        "actual": actual,
        "scope": scope,
    }
    refs = tuple(
        CellRef(key, table.name, addresses.get(key, (None, None))[1], form.cells[key].label, value, "part")
        for key, value in values.items()
    )
    return Finding(
        rule=RULE,
        severity=rule_info(RULE).severity,
        message=render(RULE, **params),
        table=table.key,
        key=keys[0] if len(keys) == 1 else None,
        sheet="正文",
        cell=statement.where,
        cells=refs,
        expected=actual,
        actual=statement.stated,
        check="P9",
    )


def _sum_name(table: str, cells: list, statement: Statement) -> str:
    """Several cells compared as one: 「一、本年新收…·法人或其他组织」 or 「不予公开」各行总计."""
    rows = {cell.row.key for cell in cells}
    if len(rows) == 1:
        return f"{table}「{short_label(cells[0].row.label)}·{statement.applicants}」（{len(cells)}个单元格之和）"
    columns = {cell.column.label for cell in cells}
    column = columns.pop() if len(columns) == 1 else "总计"
    return f"{table}「{statement.target.name}」各行“{column}”之和（{len(cells)}个单元格）"


def _quote(sentence: str, at: int = -1, limit: int = 90) -> str:
    """The sentence, or in a long one the part ending just after the stated number."""
    if len(sentence) <= limit:
        return sentence
    if at < 0:
        return sentence[: limit - 1] + "…"
    start = max(0, at - limit + 20)
    end = min(len(sentence), start + limit)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")
