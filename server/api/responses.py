"""marshmallow schemas of what the JSON API answers, for the OpenAPI document and the forms endpoints.

Reports are answered as :meth:`server.findings.Report.to_dict` (the documented
shape, docs/findings.md); :class:`ReportSchema` describes it and a test keeps
the two in step. The forms endpoints dump their data through these schemas.
"""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields


def _doc(text: str) -> dict:
    return {"description": text}


class CellRefSchema(Schema):
    """A cell named by a finding."""

    key = fields.String(allow_none=True, metadata=_doc("单元格键（如 t2.open.c_natural）"))
    sheet = fields.String(allow_none=True, metadata=_doc("工作表名"))
    cell = fields.String(allow_none=True, metadata=_doc("A1 地址"))
    label = fields.String(metadata=_doc("行·列名称"))
    value = fields.Raw(allow_none=True, metadata=_doc("数值或填写的文字"))
    role = fields.String(
        metadata=_doc(
            "total 合计 | part 组成项 | culprit 最可能填错 | blocking 阻碍校验 | candidate | cell | last_year"
            " | held 暂不填入的合计"
        )
    )


class FindingSchema(Schema):
    """One finding (see docs/findings.md)."""

    rule = fields.String(
        metadata=_doc(
            "规则编号（如 sum.row_total、locate.culprit、value.text、cross.carry_in），规则列表见 docs/rules.md"
        )
    )
    severity = fields.String(metadata=_doc("error 错误 | warning 提示 | info 说明"))
    status = fields.String(metadata=_doc("failed 不成立 | undecided 无法校验 | notice 说明"))
    check = fields.String(allow_none=True, metadata=_doc("docs/forms.md 中的勾稽关系或检查编号：I1–I4、P1–P11、X1–X5"))
    table = fields.String(allow_none=True, metadata=_doc("表格键 t1 / t2 / t3"))
    sheet = fields.String(allow_none=True, metadata=_doc("问题所在的工作表（模板中的名称）"))
    cell = fields.String(allow_none=True, metadata=_doc("问题所在单元格的 A1 地址"))
    key = fields.String(allow_none=True, metadata=_doc("问题所在单元格的键"))
    message = fields.String(metadata=_doc("中文说明：哪个单元格、哪条规则、应为多少、实为多少、怎么改"))
    expected = fields.Raw(allow_none=True, metadata=_doc("应为的值"))
    actual = fields.Raw(allow_none=True, metadata=_doc("实际的值"))
    suggestion = fields.Raw(allow_none=True, metadata=_doc("建议填写的值：只出现在最可能填错的单元格和可识别的文字上"))
    cells = fields.List(fields.Nested(CellRefSchema), metadata=_doc("涉及的每个单元格（合计和各组成项）"))
    alternatives = fields.List(
        fields.List(fields.Dict()),
        metadata=_doc("无法确定哪一格填错时的几种改法，每种是若干 {key, sheet, cell, suggestion}"),
    )
    id = fields.String(metadata=_doc("本条在结果中的编号 F1、F2……"))
    name = fields.String(metadata=_doc("规则的中文名称"))
    explained_by = fields.String(
        allow_none=True, metadata=_doc("引起本条的填错（locate.culprit 或 locate.ambiguous）的 id")
    )
    explains = fields.List(fields.String(), metadata=_doc("仅填错：由它引起的各条的 id"))


class OutcomeSchema(Schema):
    """How often a rule passed, failed or could not decide."""

    passed = fields.Integer()
    failed = fields.Integer()
    undecided = fields.Integer()


class ReportSchema(Schema):
    """The result of one validation (see docs/findings.md)."""

    ok = fields.Boolean(metadata=_doc("没有错误时为 true（可以有提示和说明）"))
    version = fields.String(metadata=_doc("格式版本（上传工作簿时为识别出的版本）"))
    year = fields.Integer(allow_none=True, metadata=_doc("报告年度"))
    unit = fields.String(allow_none=True, metadata=_doc("填报单位"))
    summary = fields.String(metadata=_doc("一句话结论，如“校验未通过：2 处错误”"))
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata=_doc("各严重程度的问题条数（由填错引起的不另计）")
    )
    findings = fields.List(fields.Nested(FindingSchema), metadata=_doc("问题列表，按严重程度和表格顺序排列"))
    filled = fields.Dict(keys=fields.String(), values=fields.Float(), metadata=_doc("应填入空白单元格的合计和推算值"))
    cleared = fields.List(fields.String(), metadata=_doc("上次自动填入、现在应清空的单元格键"))
    values = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), metadata=_doc("校验使用的数值（无法识别为 null）")
    )
    outcomes = fields.Dict(
        keys=fields.String(), values=fields.Nested(OutcomeSchema), metadata=_doc("每条规则的通过、不成立、无法校验次数")
    )
    truncated = fields.Integer(metadata=_doc("超过条数上限而未列出的问题条数"))
    heading = fields.String(metadata=_doc("报告是谁的：填报单位 · 报告年度 · 格式版本"))
    explained = fields.Integer(metadata=_doc("由某个填错引起、不另计的问题条数"))
    mode = fields.String(metadata=_doc("仅上传工作簿时：template 按模板读取，labels 按表格标签识别"))


class ErrorSchema(Schema):
    """The one error shape of every endpoint."""

    ok = fields.Boolean(metadata=_doc("总是 false"))
    error = fields.String(metadata=_doc("中文错误说明"))
    errors = fields.List(fields.Dict(), metadata=_doc("逐字段的错误：{field, message}，field 如 values.t2.foo"))
    status = fields.Integer(metadata=_doc("HTTP 状态码"))


# Forms -------------------------------------------------------------------------------


class FormSummarySchema(Schema):
    """One format version."""

    version = fields.String(metadata=_doc("格式版本"))
    name = fields.String(metadata=_doc("正式名称"))
    basis = fields.String(metadata=_doc("发布依据"))
    years = fields.String(metadata=_doc("适用的报告年度"))
    first_year = fields.Integer(metadata=_doc("适用的第一个报告年度"))
    last_year = fields.Integer(allow_none=True, metadata=_doc("适用的最后一个报告年度（现行版本为 null）"))


class FormCellSchema(Schema):
    """One cell of a format version."""

    key = fields.String(metadata=_doc("单元格键"))
    table = fields.String(metadata=_doc("表格键 t1 / t2 / t3"))
    table_name = fields.String(metadata=_doc("表格简称 表一 / 表二 / 表三"))
    label = fields.String(metadata=_doc("行·列名称"))
    domain = fields.String(metadata=_doc("取值：count 非负整数、signed 整数、amount 金额"))
    unit = fields.String(allow_none=True, metadata=_doc("单位"))
    derived = fields.Boolean(metadata=_doc("是否合计（可由其他单元格算出）"))
    sheet = fields.String(metadata=_doc("模板中的工作表"))
    cell = fields.String(metadata=_doc("模板中的 A1 地址"))


class HeaderFieldSchema(Schema):
    """One header field (基本信息)."""

    key = fields.String()
    label = fields.String()
    required = fields.Boolean()
    sheet = fields.String()
    cell = fields.String()


class IdentitySchema(Schema):
    """One identity (勾稽关系): Σ left = Σ right."""

    id = fields.String()
    check = fields.String(metadata=_doc("I1–I4"))
    rule = fields.String()
    label = fields.String()
    left = fields.List(fields.String())
    right = fields.List(fields.String())


class FormDetailSchema(FormSummarySchema):
    """A format version with every cell, header field and identity."""

    cells = fields.List(fields.Nested(FormCellSchema))
    header = fields.List(fields.Nested(HeaderFieldSchema))
    identities = fields.List(fields.Nested(IdentitySchema))
