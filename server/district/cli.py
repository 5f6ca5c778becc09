"""District commands of ``python -m server``: units, accounts, collect, aggregate, init-db.

They open the configured database directly (the same DATABASE_URL as the
service) and act as the district office.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from ..errors import ServerError
from . import service
from .aggregate import aggregate_workbook
from .collect import collect_files
from .collect import workbook_files
from .db import dispose
from .models import DISTRICT
from .models import Account

PARALLEL_FROM = 40
"""Folders smaller than this are checked in this process (starting worker processes takes longer)."""
UNIT_COLUMNS = {"单位名称": "name", "单位类型": "kind", "登录名": "login"}


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on the configured database (migrated to the newest schema), closed afterwards."""
    from .. import create_app

    app = create_app()
    try:
        with app.extensions["jcnb_sessions"]() as session:
            yield session
    finally:
        dispose(app)


def cli_actor() -> Account:
    """The command line acts for the district office (not stored)."""
    return Account(login="命令行", name="命令行", role=DISTRICT, password_hash="")


def _show(credentials: service.Credentials, name: str) -> str:
    parts = [f"{name}：登录名 {credentials.login}"]
    if credentials.password:
        parts.append(f"密码 {credentials.password}")
    if credentials.token:
        parts.append(f"加载项令牌 {credentials.token}")
    return "，".join(parts)


@click.group()
def units() -> None:
    """登记和管理填报单位。"""


@units.command("add")
@click.argument("name")
@click.option("--kind", help="单位类型，如 街道办事处、乡镇、区政府部门")
@click.option("--login", help="登录名（默认自动生成）")
def units_add(name: str, kind: str | None, login: str | None) -> None:
    """登记一个单位，显示它的登录名、密码和加载项令牌（只显示这一次）。"""
    with open_session() as session:
        try:
            unit, credentials = service.register_unit(session, name, kind, login)
            session.commit()
        except ServerError as error:
            raise click.ClickException(error.message) from error
        click.echo(_show(credentials, unit.name))


def read_unit_list(data: bytes, filename: str) -> list[dict]:
    """Rows of a unit list (.csv or .xlsx) with the columns 单位名称, 单位类型, 登录名."""
    if filename.lower().endswith(".xlsx"):
        from ..xlsx.load import load_grids  # the guarded reader: a damaged or hostile file is a Chinese refusal

        grids = load_grids(data)
        rows = grids[0].rows if grids else []
        lines = [["" if value is None else str(value).strip() for value in row] for row in rows]
    else:
        lines = [[value.strip() for value in row] for row in csv.reader(io.StringIO(_csv_text(data)))]
    if not lines:
        return []
    header = [UNIT_COLUMNS.get(value, value) for value in lines[0]]
    if "name" not in header:
        raise ServerError("单位名单的第一行应为列名，至少包含“单位名称”。", status=422)
    return [dict(zip(header, line, strict=False)) for line in lines[1:] if any(line)]


def _csv_text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), UTF-16, or GB18030 as Excel saves it on Chinese Windows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServerError("无法读取单位名单：不是 CSV 文本文件。请上传 .xlsx，或在 Excel 中另存为“CSV UTF-8”。", status=422)


IMPORT_BATCH = 200
"""Units registered per transaction: a commit waits for the disk, a unit's rows do not."""


def import_unit_rows(session: Session, rows: list[dict]) -> list[tuple[int, str, str]]:
    """Register every row; (row number, unit, result) per row, bad rows reported.

    Rows are committed in batches; a batch with a bad row is registered again
    row by row, so that the bad row alone is left out.
    """
    numbered = list(enumerate(rows, start=2))
    results = []
    for start in range(0, len(numbered), IMPORT_BATCH):
        batch = numbered[start : start + IMPORT_BATCH]
        try:
            done = [(number, *_register_row(session, row)) for number, row in batch]
            session.commit()
        except ServerError:
            session.rollback()
            done = [_register_alone(session, number, row) for number, row in batch]
        results.extend(done)
    return results


def _register_row(session: Session, row: dict) -> tuple[str, str]:
    unit, credentials = service.register_unit(session, row.get("name", ""), row.get("kind"), row.get("login"))
    return unit.name, _show(credentials, unit.name)


def _register_alone(session: Session, number: int, row: dict) -> tuple[int, str, str]:
    try:
        name, shown = _register_row(session, row)
        session.commit()
        return number, name, shown
    except ServerError as error:
        session.rollback()
        return number, row.get("name", ""), f"未登记：{error.message}"


@units.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def units_import(path: Path) -> None:
    """从 CSV 或 xlsx 名单批量登记单位（列：单位名称、单位类型、登录名）。"""
    with open_session() as session:
        try:
            rows = read_unit_list(path.read_bytes(), path.name)
        except ServerError as error:
            raise click.ClickException(error.message) from error
        for number, _, result in import_unit_rows(session, rows):
            click.echo(f"第 {number} 行：{result}")


@units.command("list")
def units_list() -> None:
    """列出已登记的单位和登录名。"""
    with open_session() as session:
        for unit in service.units(session):
            logins = "、".join(account.login for account in unit.accounts)
            click.echo(f"{unit.id:>4}  {unit.name}  {unit.kind or ''}  登录名：{logins}")


@units.command("reset-password")
@click.argument("name")
def units_reset_password(name: str) -> None:
    """为单位生成新的网页登录密码。"""
    _renew(name, service.reset_password)


@units.command("new-token")
@click.argument("name")
def units_new_token(name: str) -> None:
    """为单位生成新的加载项令牌（旧令牌作废）。"""
    _renew(name, service.renew_token)


def _renew(name: str, renew) -> None:
    """New credentials for the unit called ``name`` (``renew`` is a service function), shown once."""
    with open_session() as session:
        unit = service.unit_by_name(session, name) or _missing(name)
        credentials = renew(session, cli_actor(), unit.id)
        session.commit()
        click.echo(_show(credentials, unit.name))


def _missing(name: str):
    raise click.ClickException(f"没有登记“{name}”这个单位。")


@click.command("district-user")
@click.argument("login")
@click.option("--name", default="区政务公开办", help="显示的名称")
def district_user(login: str, name: str) -> None:
    """新建区政务公开办的账号，显示生成的密码（只显示这一次）。"""
    with open_session() as session:
        try:
            credentials = service.create_district_account(session, login, name)
            session.commit()
        except ServerError as error:
            raise click.ClickException(error.message) from error
        click.echo(_show(credentials, name))


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="报告年度")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="CPU 核数",
    help="同时读取和校验的进程数",
)
def collect(folder: Path, year: int, jobs: int) -> None:
    """批量导入一个文件夹中的工作簿（按“填报单位”对应已登记的单位）。"""
    files = workbook_files(folder)
    jobs = jobs if len(files) >= PARALLEL_FROM else 1
    results = []
    with open_session() as session, click.progressbar(length=len(files), label="校验并入库", show_pos=True) as bar:
        for result in collect_files(session, cli_actor(), files, year, jobs=jobs):
            results.append(result)
            bar.update(1)
    click.echo(f"\n{'文件':<36} {'单位':<20} 结果")
    for result in results:
        click.echo(
            f"{result.file:<36} {result.unit or '—':<20} {result.status}{'：' + result.detail if result.detail else ''}"
        )
    stored = sum(1 for r in results if r.status in ("已入库", "有提示待说明"))
    click.echo(f"共 {len(results)} 个文件，入库 {stored} 个。")


@click.command("aggregate")
@click.argument("year", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def aggregate_command(year: int, output: Path) -> None:
    """生成某一年度的汇总工作簿。"""
    from ..config import DEFAULTS
    from ..config import from_environment

    district_name = from_environment().get("DISTRICT_NAME", DEFAULTS["DISTRICT_NAME"])
    with open_session() as session:
        try:
            output.write_bytes(aggregate_workbook(session, cli_actor(), year, district_name))
        except ServerError as error:
            raise click.ClickException(error.message) from error
    click.echo(f"已写出 {year} 年度汇总：{output}")


@click.command("init-db")
def init_db() -> None:
    """建立或升级数据库（服务启动时也会自动执行）。"""
    with open_session():
        click.echo("数据库已是最新结构。")


COMMANDS = (units, district_user, collect, aggregate_command, init_db)
