"""marshmallow schemas of the JSON API, with Chinese error messages.

The schema of the cell values of each format version is generated from the
form definition (``Schema.from_dict`` over ``form.cells``), so adding a
version needs no edit here. Values may also be keyed by A1 address
(``表二 依申请公开!D6``, ``表二!D6`` or ``t2!D6``); :func:`resolve_addresses`
turns those into cell keys before loading. Every input schema rejects
unknown fields.
"""

from __future__ import annotations

from functools import cache

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from ..forms import FORMS
from ..forms import get_form
from ..workbook.layout import a1
from ..workbook.layout import layout_for
from ..workbook.layout import parse_a1

MESSAGES = {
    "required": "缺少必填字段。",
    "null": "不能为空值。",
    "invalid": "类型不正确。",
    "validator_failed": "取值不正确。",
}


class ChineseSchema(Schema):
    """Base schema: unknown fields rejected, Chinese messages."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段。", "type": "应为 JSON 对象。"}


class CellValue(fields.Field):
    """A raw cell value: a number, a text or null (never true/false, lists or objects)."""

    default_error_messages = {**MESSAGES, "invalid": "应为数字、文字或空值。"}

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.make_error("invalid")
        return value


class UnknownCellSchema(ChineseSchema):
    """Values schemas name unknown keys in their own words."""

    error_messages = {"unknown": "未知字段：不是本版本表格的单元格键或地址。", "type": "应为 JSON 对象。"}


@cache
def values_schema(version: str) -> type[Schema]:
    """The schema of the cell values of a version, one field per cell key."""
    form = get_form(version)
    return UnknownCellSchema.from_dict(
        {_attribute(key): CellValue(data_key=key) for key in form.cells}, name=f"Values{version}"
    )


def _attribute(key: str) -> str:
    """marshmallow reads dots in attribute names as nesting; cell keys keep theirs in data_key."""
    return key.replace(".", "__")


@cache
def header_schema(version: str) -> type[Schema]:
    """The schema of the header fields of a version."""
    form = get_form(version)
    return ChineseSchema.from_dict({f.key: CellValue() for f in form.header_fields}, name=f"Header{version}")


@cache
def _address_index(version: str) -> dict[str, str]:
    """Every accepted spelling of a cell's address -> its cell key."""
    form = get_form(version)
    out = {}
    for key, (sheet, cell) in layout_for(version).addresses.items():
        if key not in form.cells:
            continue
        table = form.cells[key].table
        for prefix in (sheet, table.name, table.key):
            out[f"{prefix}!{cell}"] = key
    return out


def resolve_addresses(version: str, values: dict) -> dict:
    """Values keyed by cell key; A1 addresses translated; the same cell twice is an error."""
    index = _address_index(version)
    out, errors = {}, {}
    for name, value in values.items():
        key = index.get(_canonical(name), name)
        if key in out:
            errors[name] = ["同一个单元格出现了两次（单元格键和地址只能用一种）。"]
        out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


def _canonical(name: str) -> str:
    """``表二!$d$6`` -> ``表二!D6``."""
    if "!" not in name:
        return name
    prefix, cell = name.rsplit("!", 1)
    try:
        row, col = parse_a1(cell)
    except ValueError:
        return name
    return f"{prefix.strip().strip(chr(39))}!{a1(row, col)}"


class ReportInputSchema(ChineseSchema):
    """One year's report as values (used for last year's)."""

    version = fields.String(
        required=True,
        validate=validate.OneOf(sorted(FORMS), error="未知的格式版本，可用：{choices}。"),
        error_messages=MESSAGES,
    )
    values = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        error_messages=MESSAGES,
        metadata={"description": "单元格键或地址 → 数值、文字或 null（各版本的键见组件 Values2021、Values2019）"},
    )
    header = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        error_messages=MESSAGES,
        metadata={"description": "unit 填报单位、year 报告年度、preparer 填报人、phone 联系电话、date 填报日期"},
    )


class ValidateRequestSchema(ReportInputSchema):
    """``POST /api/v1/validate``: one report, optionally last year's and earlier fills."""

    last_year = fields.Nested(ReportInputSchema, allow_none=True, load_default=None, error_messages=MESSAGES)
    autofilled = fields.Dict(keys=fields.String(), values=fields.Float(), load_default=dict, error_messages=MESSAGES)


def load_report_input(data: dict, *, schema: type[Schema] = ValidateRequestSchema) -> dict:
    """Load a request: envelope, then the version's values and header schemas."""
    loaded = schema().load(data)
    loaded["values"] = _load_values(loaded["version"], loaded["values"], "values")
    loaded["header"] = _load_part(header_schema(loaded["version"]), loaded["header"], "header")
    if loaded.get("last_year"):
        last = loaded["last_year"]
        last["values"] = _load_values(last["version"], last["values"], "last_year.values")
        last["header"] = _load_part(header_schema(last["version"]), last["header"], "last_year.header")
    if loaded.get("autofilled"):
        unknown = [key for key in loaded["autofilled"] if key not in get_form(loaded["version"]).cells]
        if unknown:
            raise ValidationError({"autofilled": {key: ["未知的单元格键。"] for key in unknown}})
    return loaded


def _load_values(version: str, values: dict, where: str) -> dict:
    try:
        keyed = resolve_addresses(version, values)
    except ValidationError as error:
        raise ValidationError({where: error.messages}) from error
    return _load_part(values_schema(version), keyed, where)


def _load_part(schema: type[Schema], data: dict, where: str) -> dict:
    try:
        loaded = schema().load(data)
    except ValidationError as error:
        raise ValidationError({where: error.messages}) from error
    return {name.replace("__", "."): value for name, value in loaded.items()}


# Output schemas (for the OpenAPI document; the data comes from Report.to_dict) ----------


class CellRefSchema(Schema):
    """A cell named by a finding."""

    key = fields.String(allow_none=True, metadata={"description": "单元格键"})
    sheet = fields.String(allow_none=True, metadata={"description": "工作表"})
    cell = fields.String(allow_none=True, metadata={"description": "A1 地址"})
    label = fields.String(metadata={"description": "行·列名称"})
    value = fields.Raw(allow_none=True, metadata={"description": "数值或填写的文字"})
    role = fields.String(metadata={"description": "total | part | culprit | blocking | candidate | cell | last_year"})


class FindingSchema(Schema):
    """One finding (see docs/findings.md)."""

    rule = fields.String(metadata={"description": "规则编号"})
    severity = fields.String(metadata={"description": "error | warning | info"})
    status = fields.String(metadata={"description": "failed | undecided | notice"})
    check = fields.String(allow_none=True, metadata={"description": "I1–I4、P1–P11、X1–X5"})
    table = fields.String(allow_none=True)
    sheet = fields.String(allow_none=True)
    cell = fields.String(allow_none=True)
    key = fields.String(allow_none=True)
    message = fields.String(metadata={"description": "中文说明"})
    expected = fields.Raw(allow_none=True)
    actual = fields.Raw(allow_none=True)
    suggestion = fields.Raw(allow_none=True, metadata={"description": "只出现在最可能填错的单元格和可识别的文字上"})
    cells = fields.List(fields.Nested(CellRefSchema))
    alternatives = fields.List(fields.List(fields.Dict()))


class ReportSchema(Schema):
    """The result of one validation (see docs/findings.md)."""

    ok = fields.Boolean()
    version = fields.String()
    year = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    summary = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    findings = fields.List(fields.Nested(FindingSchema))
    filled = fields.Dict(keys=fields.String(), values=fields.Float())
    cleared = fields.List(fields.String())
    values = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    outcomes = fields.Dict(keys=fields.String(), values=fields.Dict())
    truncated = fields.Integer()
    mode = fields.String(metadata={"description": "仅上传工作簿时：template（按模板）或 labels（按标签识别）"})


class ErrorSchema(Schema):
    """The one error shape of every endpoint."""

    ok = fields.Boolean()
    error = fields.String(metadata={"description": "中文错误说明"})
    errors = fields.List(fields.Dict(), metadata={"description": "逐字段的错误：{field, message}"})
    status = fields.Integer()
