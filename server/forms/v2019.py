"""V2019: 《中华人民共和国政府信息公开工作年度报告格式（试行）》 (FORMS.md §2).

Report years 2019 and 2020, 国办公开办函〔2019〕60号.
"""

from __future__ import annotations

from .model import Block
from .model import Check
from .model import Column
from .model import Domain
from .model import Form
from .model import Row
from .model import Special
from .model import Term
from .shared import CARRY_IN_CHECK
from .shared import COMMON_SPECIALS
from .shared import HEADER_FIELDS
from .shared import RULES_ROW
from .shared import T1_CORNER
from .shared import T3_TABLE
from .shared import t1_table
from .shared import t2_table

_INFO = T1_CORNER
_ITEM_ROWS = ("licensing", "other_services", "penalty", "enforcement", "fees")
_PREV = Column("prev_items", ("上一年项目数量",), unit="项", help="上一年末的事项（项目）数量")
_CHANGE = Column(
    "change",
    ("本年增/减",),
    domain=Domain.SIGNED,
    unit="项",
    aliases=("本年增减", "增/减"),
    help="本年事项数量的增减；减少填负数，例如 -8；不是百分比",
)
_DECISIONS = Column("decisions", ("处理决定数量",), help="本年作出的处理决定（办件）数量")

T1 = t1_table(
    (
        Block(
            "item_1",
            (
                Column("made", ("本年新制作数量",)),
                Column("published", ("本年新公开数量",)),
                Column("total_public", ("对外公开总数量",)),
            ),
            (
                RULES_ROW,
                Row("normative", ("规范性文件",)),
            ),
            title="第二十条第（一）项",
            corner=_INFO,
        ),
        Block(
            "item_5",
            (_PREV, _CHANGE, _DECISIONS),
            (Row("licensing", ("行政许可",)), Row("other_services", ("其他对外管理服务事项",))),
            title="第二十条第（五）项",
            corner=_INFO,
        ),
        Block(
            "item_6",
            (_PREV, _CHANGE, _DECISIONS),
            (Row("penalty", ("行政处罚",)), Row("enforcement", ("行政强制",))),
            title="第二十条第（六）项",
            corner=_INFO,
        ),
        Block(
            "item_8",
            (_PREV, _CHANGE),
            (Row("fees", ("行政事业性收费",)),),
            title="第二十条第（八）项",
            corner=_INFO,
        ),
        Block(
            "item_9",
            (
                Column("projects", ("采购项目数量",), unit="个", aliases=("采购项目数",)),
                Column("amount", ("采购总金额",), domain=Domain.AMOUNT, unit="万元"),
            ),
            (Row("procurement", ("政府集中采购",)),),
            title="第二十条第（九）项",
            corner=_INFO,
        ),
    ),
)

T2 = t2_table((Row("other", ("三、本年度办理结果", "（六）其他处理")),))

CHECKS = (
    Check(
        rule="plaus.change_floor",
        name="P1",
        label="本年增/减 不应小于 −上一年项目数量（事项数不会减成负数）",
        table="t1",
        left=(Term(column="change"),),
        op=">=",
        right=(Term(column="prev_items", coef=-1),),
        rows=_ITEM_ROWS,
        advice="减少的事项数不能多于上一年的事项数，请核对本年增/减或上一年项目数量",
    ),
    Check(
        rule="plaus.published_le_total",
        name="P2",
        label="本年新公开数量 不应大于 对外公开总数量",
        table="t1",
        left=(Term(column="published"),),
        op="<=",
        right=(Term(column="total_public"),),
        rows=("rules", "normative"),
        advice="对外公开总数量包含本年新公开的文件，请核对",
    ),
    CARRY_IN_CHECK,
    Check(
        rule="cross.items_chain",
        name="X3",
        label="上一年项目数量 应等于 上年度报告的“上一年项目数量 + 本年增/减”",
        table="t1",
        left=(Term(column="prev_items"),),
        op="==",
        right=(Term(column="prev_items", year=-1), Term(column="change", year=-1)),
        rows=_ITEM_ROWS,
        advice="请核对上年度报告的事项数量",
    ),
)

FORM = Form(
    version="2019",
    name="《中华人民共和国政府信息公开工作年度报告格式（试行）》",
    basis="国办公开办函〔2019〕60号",
    first_year=2019,
    last_year=2020,
    tables=(T1, T2, T3_TABLE),
    checks=CHECKS,
    specials=COMMON_SPECIALS
    + (
        Special(
            "plaus.items_as_decisions",
            "P5",
            (
                ("table", "t1"),
                ("rows", ("licensing", "other_services", "penalty", "enforcement")),
                ("previous", "prev_items"),
                ("change", "change"),
                ("decisions", "decisions"),
            ),
        ),
        Special("plaus.town_fees", "P6", (("table", "t1"), ("rows", ("fees", "procurement")))),
    ),
    header_fields=HEADER_FIELDS,
)
