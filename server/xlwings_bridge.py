"""The xlwings endpoint of the Excel add-in: the server side of the 校验 and 提交 buttons.

The add-in's VBA calls xlwings' ``RunServerPython`` with the workbook's
report sheets; :func:`validate` opens the payload as ``xw.Book(json=...)`` would
(:class:`~server.xlwings_book.PayloadBook`), runs the one pipeline and answers with xlwings actions
(:mod:`server.xlwings_book`). Everything the clerk can get wrong comes back
as a Chinese message box with status 200, so Excel shows it properly; never
a traceback. When the clerk changes the address (设置), the add-in asks
:func:`ping` whether the validator answers there (see addin/src/JCNB.bas).

The xlwings server engine needs a licence key: ``XLWINGS_LICENSE_KEY``
(default ``noncommercial``, which covers government institutions; see the
README). It is set here too, so importing this module before
``create_app`` works.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import contextmanager
from functools import cache

import orjson
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from .config import DEFAULTS
from .errors import ServerError
from .workbook import validate_grids
from .workbook.grid import Grid
from .xlwings_book import UPLOAD_SHEET
from .xlwings_book import PayloadBook
from .xlwings_book import alert_only
from .xlwings_book import apply_report
from .xlwings_book import show_alert
from .xlwings_book import uploaded_file
from .xlwings_payload import DATE_LENGTH
from .xlwings_payload import PayloadRefused
from .xlwings_payload import checked_payload
from .xlwings_payload import checked_rows

os.environ.setdefault("XLWINGS_LICENSE_KEY", str(DEFAULTS["XLWINGS_LICENSE_KEY"]))

bp = Blueprint("xlwings", __name__, url_prefix="/xlwings")

ADDIN_HEADER = "X-JCNB-Addin"
"""The add-in's file name, as hex UTF-16 code units (HTTP headers carry ASCII only), so the
server can call its macros as ``'信息公开年报.xlam'!JCNB_…``."""
PING_ANSWER = "jcnb-validator"
"""First word of the answer to GET /xlwings/ping; the add-in checks it when the clerk sets the address."""
UNSENDABLE = (
    "工作簿中有 Excel 加载项无法传送的内容，校验服务收到的数据不完整：常见的是 #SPILL!、#CALC! 等新式错误值，"
    "或由 16 位以上的数字、小数点和字母 E 组成的文字。请改正统计表中显示错误的单元格后再校验；"
    "也可以在浏览器中打开校验网页上传本文件。"
)
INTERNAL_ERROR = (
    "校验服务出现内部错误，这次没能完成校验。请稍后重试；如果问题持续，请改用网页上传校验，并联系区政务公开办。"
)
REQUEST_TOO_LARGE = (
    "工作簿太大（发送的数据超过 {limit}），校验服务不接收。请删去统计表以外的工作表、图片和大量数据后再试，"
    "或联系区政务公开办。"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z")
_HEX_NAME = re.compile(r"(?:[0-9A-Fa-f]{4})+")


# Request -----------------------------------------------------------------------------------


def _payload(check=checked_payload):
    """The request's xlwings payload, ``check``-ed (:mod:`server.xlwings_payload`)."""
    payload, valid_text = _request_json()
    if payload is None and _from_addin():
        raise PayloadRefused(UNSENDABLE)
    return check(payload, valid_text=valid_text)


_DIGIT_MASK = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
"""``bytes.translate`` table: every digit to ``0``, every other byte to a space."""
_LONG_DIGITS = b"0" * 19
"""19 digits in a row: maybe a whole number beyond 64 bits, which orjson reads as a float."""


def _request_json() -> tuple[object, bool]:
    """What ``request.get_json(silent=True)`` gives, and whether every text in it is valid Unicode.

    orjson reads the body where it gives exactly the standard library's value (three times faster on a
    click's payload); everything it refuses — a lone surrogate, NaN, a number beyond a double, a byte
    order mark, UTF-16, broken JSON — and a body holding 19 digits in a row (orjson reads a whole number
    beyond 64 bits as a float) are read by the standard library, as Flask reads them (a body nested too
    deep for it is no payload, not an internal error). What orjson accepted holds no lone surrogate, so
    its texts need no further check.
    """
    if not request.is_json:
        return None, False
    data = request.get_data(cache=True)
    if _LONG_DIGITS not in data.translate(_DIGIT_MASK):
        try:
            return orjson.loads(data), True
        except orjson.JSONDecodeError:
            pass
    try:
        return request.get_json(silent=True), False
    except RecursionError:  # nested deeper than the standard library reads: no payload at all
        return None, False


def _from_addin() -> bool:
    return bool(request.headers.get(ADDIN_HEADER))


def addin_name(header: str | None) -> str | None:
    """The add-in's file name from its header: hex UTF-16 as the VBA sends it, or plain ASCII."""
    if not header:
        return None
    if _HEX_NAME.fullmatch(header):
        try:
            return bytes.fromhex(header).decode("utf-16-be")
        except UnicodeDecodeError:
            return None
    return header if header.isascii() and header.isprintable() else None


def _checked_grids(payload, *, valid_text: bool = False) -> tuple[dict, list[Grid]]:
    """The payload checked, and its report sheets as grids (Excel dates back as datetimes, as openpyxl reads
    them; the 提交 door's ``_upload`` sheet left out), in one pass over the cells (``valid_text``: every text
    is known to be valid Unicode)."""
    rows = checked_rows(payload, _date, valid_text=valid_text)
    sheets = payload["sheets"]
    grids = [
        Grid(sheet["name"], lines or [])
        for sheet, lines in zip(sheets, rows, strict=True)
        if sheet["name"] != UPLOAD_SHEET
    ]
    return payload, grids


def _date(text: str) -> dt.datetime | None:
    """A date as Remote.bas sends it (``2026-01-15T00:00:00.000Z``) as a datetime; None for other text."""
    if len(text) == DATE_LENGTH and text[-1] == "Z" and _ISO_DATE.fullmatch(text):
        try:
            return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000Z")
        except ValueError:  # text typed to look like one (2026-13-45…): Excel sends real dates only
            return None
    return None


@contextmanager
def opened_book(payload: dict):
    """The request's book (:class:`~server.xlwings_book.PayloadBook`: what ``xw.Book(json=payload)``
    gives, built without xlwings' objects), refused as ``xw.Book`` refuses it: an add-in of another
    xlwings version, or an xlwings without its remote engine (no valid licence key)."""
    import xlwings as xw

    problem = None
    if not _remote_engine():
        problem = "xlwings has no remote engine (licence key?)"
    elif payload["version"] != xw.__version__ and payload.get("client") != "Office.js":
        problem = (
            f"Your xlwings version is different on the client ({payload['version']}) and server ({xw.__version__})."
        )
    if problem:
        current_app.logger.warning("xlwings refused the payload: %s", problem)
        raise PayloadRefused(_xlwings_problem(payload))
    yield PayloadBook(payload)


@cache
def _remote_engine() -> bool:
    """Whether xlwings could open a payload at all (its remote engine loads only with a valid licence key)."""
    import xlwings as xw

    return any(engine.name == "remote" for engine in xw.engines)


def _xlwings_problem(payload: dict) -> str:
    import xlwings as xw

    client = payload.get("version")
    if client and client != xw.__version__:
        return (
            f"Excel 加载项的 xlwings 版本（{client}）与校验服务（{xw.__version__}）不一致，无法校验。"
            "请向区政务公开办索取与服务配套的“信息公开年报”加载项重新安装。"
        )
    return "校验服务无法读取这个工作簿。请改用网页上传或命令行校验，并联系区政务公开办。"


def _answer(work, check=checked_payload):
    """Run one add-in request: ``work(check(payload))`` gives the actions; every failure is a message box.

    The add-in never gets anything but 200 with actions (xlwings' Remote.bas would show any other
    answer as raw text); a request that is not from the add-in gets a plain-text 4xx.
    """
    try:
        return jsonify(work(_payload(check)))
    except RequestEntityTooLarge:
        limit = _size(int(current_app.config["MAX_CONTENT_LENGTH"]))
        return _refusal(ServerError(REQUEST_TOO_LARGE.format(limit=limit), status=413))
    except ServerError as error:
        return _refusal(error)
    except Exception:  # the clerk gets a message box, the log gets the traceback
        current_app.logger.exception("xlwings %s failed", request.path)
        return jsonify(alert_only(INTERNAL_ERROR))


def _size(count: int) -> str:
    """A byte count as a clerk reads it: 16 MB, 64 KB."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{max(count // 1024, 1)} KB"


def _refusal(error: ServerError):
    """A refused request: a message box for the add-in, plain text for anything else."""
    if error.status == 200 or _from_addin():
        return jsonify(alert_only(error.message))
    return Response(error.message, status=error.status, mimetype="text/plain; charset=utf-8")


# 校验 ----------------------------------------------------------------------------------------


@bp.get("/ping")
def ping():
    """Answer the add-in's check that the validator runs at the address the clerk set."""
    import xlwings as xw

    return Response(f"{PING_ANSWER} xlwings {xw.__version__}", mimetype="text/plain; charset=utf-8")


@bp.post("/validate")
def validate():
    """One click on 校验: validate the workbook and answer with actions."""
    return _answer(_validate, _checked_grids)


def _validate(checked: tuple[dict, list[Grid]]) -> dict:
    payload, grids = checked
    with opened_book(payload) as book:
        reading, report = validate_grids(grids, max_findings=int(current_app.config["MAX_FINDINGS"]))
        apply_report(book, reading, report, addin_name(request.headers.get(ADDIN_HEADER)))
        return book.json()


# 提交 ----------------------------------------------------------------------------------------

NEED_TOKEN = (
    "提交需要本单位的加载项令牌。请点击“信息公开年报”选项卡中的“令牌”，粘贴区政务公开办发给本单位的令牌后再提交。"
    "（令牌丢失时请联系区政务公开办重新生成。）"
)
OLD_ADDIN = "这个加载项版本不支持提交，请向区政务公开办索取最新的“信息公开年报”加载项。"
SUBMIT_TITLE = "信息公开年报提交"
_PROMPT_LIMIT = 900


@bp.post("/submit")
def submit():
    """One click on 提交: check the workbook, mark it like 校验, and submit it for the unit."""
    return _answer(_submit_payload)


def _submit_payload(payload: dict) -> dict:
    from .district.db import get_session
    from .district.service import account_for_token

    session = get_session()
    account = account_for_token(session, request.headers.get("Authorization"))
    if account is None or account.unit is None:
        return alert_only(NEED_TOKEN)
    upload = uploaded_file(payload)
    if upload is None:
        return alert_only(OLD_ADDIN)
    with opened_book(payload) as book:
        return _submit(session, account, book, upload)


def _submit(session, account, book, upload: tuple[bytes, str, str]) -> dict:
    from .district import service
    from .errors import SubmissionRejected

    data, filename, explanation = upload
    limit = int(current_app.config["MAX_FINDINGS"])
    reading, report = service.check_workbook(session, account.unit, data, max_findings=limit)
    actions = apply_report(book, reading, report, addin_name(request.headers.get(ADDIN_HEADER)), alert=False)
    try:
        submission = service.submit_checked(session, account, reading, report, data, filename, explanation, "excel")
    except SubmissionRejected as refused:
        if report.ok and report.counts["warning"] and len(explanation.strip()) < service.MIN_EXPLANATION:
            actions.macro("JCNB_AskExplanation", _ask(report))
        else:
            show_alert(book, f"不能提交：{refused.message}", title=SUBMIT_TITLE)
        return book.json()
    text = f"已提交 {submission.year} 年度报告（第 {submission.version_no} 版）。区政务公开办可以在“提交情况”中看到。"
    show_alert(book, text, title=SUBMIT_TITLE, critical=False)
    return book.json()


def _ask(report) -> str:
    """The InputBox prompt asking for the explanation of the warnings."""
    lines = [f"有 {report.counts['warning']} 处提示，需要填写审核说明后才能提交。请逐项说明原因（至少 5 个字）："]
    for finding in report.findings:
        if finding.severity == "warning":
            lines.append(f"· {finding.cell or ''} {finding.message}")
    return "\n".join(lines)[:_PROMPT_LIMIT]
