"""The command line's text output of one checked file: one story per mistake.

Works on the JSON form of a report (what ``validate --json`` prints), so the
text and the JSON can never disagree. A mistake is printed with its message,
then its consequences in one line (``-v``: each with its own message);
notices (自动填入的合计 …) only with ``-v``.
"""

from __future__ import annotations

from .findings import INFO
from .findings import SEVERITY_TEXT
from .rules.messages import render
from .stories import MERGED
from .stories import lead

_INDENT = "        "


def report_text(result: dict, verbose: bool) -> str:
    """Everything said about one file, for the terminal."""
    if "error" in result:
        return f"{result['file']}：无法读取 — {result['error']}"
    heading = result.get("heading") or f"{result['version']} 年版格式"
    lines = [f"{result['file']}：{result['summary']}（{heading}）"]
    findings = result["findings"]
    ids = {f.get("id") for f in findings}
    number = 0
    for finding in findings:
        if finding.get("explained_by") in ids or (finding["severity"] == INFO and not verbose):
            continue
        number += 1
        lines.append(_finding_line(number, finding))
        lines.append(f"{_INDENT}{lead(finding['message'])}")
        lines.extend(_consequences(finding, findings, verbose))
    notices = result["counts"][INFO]
    if notices and not verbose:
        lines.append(f"  另有 {notices} 条说明（如自动填入的合计），加 -v 显示。")
    if "output" in result:
        lines.append(f"  标注后的副本：{result['output']}")
    if "output_error" in result:
        lines.append(f"  {result['output_error']}")
    return "\n".join(lines)


def _consequences(mistake: dict, findings: list[dict], verbose: bool) -> list[str]:
    tied = [
        f
        for f in findings
        if f.get("explained_by") == mistake.get("id") and not (f["rule"] in MERGED and f["key"] == mistake["key"])
    ]
    if not tied:
        return []
    if not verbose:
        checks = "、".join(dict.fromkeys(f"{f['cell'] or ''} {f['name']}".strip() for f in tied))
        return [_INDENT + render("story.consequences_line", count=len(tied), checks=checks).strip()]
    out = [f"{_INDENT}↳ 由此引起（改正后自然成立，这些单元格不要改）："]
    for finding in tied:
        place = f"{finding['sheet'] or ''} {finding['cell'] or ''}".strip()
        out.append(f"{_INDENT}  - {place} {finding['name']}：{finding['message']}")
    return out


def _finding_line(number: int, finding: dict) -> str:
    place = f"{finding['sheet'] or ''} {finding['cell'] or ''}".strip() or "—"
    parts = [f"  {number}. [{SEVERITY_TEXT[finding['severity']]}] {place}", finding.get("name") or "校验"]
    if finding["rule"] == "locate.culprit":
        parts.append(f"现为 {_shown(finding['actual'])}")
        if finding["suggestion"] is not None:
            parts.append(f"如果只错了这一格，它应为 {finding['suggestion']}")
        return " · ".join(parts)
    if finding["rule"] == "locate.ambiguous":
        cells = [ref["cell"] for ref in finding["cells"] if ref["role"] == "candidate" and ref["cell"]]
        parts.append(f"{'、'.join(cells)} 中有一个填错")
        return " · ".join(parts)
    if finding["expected"] is not None or finding["actual"] is not None:
        parts.append(f"应为 {_shown(finding['expected'])}，实为 {_shown(finding['actual'])}")
    if finding["suggestion"] is not None:
        parts.append(f"建议改为 {finding['suggestion']}")
    return " · ".join(parts)


def _shown(value) -> str:
    return "（空）" if value is None else str(value)
