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


def _too_large(app: Flask) -> str:
    """Which limit a 413 hit: the whole request (the file), or one text field or the number of fields of a form."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length  # None when sent in chunks: then only the whole request was counted
    if limit is not None and (length is None or length > limit):
        return f"上传的内容太大（超过 {limit // (1024 * 1024)} MB）。请检查是否选错了文件。"
    from .district.service import MAX_TEXT

    field = app.config.get("MAX_FORM_MEMORY_SIZE") or 0
    parts = app.config.get("MAX_FORM_PARTS") or 0
    return (
        f"表单中的文字太长或项目太多（每项文字最多 {field // 1000} KB，最多 {parts} 项）。"
        f"审核说明和退回原因最多 {MAX_TEXT} 个字，请精简后重新提交。"
    )


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
            message = _too_large(app)
        # Werkzeug's own headers minus its HTML content type: Allow on 405, Retry-After, WWW-Authenticate …
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return (*respond(message, status), headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return respond(HTTP_MESSAGES[500], 500)
