"""The OpenAPI 3 document of the JSON API, built with apispec from the marshmallow schemas.

The docs page (``/api/v1/docs``) is rendered from this document by
:func:`operations`, so the page and the document cannot disagree.
"""

from __future__ import annotations

import json
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..forms import FORMS
from ..published.export import DOCX
from . import responses
from . import schemas
from .fields import Upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE = {
    "version": "2021",
    "header": {"unit": "某某街道办事处", "year": 2025, "date": "2026-01-15"},
    "values": {"t2.new.c_natural": 5, "t2.open.c_natural": 3, "表二!D9": 2, "表一 主动公开!B16": "25.1万元"},
}
_ERRORS = {
    "400": "请求内容不是有效的 JSON",
    "404": "格式版本不存在",
    "413": "请求内容超过大小上限（MAX_CONTENT_LENGTH）",
    "415": "内容类型不是 application/json",
    "422": "请求数据有问题（逐字段列在 errors 中）、未知版本、未上传文件或文件不是 .xlsx 工作簿",
}
_COMPONENTS = {
    "Finding": responses.FindingSchema,
    "Report": responses.ReportSchema,
    "Error": responses.ErrorSchema,
    "FormSummary": responses.FormSummarySchema,
    "FormDetail": responses.FormDetailSchema,
    "ValidateRequest": schemas.ValidateRequestSchema,
    "Upload": schemas.UploadSchema,
}


@cache
def build_spec() -> dict:
    """The OpenAPI document as a dict."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="政府信息公开工作年度报告 统计表校验 API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": "与命令行、网页、Excel 加载项使用同一个校验流程，结果完全一致。结果格式见 docs/findings.md。"
        },
    )
    plugin.map_to_openapi_type(Upload, "string", "binary")
    for name, schema in _COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    for version in FORMS:
        spec.components.schema(f"Values{version}", schema=schemas.values_schema(version))
        spec.components.schema(f"Header{version}", schema=schemas.header_schema(version))
    for path, operation in _operations().items():
        spec.path(path=path, operations=operation)
    return spec.to_dict()


def _operations() -> dict:
    upload = {"required": True, "content": {"multipart/form-data": {"schema": "Upload"}}}
    annotated = {
        "description": "标注后的工作簿（.checked.xlsx）；已发布的年报或 ?as=docx 时为三张表的 Word 文件（.统计表.docx）",
        "content": {XLSX: {}, DOCX: {}},
    }
    version = {"name": "version", "in": "path", "required": True, "schema": {"type": "string", "enum": sorted(FORMS)}}
    return {
        "/api/v1/validate": {
            "post": {
                "summary": "校验一份报告（按单元格键或地址给出数值）",
                "description": "values 的键为单元格键（见 GET /api/v1/forms/{version}），也可以用地址“表二 依申请公开!D6”“表二!D6”“t2!D6”。同一个单元格只能出现一次。",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "ValidateRequest", "example": EXAMPLE}},
                },
                "responses": {**_ok("校验结果", "Report"), **_errors("400", "413", "415", "422")},
            }
        },
        "/api/v1/workbook": {
            "post": {
                "summary": "校验上传的工作簿或已发布的年报（.pdf .html .docx .txt）",
                "requestBody": upload,
                "responses": {**_ok("校验结果（另有 mode）", "Report"), **_errors("413", "422")},
            }
        },
        "/api/v1/workbook/annotated": {
            "post": {
                "summary": "下载标注后的工作簿（标红、标黄、校验结果表、合计填入）",
                "requestBody": upload,
                "responses": {"200": annotated, **_errors("413", "422")},
            }
        },
        "/api/v1/forms": {
            "get": {
                "summary": "格式版本列表",
                "responses": _ok("版本、名称、依据、适用年度", {"type": "array", "items": "FormSummary"}),
            }
        },
        "/api/v1/forms/{version}": {
            "get": {
                "summary": "一个格式版本的全部单元格键、基本信息字段和勾稽关系",
                "parameters": [version],
                "responses": {**_ok("单元格定义", "FormDetail"), **_errors("404")},
            }
        },
    }


def _ok(description: str, schema) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _errors(*codes: str) -> dict:
    return {
        code: {"description": _ERRORS[code], "content": {"application/json": {"schema": "Error"}}} for code in codes
    }


# The docs page -----------------------------------------------------------------------


def operations(spec: dict) -> list[dict]:
    """Every operation of the document with its request fields resolved, for the docs page."""
    out = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    **op,
                    "fields": _request_fields(spec, op),
                    "example": _example(op),
                }
            )
    return out


def _example(op: dict) -> str | None:
    """The JSON request example as readable text (Chinese not escaped)."""
    example = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
    return None if example is None else json.dumps(example, ensure_ascii=False, indent=2)


def _request_fields(spec: dict, op: dict) -> list[dict]:
    """(name, type, required, description) of the request body or path parameters."""
    rows = [
        {"name": p["name"], "type": _type_text(p["schema"]), "required": True, "description": "路径参数"}
        for p in op.get("parameters", [])
    ]
    for media in op.get("requestBody", {}).get("content", {}).values():
        schema = _resolve(spec, media["schema"])
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            described = _resolve(spec, prop)
            rows.append(
                {
                    "name": name,
                    "type": _type_text(described),
                    "required": name in required,
                    "description": prop.get("description") or described.get("description", ""),
                }
            )
    return rows


def _resolve(spec: dict, schema: dict) -> dict:
    if "anyOf" in schema:
        schema = schema["anyOf"][0]
    ref = schema.get("$ref", "")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _type_text(schema: dict) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("format") == "binary":
        return "文件"
    return {"object": "对象", "string": "文字", "number": "数字", "integer": "整数"}.get(schema.get("type"), "任意")
