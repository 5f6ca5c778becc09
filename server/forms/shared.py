"""Building blocks that both format versions print identically (FORMS.md §2.2–§2.3, §4).

表二's applicant columns and most of its rows, all of 表三, the header
fields and the cross-year 上年结转 check are the same in V2019 and V2021.
A version module picks what it needs from here and adds its own parts.
"""

from __future__ import annotations

from .model import Balance
from .model import Block
from .model import Check
from .model import Column
from .model import ColumnTotal
from .model import HeaderField
from .model import Row
from .model import RowTotal
from .model import Special
from .model import Table
from .model import Term

# 表一 主动公开政府信息情况 ------------------------------------------------------------

T1_CORNER = "信息内容"
RULES_ROW = Row("rules", ("规章",), help="只有省级和设区的市、自治州人民政府制定规章")


def t1_table(blocks: tuple[Block, ...]) -> Table:
    """表一 with the version's blocks (one per item of 条例第二十条)."""
    return Table(key="t1", name="表一", title="二、主动公开政府信息情况", sheet="表一 主动公开", blocks=blocks)


# 表二 收到和处理政府信息公开申请情况 ------------------------------------------

T2_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICANTS = "申请人情况"
_ORGS = "法人或其他组织"

T2_COLUMNS = (
    Column("c_natural", (_APPLICANTS, "自然人")),
    Column("c_commercial", (_APPLICANTS, _ORGS, "商业企业")),
    Column("c_research", (_APPLICANTS, _ORGS, "科研机构")),
    Column("c_welfare", (_APPLICANTS, _ORGS, "社会公益组织")),
    Column("c_legal", (_APPLICANTS, _ORGS, "法律服务机构")),
    Column("c_other", (_APPLICANTS, _ORGS, "其他"), help="第五类法人或其他组织，不是“以上之外”的小计"),
    Column("c_total", (_APPLICANTS, "总计")),
)

_RESULTS = "三、本年度办理结果"
_DENY = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOPROC = "（五）不予处理"

T2_HEAD_ROWS = (
    Row("new", ("一、本年新收政府信息公开申请数量",)),
    Row("carry_in", ("二、上年结转政府信息公开申请数量",), help="应等于上年度报告的“四、结转下年度继续办理”"),
)

T2_RESULT_ROWS = (
    Row("open", (_RESULTS, "（一）予以公开")),
    Row(
        "partial",
        (_RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        aliases=("（二）部分公开",),
        help="条例第三十七条 区分处理",
    ),
    Row("deny_1", (_RESULTS, _DENY, "1.属于国家秘密"), help="条例第十四条"),
    Row(
        "deny_2",
        (_RESULTS, _DENY, "2.其他法律行政法规禁止公开"),
        aliases=("2.其他法律法规禁止公开",),
        help="条例第十四条",
    ),
    Row("deny_3", (_RESULTS, _DENY, "3.危及“三安全一稳定”"), help="条例第十四条"),
    Row("deny_4", (_RESULTS, _DENY, "4.保护第三方合法权益"), help="条例第十五条"),
    Row("deny_5", (_RESULTS, _DENY, "5.属于三类内部事务信息"), help="条例第十六条"),
    Row("deny_6", (_RESULTS, _DENY, "6.属于四类过程性信息"), help="条例第十六条"),
    Row("deny_7", (_RESULTS, _DENY, "7.属于行政执法案卷"), help="条例第十六条"),
    Row("deny_8", (_RESULTS, _DENY, "8.属于行政查询事项")),
    Row("unable_1", (_RESULTS, _UNABLE, "1.本机关不掌握相关政府信息")),
    Row("unable_2", (_RESULTS, _UNABLE, "2.没有现成信息需要另行制作"), help="条例第三十八条"),
    Row("unable_3", (_RESULTS, _UNABLE, "3.补正后申请内容仍不明确"), help="条例第三十条"),
    Row("noproc_1", (_RESULTS, _NOPROC, "1.信访举报投诉类申请"), help="条例第三十九条"),
    Row("noproc_2", (_RESULTS, _NOPROC, "2.重复申请")),
    Row("noproc_3", (_RESULTS, _NOPROC, "3.要求提供公开出版物"), help="条例第三十九条"),
    Row("noproc_4", (_RESULTS, _NOPROC, "4.无正当理由大量反复申请")),
    Row("noproc_5", (_RESULTS, _NOPROC, "5.要求行政机关确认或重新出具已获取信息")),
)

T2_TOTAL_ROW = Row("total", (_RESULTS, "（七）总计"))
T2_CARRY_OUT_ROW = Row("carry_out", ("四、结转下年度继续办理",))

T2_ROW_TOTAL = RowTotal(
    rule="sum.row_total",
    name="I1",
    label="行合计：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他",
    total="c_total",
    parts=tuple(c.key for c in T2_COLUMNS[:-1]),
)

T2_BALANCE = Balance(
    rule="balance.applications",
    name="I3",
    label="第一项加第二项之和，等于第三项加第四项之和",
    left=("new", "carry_in"),
    right=("total", "carry_out"),
    closing="carry_out",
)


def t2_table(other_rows: tuple[Row, ...]) -> Table:
    """表二 with the version's （六）其他处理 row(s)."""
    result_rows = T2_RESULT_ROWS + other_rows
    rows = T2_HEAD_ROWS + result_rows + (T2_TOTAL_ROW, T2_CARRY_OUT_ROW)
    return Table(
        key="t2",
        name="表二",
        title="三、收到和处理政府信息公开申请情况",
        sheet="表二 依申请公开",
        blocks=(Block("applications", T2_COLUMNS, rows, corner=T2_NOTE),),
        row_totals=(T2_ROW_TOTAL,),
        column_totals=(
            ColumnTotal(
                rule="sum.results_total",
                name="I2",
                label="（七）总计 = （一）至（六）各项办理结果之和",
                total="total",
                parts=tuple(r.key for r in result_rows),
            ),
        ),
        balances=(T2_BALANCE,),
    )


# 表三 政府信息公开行政复议、行政诉讼情况 ----------------------------------------

_OUTCOMES = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))
_GROUPS = (
    ("review", ("行政复议",), "行政复议"),
    ("suit_direct", ("行政诉讼", "未经复议直接起诉"), "未经复议直接起诉"),
    ("suit_after", ("行政诉讼", "复议后起诉"), "复议后起诉"),
)


def _t3_columns() -> tuple[Column, ...]:
    columns = []
    for prefix, path, _ in _GROUPS:
        for key, label in _OUTCOMES + (("total", "总计"),):
            columns.append(Column(f"{prefix}_{key}", path + (label,)))
    return tuple(columns)


def _t3_totals() -> tuple[RowTotal, ...]:
    return tuple(
        RowTotal(
            rule="sum.case_total",
            name="I4",
            label=f"{name}：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
            total=f"{prefix}_total",
            parts=tuple(f"{prefix}_{key}" for key, _ in _OUTCOMES),
        )
        for prefix, _, name in _GROUPS
    )


T3_TABLE = Table(
    key="t3",
    name="表三",
    title="四、政府信息公开行政复议、行政诉讼情况",
    sheet="表三 复议诉讼",
    blocks=(Block("cases", _t3_columns(), (Row("cases"),)),),
    row_totals=_t3_totals(),
)


# Checks and header fields shared by both versions ------------------------------

CARRY_IN_CHECK = Check(
    rule="cross.carry_in",
    name="X1",
    label="本年“二、上年结转”应等于上年度报告的“四、结转下年度继续办理”",
    table="t2",
    left=(Term(row="carry_in"),),
    op="==",
    right=(Term(row="carry_out", year=-1),),
    columns=tuple(c.key for c in T2_COLUMNS),
    advice="请核对上年度报告；如因机构改革、单位合并等原因确实不一致，请在审核说明中写明原因",
)

COMMON_SPECIALS = (
    Special("plaus.rules_power", "P4", (("table", "t1"), ("row", "rules"))),
    Special(
        "plaus.carry_out_ratio",
        "P7",
        (
            ("table", "t2"),
            ("incoming", ("new", "carry_in")),
            ("outgoing", "carry_out"),
            ("column", "c_total"),
            ("ratio", 1 / 3),
            ("minimum", 3),
        ),
    ),
    Special(
        "plaus.cases_without_applications",
        "P8",
        (("cases", "t3"), ("applications", ("t2.new.c_total", "t2.carry_in.c_total"))),
    ),
)

HEADER_FIELDS = (
    HeaderField(
        "unit",
        "填报单位",
        aliases=("编制单位", "单位名称", "编制主体", "报送单位"),
        help="编制主体全称，与公开发布的年度报告一致",
        required=True,
    ),
    HeaderField(
        "year", "报告年度", aliases=("年度", "统计年度", "报告年份"), help="四位数字，例如 2025", required=True
    ),
    HeaderField("preparer", "填报人", aliases=("联系人", "经办人")),
    HeaderField("phone", "联系电话", aliases=("电话",)),
    HeaderField("date", "填报日期", aliases=("日期", "报送日期"), help="应在报告年度结束之后，例如 2026-01-20"),
)
