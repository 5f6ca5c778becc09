"""What the annotated workbook shows: cell flags and the 校验结果 sheet rows.

Both the openpyxl annotation (CLI, web) and the xlwings door (Excel button)
use these two functions, so a clerk sees the same colours and the same
rows whichever door they used.
"""

from __future__ import annotations

from ..findings import ERROR
from ..findings import SEVERITY_TEXT
from ..findings import WARNING
from ..findings import Finding
from ..findings import Report
from ..rules.catalogue import rule_info

RESULT_HEADER = ("序号", "类别", "工作表", "单元格", "规则", "说明", "应为", "实为", "建议填写")
RESULT_WIDTHS = (6, 8, 16, 9, 26, 80, 12, 12, 10)
_FLAG_ROLES = ("culprit", "blocking")


def flags(report: Report) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> severity of the colour to give; errors win over warnings."""
    out: dict[tuple[str, str], str] = {}
    for finding in report.findings:
        if finding.severity not in (ERROR, WARNING):
            continue
        for sheet, cell in _flagged_cells(finding):
            if out.get((sheet, cell)) != ERROR:
                out[(sheet, cell)] = finding.severity
    return out


def _flagged_cells(finding: Finding):
    if finding.sheet and finding.cell:
        yield finding.sheet, finding.cell
    for ref in finding.cells:
        wanted = ref.role in _FLAG_ROLES or finding.rule == "value.blank"
        if wanted and ref.sheet and ref.cell:
            yield ref.sheet, ref.cell


def notes(report: Report) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> note text: every message reported on that cell, most severe first."""
    out: dict[tuple[str, str], list[str]] = {}
    for finding in report.findings:
        if finding.sheet and finding.cell:
            out.setdefault((finding.sheet, finding.cell), []).append(
                f"【{SEVERITY_TEXT[finding.severity]}】{finding.message}"
            )
    return {where: "\n".join(texts) for where, texts in out.items()}


def result_rows(report: Report) -> list[tuple]:
    """Rows of the 校验结果 sheet, one per finding, in report order."""
    rows = []
    for number, finding in enumerate(report.findings, start=1):
        info = rule_info(finding.rule)
        rows.append(
            (
                number,
                SEVERITY_TEXT[finding.severity],
                finding.sheet or "",
                finding.cell or "",
                f"{info.name}（{finding.rule}）",
                finding.message,
                _show(finding.expected),
                _show(finding.actual),
                _show(finding.suggestion),
            )
        )
    return rows


def _show(value: object) -> object:
    """Numbers stay numbers; None becomes an empty cell."""
    if value is None:
        return ""
    return value


def hyperlink(sheet: str, cell: str) -> str:
    """In-workbook link target of a cell: ``#'表二 依申请公开'!D10``."""
    return f"#'{sheet}'!{cell}"


def summary_line(report: Report) -> str:
    """The first line of the 校验结果 sheet."""
    where = f"{report.unit or '（未填单位）'} {report.year or '（未填年度）'}年度 · {report.version}年版格式"
    return f"{report.summary()} — {where}"
