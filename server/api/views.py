"""Thin API views: load with marshmallow, call the pipeline, return the report JSON."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import orjson
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
from ..published import is_published
from ..published import validate_published
from ..published.export import DOCX
from ..published.export import export_docx
from ..workbook import validate_grids
from ..workbook.layout import layout_for
from ..xlsx.annotate import annotate
from ..xlsx.annotate import annotated_name
from ..xlsx.annotate import file_stem
from ..xlsx.load import load_grids
from . import bp
from .definitions import form_detail
from .definitions import form_summary
from .fields import unencodable_fields
from .openapi import XLSX
from .openapi import build_spec
from .openapi import operations
from .schemas import load_report_input
from .schemas import load_upload
from .schemas import plain_report_input

_MAY_HOLD_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")
"""Bytes of a JSON body that may decode to a lone surrogate: a ``\\udXXX`` escape, a surrogate written
in UTF-8 (Python's JSON reader lets it through), or a NUL byte (a UTF-16 or UTF-32 body). Bodies
without them (nearly all) are not walked field by field."""


def _may_hold_surrogate(raw: bytes) -> bool:
    """:data:`_MAY_HOLD_SURROGATE` on the body, after byte searches that clear nearly every body at once."""
    if b"\\ud" not in raw and b"\\uD" not in raw and b"\xed" not in raw and b"\x00" not in raw:
        return False
    return _MAY_HOLD_SURROGATE.search(raw) is not None


# Values ------------------------------------------------------------------------------


@bp.post("/validate")
def validate():
    """Validate one report given as values by cell key or A1 address."""
    loaded = _plain_input()
    if loaded is None:
        loaded = load_report_input(_json_body())
    last = _validate(loaded["last_year"]) if loaded["last_year"] else None
    return jsonify(_validate(loaded, last).to_dict())


def _plain_input() -> dict | None:
    """The usual request loaded the short way (:func:`plain_report_input`); None for any other.

    orjson reads the body: what it accepts and the short way takes (an object of objects of text, null and
    numbers within ±2^53-1) it reads exactly as the standard library does, and its texts are valid
    Unicode (it refuses lone surrogates). Anything it refuses or the short way does not take is read and
    loaded again by :func:`_json_body` and :func:`load_report_input`, with their errors and messages.
    """
    if not request.is_json:
        return None
    try:
        data = orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError:
        return None
    return plain_report_input(data)


def _json_body() -> dict:
    if not request.is_json:
        raise ServerError("不支持的内容类型：请以 JSON（application/json）提交。", status=415)
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)  # what request.get_json() does (UTF-8/16/32 detected from the bytes), minus its layers
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than the parser can follow
        raise ServerError("请求内容不是有效的 JSON。", status=400) from error
    if not isinstance(data, dict):
        raise ServerError("请求内容应为 JSON 对象。", status=422)
    bad = unencodable_fields(data) if _may_hold_surrogate(raw) else []
    if bad:
        raise ServerError(
            f"请求数据有 {len(bad)} 处问题：{bad[0]['field']}：{bad[0]['message']}", status=422, errors=bad
        )
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


# Workbooks ---------------------------------------------------------------------------


@bp.post("/workbook")
def workbook():
    """Validate an uploaded .xlsx workbook (multipart field ``file``; optional ``last_year``, ``version``)."""
    _, reading, report = _check_upload(load_upload(request.form.to_dict(), request.files.to_dict()))
    return jsonify({**report.to_dict(), "mode": reading.mode})


@bp.post("/workbook/annotated")
def workbook_annotated():
    """The uploaded workbook annotated with the findings, as .xlsx; ``?as=docx`` (and any published report):
    the validated tables as the published section, in Word."""
    upload = load_upload(request.form.to_dict(), request.files.to_dict())
    data, reading, report = _check_upload(upload)
    if request.args.get("as") == "docx" or is_published(upload["file"].filename or ""):
        name = f"{file_stem(upload['file'].filename or '')}.统计表.docx"
        docx = export_docx(reading.form, report.values, unit=report.unit, year=report.year)
        return Response(docx, mimetype=DOCX, headers={"Content-Disposition": _attachment(name)})
    name = annotated_name(upload["file"].filename or "")
    return Response(annotate(data, reading, report), mimetype=XLSX, headers={"Content-Disposition": _attachment(name)})


def _check_upload(upload: dict):
    """Read and validate the uploaded workbook(s) exactly as the CLI does."""
    previous = None
    if upload["last_year"] is not None:
        last = upload["last_year"]
        previous = _read(last.read(), "last_year", "上年度工作簿无法读取：", name=last.filename or "")[1]
    data = upload["file"].read()
    name = upload["file"].filename or ""
    reading, report = _read(data, "file", version=upload["version"], last_year=previous, name=name)
    return data, reading, report


def _read(data: bytes, field: str, prefix: str = "", name: str = "", **options):
    """validate_grids (or, for a published report, validate_published) on an uploaded file.

    A "cannot proceed" error names the form field.
    """
    try:
        if is_published(name):
            return validate_published(data, name, max_findings=int(current_app.config["MAX_FINDINGS"]), **options)
        return validate_grids(load_grids(data), max_findings=int(current_app.config["MAX_FINDINGS"]), **options)
    except ServerError as error:
        errors = [{"field": field, "message": error.message}]
        raise ServerError(prefix + error.message, status=error.status, errors=errors) from error


def _attachment(name: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = name if re.fullmatch(r"[A-Za-z0-9._ -]+", name) else "checked.xlsx"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


# Forms -------------------------------------------------------------------------------


@bp.get("/forms")
def forms():
    """The known format versions."""
    return jsonify([form_summary(form) for form in FORMS.values()])


@bp.get("/forms/<version>")
def form(version: str):
    """Every cell, header field and identity of a format version."""
    try:
        found = get_form(version)
    except LookupError as error:
        raise ServerError(str(error.args[0]), status=404) from error
    return jsonify(form_detail(found))


# Documentation -----------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    """A readable Chinese page generated from the OpenAPI document."""
    spec = build_spec()
    return render_template("api_docs.html", spec=spec, operations=operations(spec))
