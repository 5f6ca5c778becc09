"""marshmallow input schemas of the JSON API, derived from the form definitions.

The schemas of the cell values, header fields and earlier fills of each
format version are generated from the form (``Schema.from_dict`` over
``form.cells``), so adding a version needs no edit here. Values may also be
keyed by A1 address (``表二 依申请公开!D6``, ``表二!D6`` or ``t2!D6``);
:func:`resolve_addresses` turns those into cell keys before loading. Every
input schema rejects unknown fields.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from math import isfinite

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields

from ..forms import FORMS
from ..forms import get_form
from ..workbook.layout import a1
from ..workbook.layout import layout_for
from ..workbook.layout import parse_a1
from .fields import LARGEST
from .fields import MESSAGES
from .fields import NOT_OBJECT
from .fields import UNKNOWN_CELL
from .fields import UNKNOWN_FIELD
from .fields import CellValue
from .fields import Members
from .fields import Number
from .fields import Upload
from .fields import version_field

SAME_CELL_TWICE = "同一个单元格出现了两次（与“{other}”是同一个单元格；单元格键和地址只能用一种）。"


class InputSchema(Schema):
    """Base of every input schema: unknown fields rejected, Chinese messages."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": UNKNOWN_FIELD, "type": NOT_OBJECT}


class CellsSchema(InputSchema):
    """Base of the per-version cell schemas: an unknown key is not a cell of the version."""

    error_messages = {"unknown": UNKNOWN_CELL, "type": NOT_OBJECT}


# Generated per format version ------------------------------------------------------------


@cache
def values_schema(version: str) -> type[Schema]:
    """The schema of the cell values of a version, one field per cell key."""
    form = get_form(version)
    addresses = layout_for(form.version).addresses
    return CellsSchema.from_dict(
        {
            _attribute(key): CellValue(data_key=key, metadata=_cell_doc(cell, addresses[key]))
            for key, cell in form.cells.items()
        },
        name=f"Values{form.version}",
    )


@cache
def header_schema(version: str) -> type[Schema]:
    """The schema of the header fields (填报单位、报告年度 …) of a version."""
    form = get_form(version)
    return InputSchema.from_dict(
        {f.key: CellValue(metadata={"description": f.label}) for f in form.header_fields}, name=f"Header{form.version}"
    )


@cache
def autofilled_schema(version: str) -> type[Schema]:
    """The schema of the values this validator filled in on an earlier run."""
    form = get_form(version)
    return CellsSchema.from_dict(
        {_attribute(key): Number(data_key=key) for key in form.cells}, name=f"Autofilled{form.version}"
    )


def _attribute(key: str) -> str:
    """marshmallow reads dots in attribute names as nesting; cell keys keep theirs in data_key."""
    return key.replace(".", "__")


def _cell_doc(cell, address: tuple[str, str]) -> dict:
    role = "合计，可留空（自动计算）" if cell.derived else "填报"
    unit = f"，单位：{cell.column.unit}" if cell.column.unit else ""
    return {"description": f"{cell.table.name} {cell.label}（{address[0]}!{address[1]}；{role}{unit}）"}


# A1 addresses ------------------------------------------------------------------------


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
    if values.keys() <= get_form(version).cells.keys():  # keyed by cell key only (the usual case): nothing to translate
        return dict(values)
    index = _address_index(version)
    out, spelled, errors = {}, {}, {}
    for name, value in values.items():
        key = index.get(_canonical(name), name)
        if key in out:
            errors[name] = [SAME_CELL_TWICE.format(other=spelled[key])]
            continue
        out[key], spelled[key] = value, name
    if errors:
        raise ValidationError(errors)
    return out


def _canonical(name: str) -> str:
    """``表二!$d$6`` -> ``表二!D6``; ``'表二 依申请公开'!D6`` -> ``表二 依申请公开!D6``."""
    if "!" not in name:
        return name
    prefix, cell = name.rsplit("!", 1)
    try:
        row, col = parse_a1(cell)
    except ValueError:
        return name
    return f"{prefix.strip().strip(chr(39))}!{a1(row, col)}"


# Requests ----------------------------------------------------------------------------


class ReportInputSchema(InputSchema):
    """One year's report as values (this year's, or last year's for the cross-year rules)."""

    version = version_field(required=True)
    values = Members(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        error_messages={**MESSAGES, "invalid": NOT_OBJECT},
        metadata={
            "description": "单元格键（如 t2.new.c_natural）或地址（如“表二 依申请公开!D6”“表二!D6”“t2!D6”）"
            " → 数字、文字或 null；没有给出的单元格按空白处理。各版本的键见组件 Values2021、Values2019"
        },
    )
    header = Members(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        error_messages={**MESSAGES, "invalid": NOT_OBJECT},
        metadata={
            "description": "基本信息：unit 填报单位、year 报告年度、preparer 填报人、phone 联系电话、date 填报日期"
        },
    )


class ValidateRequestSchema(ReportInputSchema):
    """``POST /api/v1/validate``: one report, optionally last year's and earlier automatic fills."""

    last_year = fields.Nested(
        ReportInputSchema,
        allow_none=True,
        load_default=None,
        error_messages=MESSAGES,
        metadata={"description": "可选：上年度报告，用于跨年校验（上年结转 = 上年结转下年度 等）"},
    )
    autofilled = Members(
        keys=fields.String(),
        values=fields.Raw(),
        load_default=dict,
        error_messages={**MESSAGES, "invalid": NOT_OBJECT},
        metadata={"description": "可选：上次校验时自动填入的值（单元格键 → 数字），再次校验时视为空白重新计算"},
    )


class UploadSchema(InputSchema):
    """``POST /api/v1/workbook`` and ``/workbook/annotated``: multipart/form-data fields."""

    file = Upload(required=True, metadata={"description": "用模板填写的 .xlsx 工作簿"})
    last_year = Upload(load_default=None, metadata={"description": "可选：上年度的工作簿（跨年校验）"})
    version = version_field("可选：指定格式版本，默认自动识别", load_default=None)


@cache
def _schema(schema_class: type[Schema]) -> Schema:
    """One instance per schema class, made on first use.

    Making an instance deep-copies every field (~200 per version), which cost
    more than the validation itself when done on every request; loading keeps
    no state on the instance, so every request and thread shares it.
    """
    return schema_class()


def load_report_input(data: dict) -> dict:
    """Load a validate request: the envelope, then the version's values, header and fills."""
    loaded = _schema(ValidateRequestSchema).load(data)
    _load_report(loaded, "")
    if loaded["last_year"]:
        _load_report(loaded["last_year"], "last_year.")
    if loaded["autofilled"]:  # usually empty: no need to walk the version's ~200 fields
        loaded["autofilled"] = _load_part(autofilled_schema(loaded["version"]), loaded["autofilled"], "autofilled")
    return loaded


_ENVELOPE = frozenset(("version", "values", "header", "last_year", "autofilled"))
_ABSENT = object()


def plain_report_input(data: object) -> dict | None:
    """What :func:`load_report_input` returns for ``data``, for the usual request; None for any other.

    The usual request: a known version, values keyed by cell key and header fields by name, each value
    one :class:`CellValue` returns as it is (:func:`_plain`), no last year (or null) and no earlier fills
    (or ``{}``). That is loaded in one look at each value, without marshmallow. Everything else (an
    address, a value to check or refuse, an unknown or missing field, last year's report, earlier fills)
    gives None: :func:`load_report_input` then loads it, or refuses it with its messages.
    """
    if type(data) is not dict or not data.keys() <= _ENVELOPE:
        return None
    version, values, header = data.get("version"), data.get("values"), data.get("header", _ABSENT)
    if type(version) is not str or version not in FORMS or type(values) is not dict:
        return None
    if header is _ABSENT:
        header = {}
    elif type(header) is not dict:
        return None
    if data.get("last_year") is not None or data.get("autofilled", _ABSENT) not in (_ABSENT, {}):
        return None
    cells = get_form(version).cells
    fields = _header_keys(version)
    if not (values.keys() <= cells.keys() and header.keys() <= fields.keys()):
        return None
    if not (_all_plain(values.values()) and all(map(_plain, header.values()))):
        return None
    return {
        "version": version,
        "values": _every_cell(version, values),
        "header": {**fields, **header} if header else dict(fields),
        "last_year": None,
        "autofilled": {},
    }


@cache
def _header_keys(version: str) -> dict[str, None]:
    """The header fields of a version as :func:`header_schema` loads them, each None (shared: copy, never change)."""
    return dict.fromkeys(name.replace("__", ".") for name in _schema(header_schema(version)).load_fields)


def load_upload(form: dict, files: dict) -> dict:
    """Load the fields of a workbook upload (files win over text fields of the same name)."""
    return _schema(UploadSchema).load({**form, **files})


def _load_report(report: dict, where: str) -> None:
    version = report["version"]
    try:
        keyed = resolve_addresses(version, report["values"])
    except ValidationError as error:
        raise ValidationError({f"{where}values": error.messages}) from error
    report["values"] = _load_values(version, keyed, f"{where}values")
    report["header"] = _load_part(header_schema(version), report["header"], f"{where}header")


def _load_values(version: str, data: dict, where: str) -> dict:
    """Exactly what :func:`values_schema` loads (same values, same messages), in one pass.

    The schema has a field per cell (~200); walking them through marshmallow
    for every request cost half as much as the validation itself. Each value
    still goes through the :class:`CellValue` field the schema uses.
    """
    cells = get_form(version).cells
    if data.keys() <= cells.keys() and _all_plain(data.values()):
        return _every_cell(version, data)  # every value is one CellValue returns unchanged: no walk field by field
    return _load_each(cells, data, where)


def _every_cell(version: str, values: dict) -> dict:
    """``values`` (keyed by cell keys of the version) with every other cell None, in the form's order,
    as the values schema loads them (a new dict)."""
    out = _blank(version).copy()
    out.update(values)
    return out


@cache
def _blank(version: str) -> dict[str, None]:
    """Every cell of a version, None (shared: copied, never changed)."""
    return dict.fromkeys(get_form(version).cells)


def _load_each(cells: dict, data: dict, where: str) -> dict:
    """:func:`_load_values` value by value through :class:`CellValue` (a value it may refuse, or an unknown key)."""
    out = dict.fromkeys(cells)
    field = _cell_value()
    errors = {}
    for key, value in data.items():
        if key not in cells:
            errors[key] = [UNKNOWN_CELL]
            continue
        try:  # Field.deserialize without its generic steps: CellValue allows null and has no validators
            out[key] = None if value is None else field._deserialize(value, key, data)
        except ValidationError as error:
            errors[key] = error.messages
    if errors:
        raise ValidationError({where: errors})
    return out


def _plain(value) -> bool:
    """A value :class:`CellValue` accepts and returns as it is without any check that could fail:
    null, text, or a number within ±2^53-1 (NaN and the infinities fail both comparisons; ``bool`` is not ``int``)."""
    return (
        value is None
        or type(value) is str
        or ((type(value) is int or type(value) is float) and -LARGEST <= value <= LARGEST)
    )


_NUMBER = frozenset((int, float))


def _all_plain(values: Collection) -> bool:
    """``all(map(_plain, values))``; values that are all numbers (the usual report) are checked at C speed.

    ``min`` and ``max`` give either NaN (refused) or the exact extremes of the values that are not NaN,
    so passing them puts every other value within ±2^53-1, where the sum of up to millions of them is
    finite: a NaN is then what makes the sum not finite.
    """
    kinds = set(map(type, values))
    if values and kinds <= _NUMBER:
        return -LARGEST <= min(values) and max(values) <= LARGEST and (float not in kinds or isfinite(sum(values)))
    return all(map(_plain, values))


@cache
def _cell_value() -> CellValue:
    return CellValue()


def _load_part(schema: type[Schema], data: dict, where: str) -> dict:
    try:
        loaded = _schema(schema).load(data)
    except ValidationError as error:
        raise ValidationError({where: error.messages}) from error
    return {name.replace("__", "."): value for name, value in loaded.items()}
