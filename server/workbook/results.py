"""What the annotated workbook shows: cell flags, notes and the 校验结果 sheet rows.

Both the openpyxl annotation (CLI, web) and the xlwings door (Excel button)
use these functions, so a clerk sees the same colours and the same rows
whichever door they used. Findings are shown as stories (:mod:`server.stories`):
a mistake, then the breaks it explains, marked as its consequences.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import ERROR
from ..findings import SEVERITY_TEXT
from ..findings import WARNING
from ..findings import Finding
from ..findings import Report
from ..rules.messages import render
from ..stories import HELD
from ..stories import Story
from ..stories import stories
from ..stories import suspects
from .style import EXPLAINED

RESULT_HEADER = ("序号", "类别", "工作表", "单元格", "规则", "说明", "应为", "实为", "参考值", "规则编号")
RESULT_WIDTHS = (6, 10, 16, 9, 18, 80, 12, 12, 10, 22)
CONSEQUENCE = "由上条引起"
"""类别 of a consequence row: a break the mistake above it explains (not a separate error)."""
_FLAG_ROLES = ("culprit", "blocking", "candidate")
_RANK = {ERROR: 0, WARNING: 1, EXPLAINED: 2}
_CHOICES = ("locate.ambiguous",)
"""Rules whose message gives the choices: no single 应为 or 实为 to show beside it."""


@dataclass(frozen=True)
class Entry:
    """One row of the 校验结果 sheet: its values and the finding it shows."""

    row: tuple
    finding: Finding
    consequence: bool = False

    @property
    def mark(self) -> str | None:
        """The fill of its 类别 cell: the severity, EXPLAINED for a consequence, None for a notice."""
        if self.consequence:
            return EXPLAINED
        return self.finding.severity if self.finding.severity in (ERROR, WARNING) else None


def flags(report: Report) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> the colour to give: ERROR, WARNING or EXPLAINED; errors win, then warnings."""
    out: dict[tuple[str, str], str] = {}

    def put(where: tuple[str, str], mark: str) -> None:
        if where not in out or _RANK[mark] < _RANK[out[where]]:
            out[where] = mark

    for finding in report.findings:
        if finding.explained:
            if finding.sheet and finding.cell:
                put((finding.sheet, finding.cell), EXPLAINED)
            continue
        if finding.severity in (ERROR, WARNING):
            for where in _flagged_cells(finding):
                put(where, finding.severity)
        for ref in finding.cells:
            if ref.role == HELD and ref.sheet and ref.cell:
                put((ref.sheet, ref.cell), EXPLAINED)
    return out


def _flagged_cells(finding: Finding):
    if finding.sheet and finding.cell:
        yield finding.sheet, finding.cell
    for ref in finding.cells:
        wanted = ref.role in _FLAG_ROLES or finding.rule == "value.blank"
        if wanted and ref.sheet and ref.cell:
            yield ref.sheet, ref.cell


def notes(report: Report, told: list[Story] | None = None) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> note text: every message about that cell, most severe first.

    A consequence's note starts with the mistake that causes it; the candidates of an
    ambiguity each get its message; a held total says why it is still blank. ``told``:
    ``stories(report)`` when the caller has it already.
    """
    out: dict[tuple[str, str], list[str]] = {}

    def add(sheet: str | None, cell: str | None, text: str) -> None:
        if sheet and cell and text not in out.setdefault((sheet, cell), []):
            out[(sheet, cell)].append(text)

    for story in stories(report) if told is None else told:
        mistake = story.finding
        text = f"【{SEVERITY_TEXT[mistake.severity]}】{mistake.message}"
        add(mistake.sheet, mistake.cell, text)
        suspected = None
        for ref in mistake.cells:
            if ref.role == "candidate":
                add(ref.sheet, ref.cell, text)
            elif ref.role == HELD:
                where = f"{ref.cell}「{ref.label}」"
                suspected = suspects(mistake) if suspected is None else suspected
                add(ref.sheet, ref.cell, f"【说明】{render('story.held_note', where=where, cells=suspected)}")
        for consequence in story.consequences:
            add(consequence.sheet, consequence.cell, f"【{CONSEQUENCE}】{consequence.message}")
    return {where: "\n".join(texts) for where, texts in out.items()}


def result_entries(report: Report, told: list[Story] | None = None) -> list[Entry]:
    """Rows of the 校验结果 sheet: each mistake (numbered), then its consequences (1.1, 1.2 …);
    ``told``: ``stories(report)`` when the caller has it already."""
    entries = []
    for number, story in enumerate(stories(report) if told is None else told, start=1):
        finding = story.finding
        typed = story.merged[0].actual if story.merged else finding.actual  # "3件" rather than 3
        if finding.rule in _CHOICES:
            typed = None
        entries.append(Entry(_row(number, SEVERITY_TEXT[finding.severity], finding, typed), finding))
        for sub, consequence in enumerate(story.consequences, start=1):
            row = _row(f"{number}.{sub}", CONSEQUENCE, consequence, consequence.actual, consequence=True)
            entries.append(Entry(row, consequence, consequence=True))
    return entries


def result_rows(report: Report) -> list[tuple]:
    """Rows of the 校验结果 sheet (see :func:`result_entries`)."""
    return [entry.row for entry in result_entries(report)]


def _row(number, category: str, finding: Finding, actual: object, *, consequence: bool = False) -> tuple:
    """A consequence shows no 应为: its cell is right and must not be changed to the sum."""
    return (
        number,
        category,
        finding.sheet or "",
        finding.cell or "",
        finding.name,
        f"↳ {finding.message}" if consequence else finding.message,
        "" if consequence or finding.rule in _CHOICES else _show(finding.expected),
        _show(actual),
        "" if consequence else _show(finding.suggestion),
        finding.rule,
    )


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
    return f"{report.summary()} — {report.heading()}"
