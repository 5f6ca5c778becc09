"""Chinese message templates, keyed by rule id (or by rule family).

Every finding's message is rendered here from a template with named
placeholders. A rule id without a template is a programming error and
raises ``KeyError``; tests/test_messages.py renders every template.

Placeholders used throughout: ``{where}`` a cell reference such as
``D10「（一）予以公开·自然人」``; ``{expected}``/``{actual}`` numbers;
``{label}`` the identity or check label from the form definition.
"""

from __future__ import annotations

import string

TEMPLATES: dict[str, str] = {
    # Identities (families; the label comes from the form definition)
    "sum": "{where} 填的是 {actual}，与各项之和 {expected} 不符（相差 {diff}）。{advice}{label}（{parts}）。",
    "balance": (
        "{where} 所在的{column}列不平衡：第一项加第二项为 {expected}（{left}），"
        "第三项加第四项为 {actual}（{right}），相差 {diff}。{advice}规则：{label}。"
    ),
    "advice.sum": "请核对原始登记，改正合计或填错的那一项。",
    "advice.balance": "请核对该列各项，改正填错的那一格。",
    "check.undecided": "{where} 的内容“{raw}”不是数字，以下校验无法进行：{checks}。请先改正该单元格。",
    # Error localisation
    "locate.culprit": (
        "{where} 现为 {actual}，很可能填错，请核对原始登记后改正。如果只错了这一格，它应为 {suggestion}{others}。"
    ),
    "locate.unproven": "（查找已到工作量上限，这是目前找到的最好答案，未能证明是改动最少的）",
    "locate.unlisted": "（查找已到工作量上限，可能还有改动同样少的其他改法没有列出）",
    "locate.culprit_open": "{where} 现为 {actual}，很可能填错，请核对原始登记后改正{others}。无法由勾稽关系推算出它应为多少。",
    "locate.ambiguous": "{table}的勾稽关系不成立，无法确定是哪一格填错，可能的情况：{options}。请逐一核对原始登记。",
    # Stories: a mistake told with what it explains (server/stories.py)
    "locate.ambiguous_cells": "{cells} 中有一个填错，请逐一核对原始登记后改正填错的那一格。{hints}。",
    "locate.ambiguous_sets": "{table}中有几格填错，无法确定是哪几格，可能是以下情况之一：{options}。请逐一核对原始登记后改正。",
    "story.text": "填的是文字“{raw}”（应填数字，读作 {value}），",
    "story.affects": "因此不成立的勾稽关系：{checks}。",
    "story.consequences_line": "  ↳ 由此引起 {count} 处勾稽关系不成立（{checks}），改正后自然成立，这些单元格不要改。",
    "story.held": "合计 {cells} 暂不自动填入（它用到了可能填错的数），改正后重新校验时自动计算。",
    "story.consequence": "这一条是 {mistake}造成的：改正后自然成立，不要改动本格。",
    "story.consequence_own": "这一条也是 {mistake}造成的，改正后即成立。",
    "story.held_note": "{where} 是合计，暂不自动填入：它的各项中 {cells}很可能填错，改正后重新校验时自动计算。",
    "locate.failed": "{table}的勾稽关系不成立，未能自动找出最可能填错的单元格，请逐项核对标红的合计。",
    # Values
    "value.text": "{where} 填写的是文字“{raw}”（{reason}），应填数字。建议改为 {suggestion}。",
    "value.text_unfit": "{where} 填写的是文字“{raw}”（{reason}），读作 {actual}，但本栏只能填{domain}。请改为正确的数字。",
    "value.numeric_text": "{where} 中的“{raw}”是以文本形式保存的数字，请改为数字 {suggestion}（设置为常规或数值格式后重新输入）。",
    "value.unreadable": "{where} 的内容“{raw}”无法识别为数字（{reason}），请填写{domain}。{hint}",
    "value.formula": "{where} 公式没有计算结果：请在 Excel 中打开并保存后再校验，或直接填写数字（公式为“{raw}”）。{hint}",
    "value.negative": "{where} 为负数 {actual}，本栏只能填{domain}。",
    "value.not_integer": "{where} 为 {actual}，本栏应填整数（单位：{unit}）。",
    "value.precision": "{where} 为 {actual}，金额以万元为单位最多保留 4 位小数（精确到元）。",
    "value.blank": "{table}有 {count} 个应填单元格为空（{cells}），已按 0 计算。没有的请填 0，不要留空。",
    "table.blank": "{table}未填写：没有发生的请填 0（这张表的 {count} 个应填单元格全部是空的）。",
    "value.deduced": "{where} 未填写，根据“{label}”推算为 {value}，已自动填入，请核对。",
    "total.filled": "{where} 是合计单元格，未填写，已按各项之和自动计算为 {value}。",
    "total.filled_many": "{table}有 {count} 个合计单元格未填写，已按各项之和自动计算填入（{cells}）。",
    # Layout of the workbook
    "layout.stray": "{where} 不属于报表的填写区域，却填有“{raw}”。请检查该行数字是否错位，并删除多余的内容。",
    "layout.moved": "{table}的位置或行列与标准模板不一致（{detail}），已按表格标签识别各单元格。请使用标准模板，不要插入或删除行列。",
    "layout.missing_table": "找不到{table}（{title}）。请使用标准模板，不要删除或重命名工作表“{sheet}”。",
    "layout.missing_row": "{table}中找不到“{label}”这一行，该行按未填写处理。请使用标准模板，不要删除行。",
    "layout.missing_column": "{table}中找不到“{label}”这一列，该列按未填写处理。请使用标准模板，不要删除列。",
    # Layout of a published report (PDF, web page, Word, text)
    "layout.stray_printed": (
        "{where} 多印了一个数“{raw}”：{table}「{label}」这一行只有 {columns} 列，却印有 {count} 个数。"
        "已按前 {columns} 个读取，请核对该行数字是否错位。"
    ),
    "layout.missing_value": (
        "{where}（{table}「{label}」）只印有 {count} 个数，应有 {columns} 个，无法确定缺的是哪一格；"
        "已从左到右读取，{missing}按空白处理。请核对原表。"
    ),
    "layout.unknown_row": "{where} 的“{printed}”印有数字，但不是{table}中的行，未读取。请核对表格是否按标准格式印制。",
    "layout.other_version": (
        "{where} 的“{printed}”是{other}年版格式的行，本报告按{version}年版格式（{name}）识别，没有这一行{detail}。"
        "请按{version}年版格式公开。"
    ),
    "layout.label_fuzzy": "{where} 的行名“{printed}”与标准写法“{label}”不同（可能是印刷错误），已按“{label}”这一行读取，请核对。",
    "layout.subtotal": (
        "{table}多印了一列“{group}”的小计（{count} 行，第一处在 {where}），标准格式没有这一列。"
        "已略去小计，其余各数按标准各列读取；请按标准格式公开。"
    ),
    "layout.missing_row_printed": "文档的{table}中找不到“{label}”这一行，该行按空白处理。请核对是否漏印了这一行。",
    "layout.missing_table_printed": "文档中找不到{table}（{title}）。请核对报告是否包含这张表。",
    # Narrative vs tables (P9)
    "narrative.mismatch": "正文{place}写道“{sentence}”（{stated}），但{where}为 {actual}。{scope}请核对正文或表格。",
    # Header fields
    "header.missing": "未填写{label}（{where}）。{help}",
    "header.year_invalid": "报告年度“{raw}”无法识别，应填四位年份，例如 {example}。",
    "header.version_year": "{year}年度的报告应使用{expected}，本工作簿是{actual}。请改用正确版本的模板。",
    "header.date_invalid": "填报日期“{raw}”无法识别，请按 2026-01-20 的格式填写。",
    "header.date_early": "填报日期 {date} 早于统计期结束（{year}年12月31日），年度报告应在统计期结束后编制。",
    "header.date_late": "填报日期 {date} 已晚于{kind}年度报告的法定公开期限 {deadline}（《政府信息公开条例》"
    "第四十九条）。请核对填报日期；确已逾期的，请尽快报送和公开。",
    # Declared checks (plausibility P1–P3, cross-year X1–X4); label and advice come from the form
    "check": "{where}：{left_text} 为 {actual}，{right_text} 为 {expected}，{advice}。规则：{label}。",
    "cross.unit_changed": "单位名称与上年度不同（上年：{last}，本年：{this}）。如单位更名或合并，请在审核说明中写明。",
    "cross.year_gap": "上年度报告的报告年度是 {last}，不是 {expected}，跨年校验可能不适用。",
    "report.truncated": "问题过多，只列出了前 {shown} 条，另有 {left_out} 条未列出。请先改正已列出的问题后重新校验。",
    # Special plausibility rules
    "plaus.rules_power": (
        "“{unit}”一般没有规章制定权（只有省级和设区的市、自治州人民政府制定规章），但“规章”一行填有数字（{values}）。"
        "如确属本单位制定或公开的规章，请在审核说明中写明。"
    ),
    "plaus.items_as_decisions": (
        "第二十条第（五）（六）项各行的“处理决定数量”都恰好等于“上一年项目数量 + 本年增/减”，"
        "可能把本年事项数量误填成了处理决定数量。处理决定数量应填本年作出的处理决定（办件）数量。"
    ),
    "plaus.town_fees": "“{unit}”是街道或乡镇，{rows}填有非零数字（{values}）。街道、乡镇一般没有此类项目，请核对。",
    "plaus.carry_out_ratio": (
        "结转下年度继续办理 {outgoing} 件，占本年应办理申请（新收 + 上年结转 = {incoming} 件）的 {percent}。"
        "申请一般应在 20 个工作日内答复（最多延长 20 个工作日），通常只有年末收到的申请才结转，请核对。"
    ),
    "plaus.cases_without_applications": (
        "表三有行政复议或行政诉讼案件 {cases} 件，但表二本年新收和上年结转的申请都为 0。"
        "如案件涉及主动公开或以前年度的申请，可忽略本说明。"
    ),
}


def template_for(rule: str) -> str:
    """The template of a rule id, falling back to its family (text before the first dot)."""
    if rule in TEMPLATES:
        return TEMPLATES[rule]
    family = rule.split(".", 1)[0]
    if family in TEMPLATES:
        return TEMPLATES[family]
    raise KeyError(f"no message template for rule {rule!r}")


def render(template_key: str, **params: object) -> str:
    """Render a template; a missing placeholder raises KeyError."""
    return template_for(template_key).format_map(_Strict(params))


def placeholders(template_key: str) -> set[str]:
    """The placeholder names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template_for(template_key)) if name}


class _Strict(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"message placeholder {{{key}}} not given")
