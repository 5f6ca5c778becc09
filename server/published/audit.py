"""The district's audit of published reports: one row per report in an .xlsx summary, details on a second sheet.

``汇总`` lists each file with its unit, report year, format version, the
conclusion, the numbers of errors, warnings and narrative mismatches, the
first problems in words and a link to its rows on ``明细``, which lists
every finding with its place in the document. Files that cannot be read, or
whose report year is not the audited year, say so in the conclusion.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..findings import ERROR
from ..findings import INFO
from ..findings import SEVERITY_TEXT
from ..findings import WARNING

SUMMARY = "汇总"
DETAILS = "明细"
_SUMMARY_HEAD = ("文件", "单位", "报告年度", "格式版本", "结论", "错误", "提示", "正文与表格不一致", "主要问题", "明细")
_DETAIL_HEAD = ("文件", "单位", "类别", "规则", "位置", "说明")
_FIRST_PROBLEMS = 3


def conclusion(result: dict, year: int | None) -> str:
    """The one-word verdict on a report of the audit."""
    if "error" in result:
        return "无法读取"
    if year is not None and result.get("year") != year:
        return f"报告年度不符（{result.get('year') or '未识别'}）"
    if not result["ok"]:
        return "有错误"
    return "有提示" if result["counts"][WARNING] else "通过"


def _squash(name: str) -> str:
    return re.sub(r"\s+", "", name or "")


def missing_units(registered: list[str], results: list[dict]) -> list[str]:
    """Registered units none of whose names a report names (either name may hold the other: 某某街道 / 某某街道办事处)."""
    found = [_squash(result.get("unit") or "") for result in results]
    found += [_squash(Path(result["file"]).stem) for result in results]
    return [name for name in registered if not any(_same_unit(_squash(name), other) for other in found if other)]


_GENERIC_ENDS = ("", "办事处", "人民政府", "政府", "委员会")


def _same_unit(registered: str, printed: str) -> bool:
    """某某区甲街道办事处 names 甲街道办事处; 甲街道 names 甲街道办事处; 某某区 does not name 某某区发展和改革局."""
    if registered in printed:
        return True
    return registered.startswith(printed) and registered[len(printed) :] in _GENERIC_ENDS


def audit_workbook(results: list[dict], year: int | None, title: str = "", missing: list[str] = ()) -> bytes:
    """The summary workbook of an audit, as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    book = Workbook()
    summary = book.active
    summary.title = SUMMARY
    details = book.create_sheet(DETAILS)
    if title:
        summary.append([title])
        summary["A1"].font = Font(bold=True, size=13)
    summary.append(_SUMMARY_HEAD)
    details.append(_DETAIL_HEAD)
    for cell in (*summary[summary.max_row], *details[1]):
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFC7CE")
    for result in results:
        first_detail = details.max_row + 1
        _details(details, result)
        row = _summary_row(result, year)
        summary.append(row)
        link = summary.cell(summary.max_row, len(row))
        if details.max_row >= first_detail:
            link.value = "查看明细"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{DETAILS}'!A{first_detail}")
            link.font = Font(color="0563C1", underline="single")
        if row[4] != "通过" and row[4] != "有提示":
            summary.cell(summary.max_row, 5).fill = red
    for name in missing:
        summary.append(["", name, year or "", "", "未找到年报", "", "", "", "文件夹中没有这个已登记单位的年报", ""])
        summary.cell(summary.max_row, 5).fill = red
    for sheet, widths in ((summary, (34, 24, 9, 9, 16, 6, 6, 10, 80, 10)), (details, (34, 24, 6, 22, 28, 100))):
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_row(result: dict, year: int | None) -> list:
    name = result["file"]
    if "error" in result:
        return [name, "", "", "", conclusion(result, year), "", "", "", result["error"], ""]
    counts = result["counts"]
    narrative = sum(1 for f in result["findings"] if f["rule"] == "narrative.mismatch")
    problems = [f["message"] for f in result["findings"] if f["severity"] != INFO][:_FIRST_PROBLEMS]
    return [
        name,
        result["unit"] or "",
        result["year"] or "",
        result["version"],
        conclusion(result, year),
        counts[ERROR],
        counts[WARNING],
        narrative,
        "\n".join(problems),
        "",
    ]


def _details(sheet, result: dict) -> None:
    if "error" in result:
        sheet.append([result["file"], "", "错误", "document.unreadable", "", result["error"]])
        return
    for finding in result["findings"]:
        place = " ".join(part for part in (finding["sheet"], finding["cell"]) if part)
        sheet.append(
            [
                result["file"],
                result["unit"] or "",
                SEVERITY_TEXT[finding["severity"]],
                finding["rule"],
                place,
                finding["message"],
            ]
        )
