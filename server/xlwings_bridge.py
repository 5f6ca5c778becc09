"""The xlwings endpoint of the Excel add-in: the 校验 button's server side.

The add-in's VBA calls xlwings' ``RunServerPython`` with the workbook's
report sheets; this view opens the payload with ``xw.Book(json=...)``, runs
the one pipeline and answers with xlwings actions (:mod:`server.xlwings_book`).
Everything the clerk can get wrong comes back as a Chinese message box with
status 200, so Excel shows it properly; never a traceback.

The xlwings server engine needs a licence key: ``XLWINGS_LICENSE_KEY``
(default ``noncommercial``, which covers government institutions; see the
README).
"""

from __future__ import annotations

import os

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from .errors import ServerError
from .workbook import validate_grids
from .xlwings_book import alert_only
from .xlwings_book import apply_report
from .xlwings_book import payload_grids
from .xlwings_book import uploaded_file

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

bp = Blueprint("xlwings", __name__, url_prefix="/xlwings")
INTERNAL_ERROR = (
    "校验服务出现内部错误，这次没能完成校验。请稍后重试；如果问题持续，请改用网页上传校验，并联系区政务公开办。"
)


def _payload() -> dict:
    """The xlwings payload of the request, or a plain-text 400 for anything else."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("sheets"), list) or "book" not in payload:
        raise ServerError(
            "这不是 Excel 加载项发来的校验请求。请在 Excel 中点击“信息公开年报”选项卡的“校验”按钮。", status=400
        )
    return payload


def open_book(payload: dict):
    """``xw.Book(json=payload)``, or a message box answer when xlwings refuses it."""
    import xlwings as xw

    try:
        return xw.Book(json=payload), None
    except Exception as error:  # xlwings raises its own errors for version or licence problems
        current_app.logger.warning("xlwings refused the payload: %s", error)
        return None, alert_only(_xlwings_problem(payload, error))


def _xlwings_problem(payload: dict, error: Exception) -> str:
    import xlwings as xw

    client = payload.get("version")
    if client and client != xw.__version__:
        return (
            f"Excel 加载项的 xlwings 版本（{client}）与校验服务（{xw.__version__}）不一致，无法校验。"
            "请向区政务公开办索取与服务配套的“信息公开年报”加载项重新安装。"
        )
    return f"校验服务无法读取这个工作簿（{error}）。请改用网页上传或命令行校验，并联系区政务公开办。"


@bp.post("/validate")
def validate():
    """One click on 校验: validate the workbook and answer with actions."""
    try:
        payload = _payload()
    except ServerError as error:
        return Response(error.message, status=error.status, mimetype="text/plain; charset=utf-8")
    book, problem = open_book(payload)
    if problem is not None:
        return jsonify(problem)
    try:
        reading, report = validate_grids(payload_grids(payload), max_findings=int(current_app.config["MAX_FINDINGS"]))
        apply_report(book, reading, report, request.headers.get("X-JCNB-Addin"))
        return jsonify(book.json())
    except ServerError as error:
        return jsonify(alert_only(error.message))
    except Exception:  # the clerk gets a message box, the log gets the traceback
        current_app.logger.exception("xlwings validate failed")
        return jsonify(alert_only(INTERNAL_ERROR))


# 提交 ----------------------------------------------------------------------------------------

NEED_TOKEN = (
    "提交需要本单位的加载项令牌。请点击“信息公开年报”选项卡中的“令牌”，粘贴区政务公开办发给本单位的令牌后再提交。"
    "（令牌丢失时请联系区政务公开办重新生成。）"
)
OLD_ADDIN = "这个加载项版本不支持提交，请向区政务公开办索取最新的“信息公开年报”加载项。"
_PROMPT_LIMIT = 900


@bp.post("/submit")
def submit():
    """One click on 提交: check the workbook, mark it like 校验, and submit it for the unit."""
    from .district.db import get_session
    from .district.service import account_for_token

    try:
        payload = _payload()
    except ServerError as error:
        return Response(error.message, status=error.status, mimetype="text/plain; charset=utf-8")
    session = get_session()
    account = account_for_token(session, request.headers.get("Authorization"))
    if account is None or account.unit is None:
        return jsonify(alert_only(NEED_TOKEN))
    upload = uploaded_file(payload)
    if upload is None:
        return jsonify(alert_only(OLD_ADDIN))
    book, problem = open_book(payload)
    if problem is not None:
        return jsonify(problem)
    try:
        return jsonify(_submit(session, account, book, upload))
    except ServerError as error:
        return jsonify(alert_only(error.message))
    except Exception:  # the clerk gets a message box, the log gets the traceback
        current_app.logger.exception("xlwings submit failed")
        return jsonify(alert_only(INTERNAL_ERROR))


def _submit(session, account, book, upload: tuple[bytes, str, str]) -> dict:
    from .district import service
    from .errors import SubmissionRejected

    data, filename, explanation = upload
    reading, report = service.check_workbook(
        session, account.unit, data, max_findings=int(current_app.config["MAX_FINDINGS"])
    )
    actions = apply_report(book, reading, report, request.headers.get("X-JCNB-Addin"), alert=False)
    try:
        submission = service.submit(
            session, account, data, filename, explanation, "excel", max_findings=int(current_app.config["MAX_FINDINGS"])
        )
    except SubmissionRejected as refused:
        if report.ok and report.counts["warning"] and len(explanation.strip()) < service.MIN_EXPLANATION:
            actions.macro("JCNB_AskExplanation", _ask(report))
        else:
            book.app.alert(f"不能提交：{refused.message}", title="信息公开年报提交", buttons="ok", mode="critical")
        return book.json()
    text = f"已提交 {submission.year} 年度报告（第 {submission.version_no} 版）。区政务公开办可以在“提交情况”中看到。"
    book.app.alert(text, title="信息公开年报提交", buttons="ok", mode="info")
    return book.json()


def _ask(report) -> str:
    """The InputBox prompt asking for the explanation of the warnings."""
    lines = [f"有 {report.counts['warning']} 处提示，需要填写审核说明后才能提交。请逐项说明原因（至少 5 个字）："]
    for finding in report.findings:
        if finding.severity == "warning":
            lines.append(f"· {finding.cell or ''} {finding.message}")
    return "\n".join(lines)[:_PROMPT_LIMIT]
