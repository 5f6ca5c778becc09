"""What the district's collection does, as plain functions (no Flask).

Every function takes the database session and, where access matters, the
acting :class:`~server.district.models.Account`: a unit sees and submits only
its own reports; the district sees everything. Submissions go through the
one validation pipeline and are stored in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import defer
from sqlalchemy.orm import selectinload

from ..errors import NotAllowed
from ..errors import NotFound
from ..errors import ServerError
from ..errors import SubmissionRejected
from ..findings import ERROR
from ..findings import WARNING
from ..findings import Report
from ..pipeline import MAX_FINDINGS
from ..rules.header import parse_header
from ..stories import stories
from ..workbook import WorkbookReading
from ..workbook import read_workbook
from ..workbook import validate_reading
from ..xlsx.load import load_grids
from . import auth
from .models import ACCEPTED
from .models import DISTRICT
from .models import PENDING
from .models import RETURNED
from .models import UNIT
from .models import Account
from .models import CellValue
from .models import EndedLogin
from .models import Event
from .models import Submission
from .models import Unit
from .models import utcnow

MIN_EXPLANATION = 5
"""Characters an explanation (审核说明) needs at least."""
MAX_TEXT = 5000
"""Characters an explanation (审核说明) or a 退回原因 may have at most: a few sentences for
each of dozens of warnings fit; a pasted document does not belong there."""
CHUNK = 500
"""Units whose rows one query asks for by id (well below every database's limit of bound parameters)."""


def squash(text: str | None) -> str:
    """A name compared without spaces and width differences."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


# Units and accounts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What a new or reset account is told once: login, password, add-in token."""

    login: str
    password: str | None = None
    token: str | None = None


def register_unit(
    session: Session, name: str, kind: str | None = None, login: str | None = None
) -> tuple[Unit, Credentials]:
    """Register a unit with its own web login and add-in token."""
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        raise ServerError("单位名称不能为空。", status=422)
    if session.scalar(select(Unit).where(Unit.name == name)):
        raise ServerError(f"单位“{name}”已经登记过了。", status=409)
    unit = Unit(name=name, kind=(kind or "").strip() or None)
    session.add(unit)
    session.flush()
    login = (login or "").strip() or f"unit{unit.id:03d}"
    if session.scalar(select(Account).where(Account.login == login)):
        raise ServerError(f"登录名“{login}”已被使用。", status=409)
    password, token = auth.new_password(), auth.new_token()
    session.add(
        Account(
            login=login,
            name=name,
            role=UNIT,
            unit=unit,
            password_hash=auth.hash_generated_password(password),
            token_hash=auth.token_digest(token),
        )
    )
    session.flush()
    return unit, Credentials(login, password, token)


def create_district_account(session: Session, login: str, name: str, password: str | None = None) -> Credentials:
    """An account of the district office (sees every unit)."""
    if session.scalar(select(Account).where(Account.login == login)):
        raise ServerError(f"登录名“{login}”已被使用。", status=409)
    password = password or auth.new_password()
    if len(password) < auth.MIN_PASSWORD:
        raise ServerError(f"密码至少 {auth.MIN_PASSWORD} 位。", status=422)
    session.add(Account(login=login, name=name, role=DISTRICT, password_hash=auth.hash_password(password)))
    session.flush()
    return Credentials(login, password)


def authenticate(session: Session, login: str, password: str) -> Account | None:
    """The active account with this login and password, or None.

    Every refusal costs one slow hash check, also for a login name that does not exist.
    """
    account = session.scalar(select(Account).where(Account.login == (login or "").strip()))
    if account is None:
        auth.no_password_matches(password or "")
        return None
    if not auth.password_matches(account.password_hash, password or "") or not account.active:
        return None
    return account


def password_generation(session: Session, login: str) -> int | None:
    """The password generation of the account with this login name (None: no such account). It moves on with
    every password reset, from the web page or the command line, which is how a reset lifts a login pause."""
    return session.scalar(select(Account.session_epoch).where(Account.login == (login or "").strip()))


def end_sessions(session: Session, account: Account) -> None:
    """End every login session of an account (password reset, or the logout of a session begun before
    sessions had their own id): their cookies stop working."""
    account.session_epoch = Account.session_epoch + 1  # in SQL: two ends at once both count
    session.flush()


def end_login(session: Session, account: Account, login_id: str, lifetime: dt.timedelta) -> None:
    """End one login session (a logout): its cookie, and any copy of it, stops working; the account's
    other sessions go on. Ended sessions older than ``lifetime`` are forgotten (their cookies have expired).
    Committed here: a second logout of the same session at the same moment is no error."""
    session.execute(delete(EndedLogin).where(EndedLogin.ended_at < utcnow() - lifetime))
    session.commit()
    try:
        session.add(EndedLogin(digest=login_digest(login_id), account_id=account.id))
        session.commit()
    except IntegrityError:  # the same session logged out twice at once: it has ended either way
        session.rollback()


def login_ended(session: Session, login_id: str) -> bool:
    """Whether this login session was ended by its logout."""
    return session.get(EndedLogin, login_digest(login_id)) is not None


def login_digest(login_id: str) -> str:
    """What is stored of a login session's id (the id itself lives only in the signed cookie)."""
    return hashlib.sha256(login_id.encode("utf-8")).hexdigest()


def account_for_token(session: Session, token: str | None) -> Account | None:
    """The unit account an add-in token belongs to, or None."""
    if not token:
        return None
    token = token.removeprefix("Bearer ").removeprefix("Token ").strip()
    account = session.scalar(select(Account).where(Account.token_hash == auth.token_digest(token)))
    return account if account is not None and account.active else None


def _unit_account(session: Session, actor: Account, unit_id: int) -> Account:
    _require_district(actor)
    account = session.scalar(select(Account).where(Account.unit_id == unit_id, Account.role == UNIT))
    if account is None:
        raise NotFound("找不到这个单位的账号。")
    return account


def reset_password(session: Session, actor: Account, unit_id: int) -> Credentials:
    """A new password for a unit's web login (district only)."""
    account = _unit_account(session, actor, unit_id)
    password = auth.new_password()
    account.password_hash = auth.hash_generated_password(password)
    session.flush()
    end_sessions(session, account)
    return Credentials(account.login, password=password)


def renew_token(session: Session, actor: Account, unit_id: int) -> Credentials:
    """A new add-in token for a unit; the old one stops working (district only)."""
    account = _unit_account(session, actor, unit_id)
    token = auth.new_token()
    account.token_hash = auth.token_digest(token)
    session.flush()
    return Credentials(account.login, token=token)


def name_key(name: str) -> tuple[list[str], str]:
    """Sort key of a unit name: by pinyin, as Chinese lists are ordered (长安 as chang, 重庆 as chong).

    pypinyin is imported on first use: its dictionaries take some 50 MB, which a
    validator that never shows a unit list need not carry.
    """
    from pypinyin import Style
    from pypinyin import lazy_pinyin

    return lazy_pinyin(name, style=Style.TONE3), name


def units(session: Session) -> list[Unit]:
    """Every registered unit, by the pinyin of its name."""
    return sorted(session.scalars(select(Unit)), key=lambda unit: name_key(unit.name))


def unit_by_name(session: Session, name: str | None) -> Unit | None:
    """The registered unit whose name matches (spaces and width ignored).

    The name as registered is one indexed query; only a name written
    differently (full-width letters, other spaces) falls back to a scan.
    """
    if not squash(name):
        return None
    exact = session.scalar(select(Unit).where(Unit.name == re.sub(r"\s+", " ", name).strip()))
    return exact or unit_index(session).get(squash(name))


def unit_index(session: Session) -> dict[str, Unit]:
    """Every unit by its squashed name: the one lookup table a batch builds per run."""
    return {squash(unit.name): unit for unit in session.scalars(select(Unit))}


# Access --------------------------------------------------------------------------------------


def _require_district(actor: Account) -> None:
    if actor.role != DISTRICT:
        raise NotAllowed("只有区政务公开办的账号可以执行这个操作。")


def _check_unit(actor: Account, unit_id: int) -> None:
    if actor.role != DISTRICT and actor.unit_id != unit_id:
        raise NotAllowed("不能查看或提交其他单位的报告。")


def get_submission(session: Session, actor: Account, submission_id: int) -> Submission:
    """A submission the actor may see."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("找不到这份报告。")
    _check_unit(actor, submission.unit_id)
    return submission


def history(session: Session, actor: Account, unit_id: int, year: int | None = None) -> list[Submission]:
    """Every version a unit submitted (newest first), for one year or all."""
    _check_unit(actor, unit_id)
    query = select(Submission).where(Submission.unit_id == unit_id)
    if year is not None:
        query = query.where(Submission.year == year)
    return list(session.scalars(query.order_by(Submission.year.desc(), Submission.version_no.desc())))


# Submitting ------------------------------------------------------------------------------------


def _errors(report: Report, severity: str) -> list[dict]:
    """The findings of a severity that stand alone (mistakes), each with the consequences it explains."""
    return [
        {**story.finding.to_dict(), "consequences": [f.to_dict() for f in story.consequences]}
        for story in stories(report)
        if story.finding.severity == severity
    ]


def check_workbook(session: Session, unit: Unit, data: bytes, max_findings: int = MAX_FINDINGS):
    """Validate a workbook for a unit, with last year's accepted report when there is one."""
    return check_reading(session, unit, read_workbook(load_grids(data)), max_findings)


def check_reading(session: Session, unit: Unit, reading: WorkbookReading, max_findings: int = MAX_FINDINGS):
    """Validate a workbook already read, once: its report year (header) says which last year to fetch."""
    year = parse_header(reading.header).year
    last = last_year_report(session, unit, year - 1) if year else None
    return reading, validate_reading(reading, last_year=last, max_findings=max_findings)


def submit(
    session: Session,
    actor: Account,
    data: bytes,
    filename: str,
    explanation: str | None,
    channel: str,
    max_findings: int = MAX_FINDINGS,
) -> Submission:
    """A unit submits its workbook: re-validated, refused on errors, warnings need an explanation."""
    if actor.role != UNIT or actor.unit is None:
        raise NotAllowed("请用本单位的账号提交。")
    bounded_text(explanation, "审核说明")  # an overlong text is refused before the workbook is read
    reading, report = check_workbook(session, actor.unit, data, max_findings)
    return submit_checked(session, actor, reading, report, data, filename, explanation, channel)


def submit_checked(
    session: Session,
    actor: Account,
    reading,
    report: Report,
    data: bytes,
    filename: str,
    explanation: str | None,
    channel: str,
) -> Submission:
    """:func:`submit` of a workbook the door has just checked with :func:`check_workbook` (validated once)."""
    if actor.role != UNIT or actor.unit is None:
        raise NotAllowed("请用本单位的账号提交。")
    explanation = bounded_text(explanation, "审核说明")
    _check_header(actor.unit, report)
    errors = _errors(report, ERROR)
    if errors:
        raise SubmissionRejected(
            f"校验发现 {len(errors)} 处错误，不能提交。请改正后重新校验、提交。", errors=errors, status=422
        )
    explanation = (explanation or "").strip()
    warnings = _errors(report, WARNING)
    if warnings and len(explanation) < MIN_EXPLANATION:
        message = (
            f"校验有 {len(warnings)} 处提示，请在“审核说明”中逐项说明原因（至少 {MIN_EXPLANATION} 个字）后再提交。"
        )
        raise SubmissionRejected(message, errors=warnings, status=422)
    return store(session, actor.unit, reading, report, data, filename, explanation or None, channel, actor, ACCEPTED)


def bounded_text(text: str | None, what: str) -> str:
    """A text the clerk typed, trimmed; refused when longer than :data:`MAX_TEXT`."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ServerError(
            f"{what}最多 {MAX_TEXT} 个字，现在有 {len(text)} 个字。请精简后重新提交（逐项写明原因即可，不必粘贴整篇材料）。",
            status=422,
        )
    return text


def _check_header(unit: Unit, report: Report) -> None:
    if report.year is None:
        raise SubmissionRejected("工作簿没有填写报告年度，不能提交。请在“填报信息”中填写报告年度。", status=422)
    if squash(report.unit) != squash(unit.name):
        shown = report.unit or "（未填写）"
        raise SubmissionRejected(
            f"工作簿的填报单位是“{shown}”，不是本单位“{unit.name}”：不能替其他单位提交。请核对“填报信息”中的填报单位。",
            status=422,
        )


def store(
    session: Session,
    unit: Unit,
    reading,
    report: Report,
    data: bytes,
    filename: str,
    explanation,
    channel: str,
    actor,
    state: str,
    *,
    commit: bool = True,
) -> Submission:
    """Write one submission and all its cell values in one transaction.

    With ``commit=False`` the caller ends the transaction (collect writes files in batches).

    The unit's row is locked first, so simultaneous submissions of one unit take their
    version numbers one after the other (1, 2, 3 … without gaps or duplicates).
    """
    try:
        _lock_unit(session, unit)
        version_no = 1 + (
            session.scalar(
                select(func.max(Submission.version_no)).where(
                    Submission.unit_id == unit.id, Submission.year == report.year
                )
            )
            or 0
        )
        submission = Submission(
            unit=unit,
            **submission_fields(report, version_no, data, filename, explanation, channel, actor, state),
        )
        session.add(submission)
        session.flush()
        session.connection().execute(insert(CellValue.__table__), cell_rows(submission.id, reading, report))
        if commit:
            session.commit()
    except Exception:
        session.rollback()
        raise
    return submission


def _lock_unit(session: Session, unit: Unit) -> None:
    """Hold the unit's row until the transaction ends.

    A write rather than SELECT … FOR UPDATE because it works on both databases:
    PostgreSQL locks the row (other units are not held up), SQLite takes its
    write lock, which the next submitter waits for (busy timeout) instead of
    reading the same highest version number.
    """
    session.execute(update(Unit.__table__).where(Unit.id == unit.id).values(active=Unit.active))


def submission_fields(
    report: Report, version_no: int, data: bytes, filename: str, explanation, channel: str, actor, state: str
) -> dict:
    """The columns of a new submission other than its unit (one place for :func:`store` and collect's batches)."""
    return {
        "year": report.year,
        "version_no": version_no,
        "form_version": report.version,
        "filename": filename[:300],
        "content": data,
        "sha256": hashlib.sha256(data).hexdigest(),
        "initial_state": state,
        "explanation": explanation,
        "channel": channel,
        "submitted_by": actor.id if actor is not None else None,
        "errors": report.counts[ERROR],
        "warnings": report.counts[WARNING],
        "report": report.to_dict(),
    }


def cell_rows(submission_id: int, reading, report: Report) -> list[dict]:
    """The cell rows of a submission (inserted in one statement: ORM objects cost more than the file's check)."""
    cells = []
    for key, value in report.values.items():
        raw = reading.values.get(key)
        cells.append(
            {"submission_id": submission_id, "key": key, "value": value, "raw": None if raw is None else str(raw)}
        )
    return cells


def explain(session: Session, actor: Account, submission_id: int, text: str) -> Submission:
    """Add the explanation a collected submission with warnings was waiting for."""
    submission = get_submission(session, actor, submission_id)
    text = bounded_text(text, "审核说明")
    if len(text) < MIN_EXPLANATION:
        raise ServerError(f"审核说明至少 {MIN_EXPLANATION} 个字。", status=422)
    if submission.state != PENDING:
        raise ServerError("这份报告不需要补充说明。", status=409)
    session.add(Event(submission=submission, kind="explained", text=text, account_id=actor.id))
    session.commit()
    return submission


def return_submission(session: Session, actor: Account, submission_id: int, reason: str) -> Submission:
    """退回: the district sends a submission back with a reason the unit sees."""
    _require_district(actor)
    submission = get_submission(session, actor, submission_id)
    reason = bounded_text(reason, "退回原因")
    if not reason:
        raise ServerError("请写明退回的原因。", status=422)
    if submission.state == RETURNED:
        raise ServerError("这份报告已经退回过了。", status=409)
    session.add(Event(submission=submission, kind=RETURNED, text=reason, account_id=actor.id))
    session.commit()
    return submission


# Reading back ---------------------------------------------------------------------------------


def latest(
    session: Session, year: int, *, accepted: bool = False, unit_ids: Iterable[int] | None = None
) -> dict[int, Submission]:
    """Unit id -> the unit's newest submission for a year; with ``accepted``, its newest accepted one.

    A submission's state is derived from its events (:attr:`Submission.state`), so it is filtered here;
    the events come in one query for all, and the file and report only when asked for. With
    ``unit_ids``, only those units' submissions are read (in chunks of :data:`CHUNK` units).
    """
    query = (
        select(Submission)
        .where(Submission.year == year)
        .order_by(Submission.version_no)
        .options(defer(Submission.content), defer(Submission.report), selectinload(Submission.events))
    )
    if unit_ids is None:
        chunks = [query]
    else:
        ids = sorted(set(unit_ids))
        chunks = [query.where(Submission.unit_id.in_(ids[at : at + CHUNK])) for at in range(0, len(ids), CHUNK)]
    return {s.unit_id: s for chunk in chunks for s in session.scalars(chunk) if not accepted or s.state == ACCEPTED}


def latest_accepted(session: Session, year: int) -> dict[int, Submission]:
    """Unit id -> the unit's newest accepted submission for a year (what counts)."""
    return latest(session, year, accepted=True)


@functools.cache
def _last_year_statement():
    """The query of :func:`last_year_report`, built once (building it cost more than running it)."""
    newest = (
        select(Submission.id)
        .where(Submission.unit_id == bindparam("unit_id"), Submission.year == bindparam("year"), accepted_clause())
        .order_by(Submission.version_no.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Submission.form_version, CellValue.key, CellValue.value)
        .outerjoin(CellValue, CellValue.submission_id == Submission.id)
        .where(Submission.id == newest)
    )


def as_report(submission: Submission) -> Report:
    """A stored submission as a report with its values (for cross-year rules)."""
    values = {cell.key: cell.value for cell in submission.cells}
    return Report(version=submission.form_version, year=submission.year, unit=submission.unit.name, values=values)


def accepted_clause():
    """SQL condition: a submission counts as accepted (what :attr:`Submission.state` derives from its events)."""

    def has(kind: str):
        return select(Event.id).where(Event.submission_id == Submission.id, Event.kind == kind).exists()

    return and_(~has(RETURNED), or_(Submission.initial_state == ACCEPTED, has("explained")))


def last_year_report(session: Session, unit: Unit, year: int) -> Report | None:
    """The unit's newest accepted report of a year, if it submitted one: one indexed query, whatever the district's size.

    ``unit`` needs only ``id`` and ``name`` (collect's worker processes pass a plain record).
    """
    rows = session.execute(_last_year_statement(), {"unit_id": unit.id, "year": year}).all()
    if not rows:
        return None
    values = {key: value for _, key, value in rows if key is not None}
    return Report(version=rows[0].form_version, year=year, unit=unit.name, values=values)
