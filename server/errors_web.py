"""One error contract for every door of the web app.

JSON requests (the API, the xlwings endpoint, anything asking for JSON) get
``{"ok": false, "error": "…", "errors": [...], "status": n}``; pages get the
same message in error.html. Nobody sees a traceback: unexpected exceptions
are logged and answered with a Chinese 500 message.
"""

from __future__ import annotations

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from .errors import ServerError
from .errors import error_body

HTTP_MESSAGES = {
    400: "请求格式不正确。",
    401: "请先登录。",
    403: "没有权限执行这个操作。",
    404: "找不到这个页面或资源。",
    405: "不支持这种请求方式。",
    413: "上传的文件太大。",
    415: "不支持的内容类型：请以 JSON（application/json）提交。",
    422: "提交的数据无法处理。",
    500: "服务器内部错误，请稍后重试；如果问题持续，请联系区政务公开办。",
}


def wants_json() -> bool:
    """Whether the current request should get a JSON error body."""
    if request.path.startswith(("/api/", "/xlwings/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def respond(message: str, status: int, errors: list | None = None):
    """The error response for the current request."""
    if wants_json():
        return jsonify(error_body(message, status, errors)), status
    return render_template("error.html", message=message, status=status, errors=errors or []), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(ServerError)
    def _server_error(error: ServerError):
        return respond(error.message, error.status, error.errors)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, error.description or "请求失败。")
        if status == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = f"上传的内容太大（超过 {limit} MB）。"
        return respond(message, status)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return respond(HTTP_MESSAGES[500], 500)
