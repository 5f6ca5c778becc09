"""Published reports made in the tests from the form definitions: plain text in several table styles.

:func:`text_report` prints a report the way published texts do — a title, the
narrative paragraphs, and the three tables with the form's own labels — so
that tests can change one label, drop one value or add a row and see what
the published-report door makes of it.
"""

from __future__ import annotations

from server.forms import get_form
from server.forms.derive import cell_key


def _cell(value) -> str:
    return "" if value is None else str(value)


def _row(cells: list[str], style: str) -> list[str]:
    if style == "tab":
        return ["\t".join(cells)]
    if style == "pipe":
        return ["| " + " | ".join(cells) + " |"]
    if style == "spaces":
        return ["  ".join(c for c in cells if c)]
    return ["\t" + cell for cell in cells] + [""]


def table_lines(version: str, values: dict, *, style: str = "tab", labels: dict | None = None) -> list[str]:
    """The three tables as printed lines; ``labels`` replaces a row's printed label by row key."""
    form = get_form(version)
    labels = labels or {}
    out: list[str] = []
    for table in form.tables:
        out.append(table.title)
        for block in table.blocks:
            if block.title:
                out += _row([block.title], style)
            header = [block.corner] if block.corner and table.key != "t2" else []
            if table.key == "t2":
                header = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]
            header += [column.display_label for column in block.columns]
            out += _row(header, style)
            for row in block.rows:
                label = labels.get(row.key, "".join(row.labels[-2:]) if len(row.labels) > 1 else row.label)
                numbers = [_cell(values.get(cell_key(table.key, row.key, c.key))) for c in block.columns]
                if label is None:
                    continue
                out += _row(([label] if label else []) + numbers, style)
    return out


def text_report(
    version: str,
    values: dict,
    *,
    unit: str = "某某区某某街道办事处",
    year: int = 2021,
    style: str = "tab",
    narrative: tuple[str, ...] = (),
    labels: dict | None = None,
) -> str:
    """A whole published report as text."""
    lines = [f"{unit}{year}年政府信息公开工作年度报告", "", "一、总体情况", *narrative, ""]
    lines += table_lines(version, values, style=style, labels=labels)
    lines += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines) + "\n"


def zeros(version: str) -> dict:
    """Every input cell of the form printed as 0, totals too."""
    return dict.fromkeys(get_form(version).cells, 0)
