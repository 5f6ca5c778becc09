"""Thin views of the human pages."""

from __future__ import annotations

from flask import current_app
from flask import render_template

from ..forms import FORMS
from . import bp


@bp.get("/")
def index():
    """Home page: what this service is and how to use it."""
    forms = sorted(FORMS.values(), key=lambda form: form.first_year, reverse=True)
    return render_template("index.html", forms=forms, district=current_app.config["DISTRICT_NAME"])
