"""The OpenAPI 3 document of the JSON API, built with apispec from the marshmallow schemas."""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..forms import FORMS
from .schemas import ErrorSchema
from .schemas import FindingSchema
from .schemas import ReportSchema
from .schemas import ValidateRequestSchema
from .schemas import header_schema
from .schemas import values_schema

_ERRORS = {
    "400": "请求内容不是有效的 JSON",
    "413": "请求内容超过大小上限",
    "415": "内容类型不是 application/json",
    "422": "请求数据有问题（逐字段列在 errors 中），或工作簿无法读取",
}


def _error_responses(*codes: str) -> dict:
    return {
        code: {"description": _ERRORS[code], "content": {"application/json": {"schema": "Error"}}} for code in codes
    }


def _report_response(description: str) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": "Report"}}}}


def _upload_body() -> dict:
    properties = {
        "file": {"type": "string", "format": "binary", "description": "用模板填写的 .xlsx 工作簿"},
        "last_year": {"type": "string", "format": "binary", "description": "可选：上年度的工作簿（跨年校验）"},
    }
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


@cache
def build_spec() -> dict:
    """The OpenAPI document as a dict."""
    spec = APISpec(
        title="政府信息公开工作年度报告 统计表校验 API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "与命令行、网页、Excel 加载项使用同一个校验流程。结果格式见 docs/findings.md。"},
    )
    for name, schema in (
        ("Finding", FindingSchema),
        ("Report", ReportSchema),
        ("Error", ErrorSchema),
        ("ValidateRequest", ValidateRequestSchema),
    ):
        spec.components.schema(name, schema=schema)
    for version in FORMS:
        spec.components.schema(f"Values{version}", schema=values_schema(version))
        spec.components.schema(f"Header{version}", schema=header_schema(version))
    _paths(spec)
    return spec.to_dict()


def _paths(spec: APISpec) -> None:
    values_note = "values 的键为单元格键（见 GET /api/v1/forms/{version}，对应组件 Values2021 / Values2019），也可以用地址“表二 依申请公开!D6”“表二!D6”“t2!D6”。"
    spec.path(
        path="/api/v1/validate",
        operations={
            "post": {
                "summary": "校验一份报告（按单元格键或地址给出数值）",
                "description": values_note,
                "requestBody": {"required": True, "content": {"application/json": {"schema": "ValidateRequest"}}},
                "responses": {**_report_response("校验结果"), **_error_responses("400", "413", "415", "422")},
            }
        },
    )
    spec.path(
        path="/api/v1/workbook",
        operations={
            "post": {
                "summary": "校验上传的工作簿",
                "requestBody": _upload_body(),
                "responses": {**_report_response("校验结果"), **_error_responses("413", "422")},
            }
        },
    )
    annotated = {
        "200": {
            "description": "标注后的工作簿",
            "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
        }
    }
    spec.path(
        path="/api/v1/workbook/annotated",
        operations={
            "post": {
                "summary": "下载标注后的工作簿（标红、标黄、校验结果表、合计填入）",
                "requestBody": _upload_body(),
                "responses": {**annotated, **_error_responses("413", "422")},
            }
        },
    )
    spec.path(
        path="/api/v1/forms",
        operations={
            "get": {"summary": "格式版本列表", "responses": {"200": {"description": "版本、名称、依据、适用年度"}}}
        },
    )
    spec.path(
        path="/api/v1/forms/{version}",
        operations={
            "get": {
                "summary": "一个格式版本的全部单元格键、基本信息字段和勾稽关系",
                "parameters": [
                    {
                        "name": "version",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": sorted(FORMS)},
                    }
                ],
                "responses": {
                    "200": {"description": "单元格定义"},
                    "404": {"description": "未知版本", "content": {"application/json": {"schema": "Error"}}},
                },
            }
        },
    )
