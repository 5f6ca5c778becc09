"""Thin views of the human pages: home, the upload check page, template downloads."""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Response
from flask import current_app
from flask import render_template

from ..errors import NotFound
from ..forms import FORMS
from ..xlsx.template import write_template
from . import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forms():
    return sorted(FORMS.values(), key=lambda form: form.first_year, reverse=True)


@bp.get("/")
def index():
    """Home page: what this service is and how to use it."""
    return render_template("index.html", forms=_forms(), district=current_app.config["DISTRICT_NAME"])


@bp.get("/check")
def check():
    """The upload page: check workbooks in the browser (no macros needed), download them annotated."""
    return render_template(
        "check.html", forms=_forms(), max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    )


@bp.get("/templates/<version>.xlsx")
def template(version: str):
    """A blank template of a format version."""
    if version not in FORMS:
        raise NotFound(f"没有 {version} 年版的模板。")
    out = io.BytesIO()
    write_template(version, out)
    name = f"政府信息公开工作年度报告统计表（{version}年版）.xlsx"
    disposition = f"attachment; filename=\"template-{version}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(out.getvalue(), mimetype=XLSX, headers={"Content-Disposition": disposition})
