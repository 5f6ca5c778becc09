"""marshmallow fields of the JSON API and their Chinese error messages.

Every message a client can receive from request validation is written here
(marshmallow's own English defaults never reach a client).
"""

from __future__ import annotations

import math

from marshmallow import fields
from marshmallow import validate
from werkzeug.datastructures import FileStorage

from ..forms import FORMS
from ..readings import encodable

MESSAGES = {
    "required": "缺少必填字段。",
    "null": "不能为空值。",
    "invalid": "类型不正确。",
    "validator_failed": "取值不正确。",
}
UNKNOWN_FIELD = "未知字段。"
UNKNOWN_CELL = "未知字段：不是本版本表格的单元格键或地址。"
NOT_OBJECT = "应为 JSON 对象。"
NOT_FINITE = "应为有限的数字（不能是 NaN 或无穷大）。"
LARGEST = 2**53 - 1
"""Largest magnitude accepted: beyond it JSON numbers (IEEE doubles) lose whole units."""
TOO_LARGE = f"数字太大（绝对值不能超过 {LARGEST}）。"
UNENCODABLE = "含有无法编码的字符（{char}，常见于复制粘贴时截断的表情符号或特殊文字），请删除该字符后重试。"
_MAX_DEPTH = 64


def unencodable_fields(data: object, path: str = "", depth: int = 0) -> list[dict]:
    """Every field of decoded JSON holding text that is not valid Unicode (a lone surrogate such as ``\\ud800``).

    Such text cannot be stored or sent back as UTF-8, so the request is refused naming the field.
    """
    if depth > _MAX_DEPTH:
        return []
    if isinstance(data, str):
        return [] if encodable(data) else [{"field": path or "_schema", "message": _unencodable(data)}]
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = key if encodable(key) else key.encode("utf-8", "backslashreplace").decode("ascii")
            where = f"{path}.{name}" if path else name
            if not encodable(key):
                found.append({"field": where, "message": _unencodable(key)})
            found.extend(unencodable_fields(value, where, depth + 1))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(unencodable_fields(value, f"{path}[{index}]", depth + 1))
    return found


def _unencodable(text: str) -> str:
    bad = next(ch for ch in text if not encodable(ch))
    return UNENCODABLE.format(char=f"\\u{ord(bad):04x}")


class CellValue(fields.Field):
    """A raw cell value as typed: a number, a text (``37个`` is reported by the engine) or null."""

    default_error_messages = {
        **MESSAGES,
        "invalid": "应为数字、文字或空值。",
        "special": NOT_FINITE,
        "too_large": TOO_LARGE,
    }

    def __init__(self, **kwargs):
        number = {"type": "number", "minimum": -LARGEST, "maximum": LARGEST}
        metadata = {"oneOf": [number, {"type": "string"}], **kwargs.pop("metadata", {})}
        super().__init__(allow_none=True, load_default=None, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("special")
        if isinstance(value, int | float) and abs(value) > LARGEST:
            raise self.make_error("too_large")
        return value


class Members(fields.Dict):
    """A JSON object of text keys and any values, loaded member by member afterwards by a version's schema.

    Only its being an object is checked here: JSON keys are always text and any
    value is allowed, so deserialising every member twice would only cost time.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        return dict(value)


class Number(fields.Float):
    """A finite number (values this validator filled in on an earlier run)."""

    default_error_messages = {
        **MESSAGES,
        "invalid": "应为数字。",
        "special": NOT_FINITE,
        "too_large": TOO_LARGE,
    }

    def _validated(self, value):
        number = super()._validated(value)
        if abs(number) > LARGEST:
            raise self.make_error("too_large")
        return number


class Upload(fields.Field):
    """An uploaded file of a multipart request (an .xlsx workbook)."""

    default_error_messages = {**MESSAGES, "required": "请上传 .xlsx 文件。", "invalid": "应为上传的 .xlsx 文件。"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage) or not value.filename:
            raise self.make_error("invalid")
        return value


def version_field(description: str = "格式版本", **kwargs) -> fields.String:
    """The format version ("2021", "2019"): one of :data:`server.forms.FORMS`."""
    years = "；".join(f"{form.version}：{form.years_text}" for form in FORMS.values())
    return fields.String(
        validate=validate.OneOf(sorted(FORMS), error="未知的格式版本，可用：{choices}。"),
        error_messages={**MESSAGES, "invalid": '应为文字，例如 "2021"。'},
        metadata={"description": f"{description}（{years}）"},
        **kwargs,
    )
