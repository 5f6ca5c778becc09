"""Excel data validation of the template: the first line of defence, with Chinese messages.

Cells with the same rule share one DataValidation (a multi-range sqref).
"""

from __future__ import annotations

from collections import defaultdict

from openpyxl.styles import Border
from openpyxl.styles import Side
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..forms.model import Domain
from ..workbook.layout import DERIVED
from ..workbook.layout import HEADER
from ..workbook.layout import INPUT
from ..workbook.layout import SheetLayout

_MAX = 999999999
_TOTAL_PROMPT = "合计（自动计算）：点击“校验”后按各项之和自动填入，请勿填写。"


def thin_border() -> Border:
    """A thin black border on all four sides."""
    side = Side(style="thin", color="000000")
    return Border(left=side, right=side, top=side, bottom=side)


def add_validations(sheet: Worksheet, layout: SheetLayout) -> None:
    """Attach one validation per rule to the sheet's input, total and header cells."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    units = {column.key: column.unit for column in layout.table.columns} if layout.table else {}
    for slot in layout.slots:
        rule = _rule(slot, units)
        if rule is not None:
            groups[rule].append(slot.address)
    for rule, cells in groups.items():
        validation = _validation(rule)
        validation.sqref = MultiCellRange(" ".join(cells))
        sheet.add_data_validation(validation)


def _rule(slot, units: dict[str, str]) -> tuple | None:
    if slot.kind == INPUT:
        return ("input", slot.domain, units[slot.key.rsplit(".", 1)[1]])
    if slot.kind == DERIVED:
        return ("derived",)
    if slot.kind == HEADER and slot.key in ("header.year", "header.date"):
        return ("header", slot.key)
    return None


def _validation(rule: tuple) -> DataValidation:
    kind = rule[0]
    if kind == "derived":
        return DataValidation(showInputMessage=True, promptTitle="自动计算", prompt=_TOTAL_PROMPT)
    if kind == "header":
        return _header_validation(rule[1])
    return _input_validation(rule[1], rule[2])


def _input_validation(domain: Domain, unit: str) -> DataValidation:
    if domain is Domain.AMOUNT:
        validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        prompt = f"填写金额，单位：{unit}，最多 4 位小数；没有的填 0。不要填写“元”“万元”等文字。"
        error = "请填写不小于 0 的数字（单位：万元）。"
    elif domain is Domain.SIGNED:
        validation = DataValidation(type="whole", operator="between", formula1=str(-_MAX), formula2=str(_MAX))
        prompt = f"填写整数（单位：{unit}）：增加填正数，减少填负数（如 -8），不是百分比；没有变化填 0。"
        error = "请填写整数：增加填正数，减少填负数，不要填写“%”或文字。"
    else:
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        prompt = f"填写不小于 0 的整数（单位：{unit}）；没有的填 0，不要留空，不要填写“个”“件”等文字。"
        error = "请填写不小于 0 的整数，不要填写文字或单位。"
    validation.promptTitle, validation.prompt = "填写说明", prompt
    validation.errorTitle, validation.error = "输入有误", error
    validation.showInputMessage = validation.showErrorMessage = True
    validation.errorStyle = "stop"
    return validation


def _header_validation(key: str) -> DataValidation:
    if key == "header.year":
        validation = DataValidation(type="whole", operator="between", formula1="2019", formula2="2100")
        validation.errorTitle, validation.error = "输入有误", "报告年度请填写四位年份，例如 2025。"
        validation.showErrorMessage = True
        validation.promptTitle, validation.prompt = "报告年度", "四位年份，例如 2025。"
    else:
        validation = DataValidation(promptTitle="填报日期", prompt="例如 2026-01-20；应在报告年度结束之后。")
    validation.showInputMessage = True
    return validation
