"""The official printed layout of the three tables, derived from the form definitions.

A table is laid out as rows of :class:`Span` (text, rowspan, colspan): the
column headers from each column's header path (申请人情况 over 自然人 … 总计,
法人或其他组织 over its five kinds, 行政诉讼 over its two groups), the row
labels from each row's label path (三、本年度办理结果 spanning its rows,
（三）不予公开 spanning its eight items), 表一's block titles across the table.
The HTML and Word exports (:mod:`server.published.export`) both draw this.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..forms.derive import cell_key
from ..forms.model import Block
from ..forms.model import Form
from ..forms.model import Table

HEADER = "header"
LABEL = "label"
VALUE = "value"
TITLE = "title"


@dataclass(frozen=True)
class Span:
    """One printed cell of the layout."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = VALUE
    key: str | None = None
    """The cell key of a value cell."""


def table_layout(table: Table, values: dict[str, object]) -> list[list[Span]]:
    """Rows of spans for one table, values filled in (None prints blank)."""
    depth = max((len(row.labels) for row in table.rows), default=0)
    width = depth + max(len(block.columns) for block in table.blocks)
    rows: list[list[Span]] = []
    for block in table.blocks:
        if block.title:
            rows.append([Span(block.title, colspan=width, kind=TITLE)])
        rows += _header(block, depth, width)
        rows += _body(table, block, depth, width, values)
    return rows


def _header(block: Block, depth: int, width: int) -> list[list[Span]]:
    levels = max(len(column.header) for column in block.columns)
    rows: list[list[Span]] = [[] for _ in range(levels)]
    if depth:
        rows[0].append(Span(block.corner, rowspan=levels, colspan=depth, kind=HEADER))
    spare = width - depth - len(block.columns)
    for level in range(levels):
        index = 0
        while index < len(block.columns):
            column = block.columns[index]
            if len(column.header) <= level:
                index += 1
                continue
            run = 1
            while (
                index + run < len(block.columns)
                and len(block.columns[index + run].header) > level
                and block.columns[index + run].header[: level + 1] == column.header[: level + 1]
                and level + 1 < len(column.header)
            ):
                run += 1
            if level + 1 == len(column.header):
                text = column.display_label
                span = Span(text, rowspan=levels - level, colspan=run, kind=HEADER)
            else:
                span = Span(column.header[level], colspan=run, kind=HEADER)
            stretch = spare if block.stretch and index + run == len(block.columns) else 0
            if stretch:
                span = Span(span.text, span.rowspan, span.colspan + stretch, HEADER)
            rows[level].append(span)
            index += run
        if not block.stretch and spare and level == 0:
            rows[level].append(Span("", rowspan=levels, colspan=spare, kind=HEADER))
    return rows


def _body(table: Table, block: Block, depth: int, width: int, values: dict) -> list[list[Span]]:
    rows: list[list[Span]] = []
    spare = width - depth - len(block.columns)
    for index, row in enumerate(block.rows):
        line: list[Span] = []
        labels = row.labels
        for level, label in enumerate(labels):
            if (
                index
                and len(block.rows[index - 1].labels) > level
                and block.rows[index - 1].labels[: level + 1] == (labels[: level + 1])
            ):
                continue
            run = 1
            while index + run < len(block.rows) and block.rows[index + run].labels[: level + 1] == labels[: level + 1]:
                run += 1
            last = level + 1 == len(labels)
            colspan = depth - level if last else 1
            line.append(Span(label, rowspan=1 if last else run, colspan=colspan, kind=LABEL))
        for position, column in enumerate(block.columns):
            key = cell_key(table.key, row.key, column.key)
            stretch = spare if block.stretch and position + 1 == len(block.columns) else 0
            line.append(Span(_shown(values.get(key)), colspan=1 + stretch, key=key))
        if spare and not block.stretch:
            line.append(Span("", colspan=spare, kind=LABEL))
        rows.append(line)
    return rows


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def form_layouts(form: Form, values: dict[str, object]) -> list[tuple[Table, list[list[Span]]]]:
    """Every table of the form with its layout."""
    return [(table, table_layout(table, values)) for table in form.tables]
