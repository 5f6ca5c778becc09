"""Thin API views: load with marshmallow, call the pipeline, return the report JSON."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request

from ..errors import ServerError
from ..findings import Report
from ..forms import FORMS
from ..forms import get_form
from ..pipeline import validate_values
from ..workbook import validate_grids
from ..workbook.layout import layout_for
from ..xlsx.annotate import annotate
from ..xlsx.load import load_grids
from . import bp
from .openapi import build_spec
from .schemas import load_report_input

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json_body() -> dict:
    if not request.is_json:
        raise ServerError("不支持的内容类型：请以 JSON（application/json）提交。", status=415)
    data = request.get_json(silent=True)
    if data is None:
        raise ServerError("请求内容不是有效的 JSON。", status=400)
    if not isinstance(data, dict):
        raise ServerError("请求内容应为 JSON 对象。", status=422)
    return data


def _validate(loaded: dict, last_year: Report | None = None) -> Report:
    version = loaded["version"]
    return validate_values(
        version,
        loaded["values"],
        header=loaded["header"],
        addresses=layout_for(version).addresses,
        last_year=last_year,
        autofilled=loaded.get("autofilled") or {},
        max_findings=int(current_app.config["MAX_FINDINGS"]),
    )


@bp.post("/validate")
def validate():
    """Validate one report given as values by cell key or A1 address."""
    loaded = load_report_input(_json_body())
    last = _validate(loaded["last_year"]) if loaded.get("last_year") else None
    return jsonify(_validate(loaded, last).to_dict())


def _upload(name: str, required: bool = True) -> bytes | None:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        if required:
            raise ServerError(f"请上传 .xlsx 文件（表单字段 {name}）。", status=422)
        return None
    return upload.read()


def _check_upload():
    data = _upload("file")
    last_bytes = _upload("last_year", required=False)
    last = validate_grids(load_grids(last_bytes))[1] if last_bytes else None
    reading, report = validate_grids(load_grids(data), last_year=last)
    return data, reading, report


@bp.post("/workbook")
def workbook():
    """Validate an uploaded .xlsx workbook (multipart field ``file``; optional ``last_year``)."""
    _, reading, report = _check_upload()
    return jsonify({**report.to_dict(), "mode": reading.mode})


@bp.post("/workbook/annotated")
def workbook_annotated():
    """The uploaded workbook annotated with the findings, as .xlsx."""
    data, reading, report = _check_upload()
    stem = Path(request.files["file"].filename).stem or "workbook"
    name = f"{stem}.checked.xlsx"
    headers = {"Content-Disposition": f"attachment; filename=\"checked.xlsx\"; filename*=UTF-8''{quote(name)}"}
    return Response(annotate(data, reading, report), mimetype=XLSX, headers=headers)


@bp.get("/forms")
def forms():
    """The known format versions."""
    return jsonify([_form_summary(form) for form in FORMS.values()])


def _form_summary(form) -> dict:
    return {
        "version": form.version,
        "name": form.name,
        "basis": form.basis,
        "first_year": form.first_year,
        "last_year": form.last_year,
    }


@bp.get("/forms/<version>")
def form_detail(version: str):
    """Every cell, header field and identity of a format version."""
    form = _known_form(version)
    addresses = layout_for(form.version).addresses
    cells = [
        {
            "key": key,
            "table": cell.table.key,
            "label": cell.label,
            "domain": cell.domain.value,
            "unit": cell.column.unit,
            "derived": cell.derived,
            "sheet": addresses[key][0],
            "cell": addresses[key][1],
        }
        for key, cell in form.cells.items()
    ]
    header = [
        {"key": f.key, "label": f.label, "required": f.required, "cell": addresses[f"header.{f.key}"][1]}
        for f in form.header_fields
    ]
    identities = [
        {"id": i.id, "check": i.name, "rule": i.rule, "label": i.label, "left": i.left, "right": i.right}
        for i in form.identities
    ]
    return jsonify({**_form_summary(form), "cells": cells, "header": header, "identities": identities})


def _known_form(version: str):
    try:
        return get_form(version)
    except LookupError as error:
        raise ServerError(str(error.args[0]), status=404) from error


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    """A readable Chinese page generated from the OpenAPI document."""
    return render_template("api_docs.html", spec=build_spec())
