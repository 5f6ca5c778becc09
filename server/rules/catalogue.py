"""The registry of rule ids: a Chinese name and a severity for each.

The same id appears in findings, JSON, CSS classes, the 校验结果 sheet and
test assertions. Identity and declared-check rule ids come from the form
definitions; :func:`rule_info` covers them through their family so that a new
format version can declare new checks without touching this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import ERROR
from ..findings import INFO
from ..findings import WARNING


@dataclass(frozen=True)
class RuleInfo:
    """A rule's stable id, Chinese name and default severity."""

    id: str
    name: str
    severity: str


_RULES = [
    RuleInfo("sum.row_total", "行合计", ERROR),
    RuleInfo("sum.results_total", "办理结果总计", ERROR),
    RuleInfo("balance.applications", "申请数量平衡", ERROR),
    RuleInfo("sum.case_total", "复议诉讼总计", ERROR),
    RuleInfo("check.undecided", "无法校验", WARNING),
    RuleInfo("locate.culprit", "最可能填错的单元格", ERROR),
    RuleInfo("locate.ambiguous", "几格之一填错", ERROR),
    RuleInfo("locate.failed", "未能找出填错的单元格", INFO),
    RuleInfo("value.text", "数字单元格中填了文字", ERROR),
    RuleInfo("value.numeric_text", "文本格式的数字", WARNING),
    RuleInfo("value.unreadable", "无法识别的内容", ERROR),
    RuleInfo("value.formula", "公式没有计算结果", ERROR),
    RuleInfo("value.negative", "不应为负数", ERROR),
    RuleInfo("value.not_integer", "应为整数", ERROR),
    RuleInfo("value.precision", "金额小数位过多", WARNING),
    RuleInfo("value.blank", "应填单元格为空", WARNING),
    RuleInfo("table.blank", "整张表未填写", ERROR),
    RuleInfo("value.deduced", "空白单元格已推算填入", INFO),
    RuleInfo("total.filled", "合计已自动计算", INFO),
    RuleInfo("layout.stray", "填写区域以外的内容", ERROR),
    RuleInfo("layout.moved", "表格结构被改动", WARNING),
    RuleInfo("layout.missing_table", "缺少表格", ERROR),
    RuleInfo("layout.missing_row", "缺少行", ERROR),
    RuleInfo("layout.missing_column", "缺少列", ERROR),
    RuleInfo("layout.missing_value", "一行中少印了数字", ERROR),
    RuleInfo("layout.unknown_row", "表格中无法识别的行", WARNING),
    RuleInfo("layout.other_version", "另一格式版本的行", WARNING),
    RuleInfo("layout.label_fuzzy", "行名与标准写法不同", INFO),
    RuleInfo("narrative.mismatch", "正文与表格不一致", WARNING),
    RuleInfo("header.missing", "未填写基本信息", WARNING),
    RuleInfo("header.year_invalid", "报告年度无法识别", ERROR),
    RuleInfo("header.version_year", "格式版本与报告年度不符", ERROR),
    RuleInfo("header.date_invalid", "填报日期无法识别", WARNING),
    RuleInfo("header.date_early", "填报日期早于统计期结束", WARNING),
    RuleInfo("header.date_late", "填报日期晚于法定公开期限", INFO),
    RuleInfo("cross.unit_changed", "单位名称与上年不同", WARNING),
    RuleInfo("cross.year_gap", "上年度报告年度不符", WARNING),
    RuleInfo("plaus.rules_power", "无规章制定权的单位填报了规章", WARNING),
    RuleInfo("plaus.items_as_decisions", "处理决定数量疑似填成事项数", WARNING),
    RuleInfo("plaus.town_fees", "街道乡镇填报收费或集中采购", INFO),
    RuleInfo("plaus.carry_out_ratio", "结转下年度比例偏高", WARNING),
    RuleInfo("plaus.cases_without_applications", "有复议诉讼但无申请", INFO),
    RuleInfo("report.truncated", "问题过多，未全部列出", WARNING),
]

RULES: dict[str, RuleInfo] = {rule.id: rule for rule in _RULES}


_FAMILY_NAMES = {"plaus": "合理性提示", "cross": "与上年度对照", "check": "校验", "layout": "表格结构"}
"""Chinese names of rule families, for a rule a form declares without a name here."""


def rule_info(rule: str, name: str = "", severity: str = WARNING) -> RuleInfo:
    """Info of a rule id; ids declared by a form (checks) get the form's name."""
    if rule in RULES:
        return RULES[rule]
    return RuleInfo(rule, name or _FAMILY_NAMES.get(rule.split(".", 1)[0], "校验"), severity)


def rule_name(rule: str, form=None) -> str:
    """The Chinese name clerks read for a rule id (never the id itself).

    A check declared by a form is named by its label there (``现行有效件数 通常不小于 本年制发件数``).
    """
    if rule in RULES:
        return RULES[rule].name
    for check in getattr(form, "checks", ()):
        if check.rule == rule:
            return check.label
    return rule_info(rule).name
