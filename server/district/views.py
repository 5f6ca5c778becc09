"""The district's pages: login, a unit's reports and submissions, the status board, units, 汇总.

Views are thin: they check who is logged in, call :mod:`service`, and render.
Forms are protected against CSRF (Flask-WTF); sessions expire after
SESSION_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from urllib.parse import quote
from urllib.parse import urlparse

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect

from ..errors import NotAllowed
from ..errors import ServerError
from ..errors import SubmissionRejected
from ..errors_web import respond
from ..errors_web import wants_json
from ..xlsx.annotate import annotate
from ..xlsx.annotate import annotated_name
from . import pending
from . import service
from .aggregate import aggregate_workbook
from .aggregate import left_out
from .board import LOCAL
from .board import SORTS
from .board import STATUSES
from .board import board_csv
from .board import board_xlsx
from .board import local_time
from .board import status_board
from .db import get_session
from .models import DISTRICT
from .models import UNIT
from .models import Account
from .models import Unit
from .throttle import LoginThrottle
from .throttle import Refusal

bp = Blueprint("district", __name__, template_folder="templates")
csrf = CSRFProtect()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def init_app(app: Flask) -> None:
    """Register the pages, CSRF protection (not for the token-based doors) and template helpers."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.extensions["jcnb_login_throttle"] = LoginThrottle()
    csrf.init_app(app)
    app.register_error_handler(
        CSRFError, lambda error: respond("页面已过期或来源不明（安全校验未通过），请刷新页面后重试。", 400)
    )
    for name in ("api", "xlwings"):
        if name in app.blueprints:
            csrf.exempt(app.blueprints[name])
    app.register_blueprint(bp)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["max_text"] = service.MAX_TEXT
    app.context_processor(lambda: {"current_account": current_account()})


@bp.after_request
def _not_cached(response: Response) -> Response:
    """The district's pages are not kept in the browser's cache: credentials shown once, reports, exports."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def current_account() -> Account | None:
    """The logged-in account, or None (also when the session was ended by a logout or password reset)."""
    account_id = session.get("account_id")
    if account_id is None:
        return None
    account = get_session().get(Account, account_id)
    if account is None or not account.active or session.get("epoch") != account.session_epoch:
        session.clear()
        return None
    if "login_id" in session and service.login_ended(get_session(), session["login_id"]):
        session.clear()
        return None
    return account


def login_required(role: str | None = None):
    """Only for logged-in accounts (of a role); others go to the login page or get 403."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            account = current_account()
            if account is None:
                if wants_json():
                    return respond("请先登录。", 401)
                return redirect(url_for("district.login", next=request.full_path))
            if role is not None and account.role != role:
                raise NotAllowed("没有权限打开这个页面。")
            return view(account, *args, **kwargs)

        return wrapped

    return decorate


# Login ---------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with the login name and password the district gave; too many failures pause logging in."""
    if request.method == "GET":
        return render_template("district/login.html", error=None)
    name = request.form.get("login", "")
    generation = service.password_generation(get_session(), name)
    attempt = _throttle().begin(name, request.remote_addr or "", generation=generation, **_limits())
    if isinstance(attempt, Refusal):
        return _refused(attempt)
    account = None
    try:
        account = service.authenticate(get_session(), name, request.form.get("password", ""))
    finally:
        _throttle().finish(attempt, success=account is not None)
    if account is None:
        return render_template("district/login.html", error="登录名或密码不正确。"), 401
    session.clear()
    session.permanent = True
    session["account_id"] = account.id
    session["epoch"] = account.session_epoch
    session["login_id"] = secrets.token_urlsafe(24)
    return redirect(_safe_next() or url_for("district.home"))


def _throttle() -> LoginThrottle:
    return current_app.extensions["jcnb_login_throttle"]


def _limits() -> dict:
    config = current_app.config
    return {
        "per_login": int(config["LOGIN_MAX_FAILURES"]),
        "per_address": int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        "window": 60 * float(config["LOGIN_LOCK_MINUTES"]),
    }


def _refused(refusal: Refusal):
    """429 with the time from when on logging in can work again (Beijing time, as every time shown)."""
    wait = max(1, math.ceil(refusal.retry_at - _throttle().clock()))
    until = dt.datetime.fromtimestamp(refusal.retry_at, LOCAL).strftime("%H:%M")
    if refusal.by_address:
        who = "从本机所在网络地址登录失败的次数过多"
    else:
        who = "这个登录名的密码输错次数过多"
    error = (
        f"{who}，为防止密码被猜出，已暂停登录：请在 {until}（约 {math.ceil(wait / 60)} 分钟后）再试，"
        "届时输入正确的密码即可登录。忘记密码请联系区政务公开办重置。"
    )
    return render_template("district/login.html", error=error), 429, {"Retry-After": str(wait)}


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    parsed = urlparse(target)
    return target if target.startswith("/") and not parsed.netloc and not target.startswith("//") else None


@bp.post("/logout")
def logout():
    """Log out: this login session ends on the server too (a copied cookie no longer works); the account's
    other sessions (the same district account used on another computer) go on."""
    account = current_account()
    if account is not None and "login_id" in session:
        service.end_login(get_session(), account, session["login_id"], current_app.permanent_session_lifetime)
    elif account is not None:  # a session begun before sessions had their own id
        service.end_sessions(get_session(), account)
        get_session().commit()
    session.clear()
    return redirect(url_for("web.index"))


@bp.get("/home")
@login_required()
def home(account: Account):
    """Where a login lands: a unit's reports, or the district's board."""
    return redirect(url_for("district.board" if account.role == DISTRICT else "district.unit_home"))


# A unit's pages ---------------------------------------------------------------------------------


@bp.get("/unit/")
@login_required(UNIT)
def unit_home(account: Account):
    """The unit's reports: every version with its state, returned reasons, and the submit form."""
    submissions = service.history(get_session(), account, account.unit_id)
    return render_template("district/unit_home.html", account=account, submissions=submissions)


def _uploaded(missing: str) -> tuple[bytes, str]:
    """The bytes and name of the form's uploaded ``file``; a 422 saying ``missing`` when none was chosen."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServerError(missing, status=422)
    return upload.read(), upload.filename


@bp.post("/unit/submit")
@login_required(UNIT)
def unit_submit(account: Account):
    """Submit a workbook (from the unit page, the check page, or again from the refusal page)."""
    explanation = request.form.get("explanation") or ""
    if request.form.get("kept") == "1" and not request.files.get("file"):
        kept = pending.load(account.id)
        if kept is None:
            raise ServerError("刚才没能提交的文件已不在服务器上（只保留一天），请重新选择文件提交。", status=422)
        data, filename, _ = kept
    else:
        data, filename = _uploaded("请选择要提交的 .xlsx 文件。")
    try:
        submission = service.submit(get_session(), account, data, filename, explanation, "web")
    except SubmissionRejected as refused:
        if wants_json():
            raise
        pending.keep(account.id, data, filename, explanation)
        return _refusal_page(refused, filename, explanation), refused.status
    pending.drop(account.id)
    message = f"已提交 {submission.year} 年度报告（第 {submission.version_no} 版）。"
    if wants_json():
        return jsonify({"ok": True, "message": message, "submission": submission.id, "version": submission.version_no})
    flash(message)
    return redirect(url_for("district.submission", submission_id=submission.id))


def _refusal_page(refused: SubmissionRejected, filename: str, explanation: str) -> str:
    """Why the file was not submitted, each mistake with its sheet and cell, and how to go on from here."""
    only_warnings = bool(refused.errors) and all(item.get("severity") == "warning" for item in refused.errors)
    return render_template(
        "district/refused.html",
        message=refused.message,
        errors=refused.errors,
        filename=filename,
        explanation=explanation,
        only_warnings=only_warnings,
        checked=bool(refused.errors),
        max_text=service.MAX_TEXT,
    )


@bp.get("/unit/kept/annotated")
@login_required(UNIT)
def kept_annotated(account: Account):
    """The file the refusal page is about, annotated as on the check page (with last year's cross-checks)."""
    kept = pending.load(account.id)
    if kept is None:
        raise ServerError("刚才没能提交的文件已不在服务器上（只保留一天），请在网页校验中重新上传。", status=404)
    data, filename, _ = kept
    reading, report = service.check_workbook(get_session(), account.unit, data)
    return _download(annotate(data, reading, report), XLSX, annotated_name(filename))


@bp.get("/submission/<int:submission_id>")
@login_required()
def submission(account: Account, submission_id: int):
    """One submitted version: its findings, explanations, 退回 and the original file."""
    item = service.get_submission(get_session(), account, submission_id)
    return render_template("district/submission.html", item=item, account=account)


@bp.get("/submission/<int:submission_id>/original")
@login_required()
def original(account: Account, submission_id: int):
    """The file exactly as submitted."""
    item = service.get_submission(get_session(), account, submission_id)
    disposition = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(item.filename)}"
    return Response(item.content, mimetype=XLSX, headers={"Content-Disposition": disposition})


@bp.post("/submission/<int:submission_id>/explain")
@login_required()
def explain(account: Account, submission_id: int):
    """Add the explanation a collected report with warnings is waiting for."""
    service.explain(get_session(), account, submission_id, request.form.get("explanation", ""))
    flash("已补充审核说明，报告已提交。")
    return redirect(url_for("district.submission", submission_id=submission_id))


# The district's pages ------------------------------------------------------------------------------


def _default_year() -> int:
    return dt.date.today().year - 1


@bp.get("/district/")
@login_required(DISTRICT)
def board(account: Account):
    """Every unit's status for a report year, filtered and sorted."""
    year = request.args.get("year", type=int) or _default_year()
    status = request.args.get("status") or None
    sort = request.args.get("sort") or "name"
    search = request.args.get("q", "")
    data = status_board(get_session(), account, year, status, sort, search)
    return render_template(
        "district/board.html",
        board=data,
        statuses=STATUSES,
        sorts=SORTS,
        status=status,
        sort=sort,
        search=search,
        left_out=left_out(get_session(), year),
    )


@bp.get("/district/board-<int:year>.<kind>")
@login_required(DISTRICT)
def board_export(account: Account, year: int, kind: str):
    """The board as CSV or xlsx."""
    data = status_board(get_session(), account, year)
    if kind == "csv":
        return _download(board_csv(data), "text/csv; charset=utf-8", f"{year}年度提交情况.csv")
    if kind == "xlsx":
        return _download(board_xlsx(data), XLSX, f"{year}年度提交情况.xlsx")
    raise ServerError("只能导出 csv 或 xlsx。", status=404)


def _download(data: bytes, mimetype: str, name: str) -> Response:
    disposition = f"attachment; filename=\"export\"; filename*=UTF-8''{quote(name)}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.get("/district/aggregate-<int:year>.xlsx")
@login_required(DISTRICT)
def aggregate(account: Account, year: int):
    """The 汇总 workbook of a year."""
    name = current_app.config["DISTRICT_NAME"]
    data = aggregate_workbook(get_session(), account, year, name)
    return _download(data, XLSX, f"{name}{year}年度政府信息公开统计汇总.xlsx")


@bp.post("/district/submission/<int:submission_id>/return")
@login_required(DISTRICT)
def return_submission(account: Account, submission_id: int):
    """退回 a submission with a reason."""
    service.return_submission(get_session(), account, submission_id, request.form.get("reason", ""))
    flash("已退回，单位登录后可以看到退回原因。")
    return redirect(url_for("district.submission", submission_id=submission_id))


@bp.get("/district/units")
@login_required(DISTRICT)
def units(account: Account):
    """Registered units, the forms to add and import units."""
    return render_template("district/units.html", units=service.units(get_session()))


@bp.post("/district/units")
@login_required(DISTRICT)
def add_unit(account: Account):
    """Register one unit and show its credentials once."""
    db = get_session()
    unit, credentials = service.register_unit(
        db, request.form.get("name", ""), request.form.get("kind"), request.form.get("login")
    )
    db.commit()
    return render_template("district/credentials.html", rows=[(unit.name, credentials, "")])


@bp.post("/district/units/import")
@login_required(DISTRICT)
def import_units(account: Account):
    """Register the units of a CSV or xlsx list; show every row's result."""
    from .cli import import_unit_rows
    from .cli import read_unit_list

    rows = read_unit_list(*_uploaded("请选择单位名单文件（.csv 或 .xlsx）。"))
    results = import_unit_rows(get_session(), rows)
    return render_template("district/import_result.html", results=results)


RENEWALS = {
    "password": (
        "重设密码",
        "重设后，该单位原来的密码立即失效，已登录的网页会话全部退出。新密码只显示一次，请当面或电话告知该单位。",
    ),
    "token": (
        "生成新的加载项令牌",
        "生成后，该单位原来的令牌立即失效，Excel 中的“提交”按钮要粘贴新令牌才能使用。新令牌只显示一次，请转交该单位。",
    ),
}
"""What each renewal does, said on the page that asks to confirm it."""


@bp.get("/district/units/<int:unit_id>/<what>")
@login_required(DISTRICT)
def confirm_renew(account: Account, unit_id: int, what: str):
    """Ask before a new password or token replaces the unit's current one."""
    unit = get_session().get(Unit, unit_id)
    if unit is None or what not in RENEWALS:
        raise ServerError("没有这个单位或操作。", status=404)
    action, consequence = RENEWALS[what]
    return render_template("district/confirm_renew.html", unit=unit, what=what, action=action, consequence=consequence)


@bp.post("/district/units/<int:unit_id>/<what>")
@login_required(DISTRICT)
def renew(account: Account, unit_id: int, what: str):
    """A new password or add-in token for a unit."""
    db = get_session()
    if what == "password":
        credentials = service.reset_password(db, account, unit_id)  # also lifts a login pause: a new generation
    elif what == "token":
        credentials = service.renew_token(db, account, unit_id)
    else:
        raise ServerError("未知操作。", status=404)
    db.commit()
    unit = db.get(Unit, unit_id)
    return render_template("district/credentials.html", rows=[(unit.name, credentials, "")])
