"""``python -m server``: the command line door.

* ``python -m server`` (or ``serve``) — start the validator service;
* ``python -m server validate FILE|FOLDER …`` — check workbooks, print the problems
  (``--json`` for JSON, ``-o`` for an annotated copy, ``--last-year`` for cross-year rules);
* ``python -m server template --format 2021 -o 模板.xlsx`` — write a blank template;
* ``python -m server docs`` — regenerate docs/cells.md from the form definitions.

Exit codes of ``validate``: 0 no errors (warnings allowed), 1 errors found,
2 a file could not be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_usage import ChineseGroup
from .errors import ServerError
from .findings import ERROR
from .findings import Report
from .forms import FORMS
from .forms import latest_form

ROOT = Path(__file__).resolve().parent.parent


@click.group(cls=ChineseGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """政府信息公开工作年度报告 统计表校验服务。不带子命令时启动服务。"""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--host", default=None, help="监听地址（默认 127.0.0.1）")
@click.option("--port", type=int, default=None, help="监听端口（默认 5000）")
def serve(host: str | None, port: int | None) -> None:
    """启动校验服务（生产级 WSGI 服务器 waitress，Windows 和 Linux 都可运行）。"""
    from waitress import serve as waitress_serve

    from . import create_app

    app = create_app()
    host = host or app.config["HOST"]
    port = port or int(app.config["PORT"])
    settle_for_serving()
    click.echo(f"政府信息公开年报校验服务已启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
    waitress_serve(app, host=host, port=port, threads=int(app.config["THREADS"]), ident="jcnb")


def settle_for_serving() -> None:
    """Once the app is built, before the first request: what exists now (modules, forms, templates, the
    app) lives as long as the process, so it is moved out of the cyclic garbage collector's way
    (``gc.freeze``). Otherwise every full collection walks all of it again — on this machine a full
    collection took about 60 ms, an average of ~30 µs over the clicks between two of them.
    benchmarks/click_bench.py measures the click on a process settled the same way."""
    import gc

    gc.collect()
    gc.freeze()


# validate ----------------------------------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（格式见 docs/findings.md）")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="写出标注后的副本（多个文件时为目录）")
@click.option(
    "--last-year", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="上年度的工作簿，用于跨年校验"
)
@click.option("--format", "version", type=click.Choice(sorted(FORMS)), help="指定格式版本（默认自动识别）")
@click.option("-v", "--verbose", is_flag=True, help="同时列出说明（自动填入的合计等）")
def validate(
    paths, as_json: bool, output: Path | None, last_year: Path | None, version: str | None, verbose: bool
) -> None:
    """校验一个或多个工作簿（也可以是文件夹），列出每个问题。"""
    files = _expand(paths)
    if not files:
        raise click.UsageError("没有找到 .xlsx 工作簿或已发布的年报（.pdf、.html、.docx、.txt）。")
    previous = _last_year_report(last_year) if last_year else None
    results = [_check_file(path, version, previous, _output_for(path, output, len(files))) for path in files]
    if as_json:
        payload = results[0] if len(results) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        for result in results:
            click.echo(_text(result, verbose))
        if len(results) > 1:
            click.echo(_summary_table(results))
    sys.exit(_exit_code(results))


def _expand(paths) -> list[Path]:
    from .published import SUFFIXES

    files = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xlsx", *SUFFIXES) and _is_input(p))
            )
        else:
            files.append(path)
    return files


def _is_input(path: Path) -> bool:
    return not path.name.startswith("~$") and not path.name.endswith(".checked.xlsx")


def _output_for(path: Path, output: Path | None, count: int) -> Path | None:
    if output is None:
        return None
    if count == 1 and output.suffix.lower() == ".xlsx":
        return output
    output.mkdir(parents=True, exist_ok=True)
    return output / f"{path.stem}.checked.xlsx"


def _last_year_report(path: Path) -> Report:
    from .published.commands import validated

    try:
        return validated(path)
    except ServerError as error:
        refusal = click.ClickException(f"上年度工作簿无法读取：{error.message}")
        refusal.exit_code = 2  # as for any file that cannot be read
        raise refusal from error


def _check_file(path: Path, version: str | None, previous: Report | None, output: Path | None) -> dict:
    from .published import is_published

    if is_published(path.name):  # a published report (PDF, web page, Word, text): no annotated copy
        from .published.commands import check_published

        return check_published(path, version, previous, _max_findings())
    from .workbook import validate_grids
    from .xlsx.annotate import annotate
    from .xlsx.load import load_grids

    try:
        data = path.read_bytes()
        reading, report = validate_grids(
            load_grids(data), version=version, last_year=previous, max_findings=_max_findings()
        )
    except ServerError as error:
        return {"file": str(path), "ok": False, "error": error.message}
    except OSError as error:
        return {"file": str(path), "ok": False, "error": f"无法读取文件：{error.strerror or error}"}
    result = {"file": str(path), **report.to_dict()}
    if output is not None:
        if output.resolve() == path.resolve():
            raise click.UsageError("输出文件不能与输入文件相同：校验不会修改原文件。")
        try:
            output.write_bytes(annotate(data, reading, report))
        except OSError as error:
            result["output_error"] = f"无法写出标注后的副本“{output}”：{error.strerror or error}"
        else:
            result["output"] = str(output)
    return result


def _max_findings() -> int:
    """MAX_FINDINGS as configured for the service (environment or default)."""
    from .config import DEFAULTS
    from .config import from_environment

    return int(from_environment().get("MAX_FINDINGS", DEFAULTS["MAX_FINDINGS"]))


def _exit_code(results: list[dict]) -> int:
    if any("error" in result for result in results):
        return 2
    return 1 if any(not result["ok"] for result in results) else 0


def _text(result: dict, verbose: bool) -> str:
    from .cli_text import report_text

    return report_text(result, verbose)


def _summary_table(results: list[dict]) -> str:
    lines = ["", "汇总：", f"{'文件':<40} {'单位':<16} {'年度':<6} {'错误':>4} {'提示':>4}"]
    for result in results:
        name = Path(result["file"]).name
        if "error" in result:
            lines.append(f"{name:<40} 无法读取")
            continue
        counts = result["counts"]
        lines.append(
            f"{name:<40} {result['unit'] or '—':<16} {result['year'] or '—'!s:<6} {counts[ERROR]:>4} {counts['warning']:>4}"
        )
    return "\n".join(lines)


# district ------------------------------------------------------------------------------------


def _register_district_commands() -> None:
    from .district.cli import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_district_commands()


def _register_published_commands() -> None:
    from .published.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_published_commands()


# template / docs ---------------------------------------------------------------


@main.command()
@click.option(
    "--format",
    "version",
    type=click.Choice(sorted(FORMS)),
    default=lambda: latest_form().version,
    show_default="最新版本",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 .xlsx 文件"
)
def template(version: str, output: Path) -> None:
    """写出空白模板（--format 2021 或 2019）。"""
    from .xlsx.template import write_template

    write_template(version, output)
    click.echo(f"已写出 {version} 年版模板：{output}")


@main.command()
@click.option("--check", is_flag=True, help="只检查生成的文档是否最新，不写文件")
def docs(check: bool) -> None:
    """根据表格定义和规则注册表重新生成 docs/cells.md 和 docs/rules.md。"""
    from .docs import generated_pages

    stale = []
    for name, text in generated_pages().items():
        target = ROOT / "docs" / name
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"已写出 {target}")
    if stale:
        raise click.ClickException(f"{'、'.join(stale)} 不是最新的，请运行 python -m server docs")
