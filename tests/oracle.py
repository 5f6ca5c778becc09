"""The identities (勾稽关系) of both versions, written out by hand from docs/forms.md §5.

This module does not import server/forms: it is the independent oracle the form definitions are
compared with (tests/test_forms.py) and the source the consistent-report builders compute totals
from (tests/builders.py), so a wrong definition makes the property tests fail instead of agreeing
with itself.

An identity is ``(name, left cells, right cells)`` meaning Σ left = Σ right.
"""

from __future__ import annotations

T2_PARTS = ("c_natural", "c_commercial", "c_research", "c_welfare", "c_legal", "c_other")
"""表二's six applicant columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他."""
T2_COLUMNS = (*T2_PARTS, "c_total")
"""The six plus 总计 (J). There is no 法人或其他组织 subtotal column."""

RESULT_ROWS = {
    "2019": (
        "open",  # （一）予以公开
        "partial",  # （二）部分公开
        "deny_1",  # （三）不予公开 1.属于国家秘密
        "deny_2",  # 2.其他法律行政法规禁止公开
        "deny_3",  # 3.危及“三安全一稳定”
        "deny_4",  # 4.保护第三方合法权益
        "deny_5",  # 5.属于三类内部事务信息
        "deny_6",  # 6.属于四类过程性信息
        "deny_7",  # 7.属于行政执法案卷
        "deny_8",  # 8.属于行政查询事项
        "unable_1",  # （四）无法提供 1.本机关不掌握相关政府信息
        "unable_2",  # 2.没有现成信息需要另行制作
        "unable_3",  # 3.补正后申请内容仍不明确
        "noproc_1",  # （五）不予处理 1.信访举报投诉类申请
        "noproc_2",  # 2.重复申请
        "noproc_3",  # 3.要求提供公开出版物
        "noproc_4",  # 4.无正当理由大量反复申请
        "noproc_5",  # 5.要求行政机关确认或重新出具已获取信息
        "other",  # （六）其他处理 — one data row in 2019
    ),
    "2021": (
        "open",
        "partial",
        "deny_1",
        "deny_2",
        "deny_3",
        "deny_4",
        "deny_5",
        "deny_6",
        "deny_7",
        "deny_8",
        "unable_1",
        "unable_2",
        "unable_3",
        "noproc_1",
        "noproc_2",
        "noproc_3",
        "noproc_4",
        "noproc_5",
        "other_1",  # （六）其他处理 1.申请人无正当理由逾期不补正…
        "other_2",  # 2.申请人逾期未按收费通知要求缴纳费用…
        "other_3",  # 3.其他
    ),
}
"""The terms of 三（七）总计: 19 rows in 2019, 21 in 2021."""

T2_ROWS = {version: ("new", "carry_in", *results, "total", "carry_out") for version, results in RESULT_ROWS.items()}
"""表二's rows top to bottom: 一、本年新收, 二、上年结转, the results, （七）总计, 四、结转下年度继续办理."""

T3_GROUPS = ("review", "suit_direct", "suit_after")
"""表三's groups: 行政复议, 行政诉讼·未经复议直接起诉, 行政诉讼·复议后起诉."""
T3_OUTCOMES = ("upheld", "corrected", "other", "pending")
"""结果维持, 结果纠正, 其他结果, 尚未审结 (each group's 总计 is their sum)."""

VERSIONS = ("2019", "2021")


def identities(version: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Every identity instance of a version: I1 per 表二 row, I2 and I3 per column, I4 per 表三 group."""
    out = []
    for row in T2_ROWS[version]:  # I1: 总计 = 自然人 + the five kinds of organisation
        out.append(("I1", (f"t2.{row}.c_total",), tuple(f"t2.{row}.{c}" for c in T2_PARTS)))
    for column in T2_COLUMNS:  # I2: （七）总计 = every result row
        terms = tuple(f"t2.{row}.{column}" for row in RESULT_ROWS[version])
        out.append(("I2", (f"t2.total.{column}",), terms))
    for column in T2_COLUMNS:  # I3: 一 + 二 = 三（七） + 四, the note printed in the header
        left = (f"t2.new.{column}", f"t2.carry_in.{column}")
        out.append(("I3", left, (f"t2.total.{column}", f"t2.carry_out.{column}")))
    for group in T3_GROUPS:  # I4: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结
        parts = tuple(f"t3.cases.{group}_{outcome}" for outcome in T3_OUTCOMES)
        out.append(("I4", (f"t3.cases.{group}_total",), parts))
    return out


def derived(version: str) -> set[str]:
    """The cells the clerk does not type: every 表二 总计 (J) cell, the （七）总计 row, 表三's three 总计."""
    cells = {f"t2.{row}.c_total" for row in T2_ROWS[version]}
    cells |= {f"t2.total.{column}" for column in T2_COLUMNS}
    return cells | {f"t3.cases.{group}_total" for group in T3_GROUPS}


def sums(version: str) -> list[tuple[str, tuple[str, ...]]]:
    """(derived cell, the cells it is the sum of), in an order where every part is known before its sum.

    The corner cell （七）总计 × 总计 is both a row total (I1) and a column total (I2); it is
    computed last, along its row, from the six （七）总计 cells computed before it.
    """
    out = [(f"t2.total.{column}", tuple(f"t2.{row}.{column}" for row in RESULT_ROWS[version])) for column in T2_PARTS]
    out += [(f"t2.{row}.c_total", tuple(f"t2.{row}.{c}" for c in T2_PARTS)) for row in T2_ROWS[version]]
    out += [
        (f"t3.cases.{group}_total", tuple(f"t3.cases.{group}_{outcome}" for outcome in T3_OUTCOMES))
        for group in T3_GROUPS
    ]
    return out
