"""JSON API ``/api/v1``: the same validation as every other door, for other systems.

Errors use the one JSON shape of :func:`server.errors.error_body`; request
validation errors are 422 with one ``{"field", "message"}`` per problem.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from marshmallow import ValidationError

from ..errors_web import respond

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


def field_errors(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested messages as a flat list of {field, message}."""
    if isinstance(messages, list):
        return [{"field": prefix or "_schema", "message": str(m)} for m in messages]
    out = []
    for name, inner in messages.items():
        if name == "_schema":  # a problem with the object itself: name the object
            path = prefix or "_schema"
        else:
            path = f"{prefix}.{name}" if prefix else str(name)
        out.extend(field_errors(inner, path))
    return out


def init_app(app: Flask) -> None:
    """Register the API on the app."""
    from . import views  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    errors = field_errors(error.messages)
    return respond(f"请求数据有 {len(errors)} 处问题：{errors[0]['field']}：{errors[0]['message']}", 422, errors)
