"""V2021: 《中华人民共和国政府信息公开工作年度报告格式》 (FORMS.md §3).

Report years 2021 onward, 国办公开办函〔2021〕30号 (2021-09-26).
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
_DECISIONS = Column("decisions", ("本年处理决定数量",), aliases=("处理决定数量",))
_DOC_ROWS = ("rules", "normative")

T1 = t1_table(
    (
        Block(
            "item_1",
            (
                Column("issued", ("本年制发件数",)),
                Column("repealed", ("本年废止件数",)),
                Column("in_force", ("现行有效件数",), help="年末仍然有效的件数"),
            ),
            (
                RULES_ROW,
                Row("normative", ("行政规范性文件",), aliases=("规范性文件",)),
            ),
            title="第二十条第（一）项",
            corner=_INFO,
        ),
        Block("item_5", (_DECISIONS,), (Row("licensing", ("行政许可",)),), "第二十条第（五）项", _INFO, stretch=True),
        Block(
            "item_6",
            (_DECISIONS,),
            (Row("penalty", ("行政处罚",)), Row("enforcement", ("行政强制",))),
            "第二十条第（六）项",
            _INFO,
            stretch=True,
        ),
        Block(
            "item_8",
            (
                Column(
                    "fee_amount",
                    ("本年收费金额（单位：万元）",),
                    domain=Domain.AMOUNT,
                    unit="万元",
                    aliases=("本年收费金额",),
                ),
            ),
            (Row("fees", ("行政事业性收费",)),),
            "第二十条第（八）项",
            _INFO,
            stretch=True,
        ),
    ),
)

_OTHER = "（六）其他处理"
T2 = t2_table(
    (
        Row(
            "other_1",
            ("三、本年度办理结果", _OTHER, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            help="条例第三十条",
        ),
        Row(
            "other_2",
            ("三、本年度办理结果", _OTHER, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            help="国办函〔2020〕109号 信息处理费",
        ),
        Row("other_3", ("三、本年度办理结果", _OTHER, "3.其他")),
    )
)

CHECKS = (
    Check(
        rule="plaus.in_force_ge_issued",
        name="P3",
        label="现行有效件数 通常不小于 本年制发件数",
        table="t1",
        left=(Term(column="in_force"),),
        op=">=",
        right=(Term(column="issued"),),
        rows=_DOC_ROWS,
        advice="本年制发的文件年末通常仍然有效，请核对现行有效件数",
    ),
    CARRY_IN_CHECK,
    Check(
        rule="cross.in_force_chain",
        name="X2",
        label="现行有效件数 ≈ 上年现行有效件数 + 本年制发件数 − 本年废止件数",
        table="t1",
        left=(Term(column="in_force"),),
        op="==",
        right=(Term(column="in_force", year=-1), Term(column="issued"), Term(column="repealed", coef=-1)),
        rows=_DOC_ROWS,
        advice="文件也可能因有效期届满或修订而失效；如属此类情况请在审核说明中写明",
    ),
    Check(
        rule="cross.repealed_le_available",
        name="X4",
        label="本年废止件数 不应大于 上年现行有效件数 + 本年制发件数",
        table="t1",
        left=(Term(column="repealed"),),
        op="<=",
        right=(Term(column="in_force", year=-1), Term(column="issued")),
        rows=_DOC_ROWS,
        advice="废止的文件必须是上年末有效或本年制发的，请核对",
    ),
)

FORM = Form(
    version="2021",
    name="《中华人民共和国政府信息公开工作年度报告格式》",
    basis="国办公开办函〔2021〕30号",
    first_year=2021,
    last_year=None,
    tables=(T1, T2, T3_TABLE),
    checks=CHECKS,
    specials=COMMON_SPECIALS + (Special("plaus.town_fees", "P6", (("table", "t1"), ("rows", ("fees",)))),),
    header_fields=HEADER_FIELDS,
)
