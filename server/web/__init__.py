"""Human pages: the home page, template downloads and (later) the upload page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")

from . import views  # noqa: E402,F401  (registers the routes)
