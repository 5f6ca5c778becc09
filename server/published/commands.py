"""Command-line doors of the published reports: ``export`` and ``audit``, and the helpers ``validate`` uses.

* ``python -m server export 报告.xlsx|.pdf|.html|.docx|.txt -o 统计表.docx`` — the validated tables as the
  published section (.docx or .html, official layout);
* ``python -m server audit 年报文件夹/ --year 2025 -o 审查汇总.xlsx`` — every published report of a folder
  through the engine, summarised one row per report.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServerError
from ..findings import ERROR
from ..findings import Report
from ..pipeline import MAX_FINDINGS
from . import SUFFIXES
from . import is_published
from . import validate_published


def check_published(path: Path, version: str | None, previous: Report | None, max_findings: int) -> dict:
    """The CLI result of one published report: the report JSON with the file name, or the error."""
    try:
        _, report = validate_published(
            path.read_bytes(), path.name, version=version, last_year=previous, max_findings=max_findings
        )
    except ServerError as error:
        return {"file": str(path), "ok": False, "error": error.message}
    except OSError as error:
        return {"file": str(path), "ok": False, "error": f"无法读取文件：{error.strerror or error}"}
    return {"file": str(path), **report.to_dict()}


def validated(path: Path, version: str | None = None) -> Report:
    """The report of a workbook or a published document (for --last-year and export)."""
    data = path.read_bytes()
    if is_published(path.name):
        return validate_published(data, path.name, version=version)[1]
    from ..workbook import validate_grids
    from ..xlsx.load import load_grids

    return validate_grids(load_grids(data), version=version)[1]


@click.command()
@click.argument("report_path", metavar="REPORT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 .docx 或 .html"
)
@click.option("--force", is_flag=True, help="有错误时也导出")
def export(report_path: Path, output: Path, force: bool) -> None:
    """把校验后的三张统计表导出为年报正文用的表格（Word 或网页，官方格式）。"""
    from ..forms import get_form
    from .export import export_docx
    from .export import export_html

    suffix = output.suffix.lower()
    if suffix not in (".docx", ".html", ".htm"):
        raise click.UsageError("输出文件应为 .docx 或 .html。")
    try:
        report = validated(report_path)
    except ServerError as error:
        raise click.ClickException(f"{report_path.name} 无法读取：{error.message}") from error
    if not report.ok and not force:
        raise click.ClickException(
            f"{report_path.name} 有 {report.counts[ERROR]} 处错误，请先改正后再导出（或加 --force 照样导出）。"
        )
    form = get_form(report.version)
    if suffix == ".docx":
        output.write_bytes(export_docx(form, report.values, unit=report.unit, year=report.year))
    else:
        output.write_text(export_html(form, report.values, unit=report.unit, year=report.year), encoding="utf-8")
    click.echo(f"已导出 {report.version} 年版统计表：{output}")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="审查的报告年度，例如 2025")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="汇总表 .xlsx")
@click.option("--registered", is_flag=True, help="同时列出已登记但没有找到年报的单位")
def audit(folder: Path, year: int, output: Path, registered: bool) -> None:
    """审查一个文件夹中各单位公开发布的年报（PDF、网页、Word、文本），写出汇总表。"""
    from .audit import audit_workbook
    from .audit import conclusion
    from .audit import missing_units

    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise click.UsageError(f"文件夹中没有年报文件（{'、'.join(SUFFIXES)}）。")
    results = []
    with click.progressbar(files, label="正在审查", show_pos=True) as bar:
        for path in bar:
            result = check_published(path, None, None, MAX_FINDINGS)
            result["file"] = str(path.relative_to(folder))
            results.append(result)
    missing = missing_units(_registered_units(), results) if registered else []
    title = f"{year}年度政府信息公开工作年度报告审查汇总"
    output.write_bytes(audit_workbook(results, year, title, missing))
    for result in results:
        counts = result.get("counts", {})
        click.echo(
            f"{result['file']:<40} {result.get('unit') or '—':<20} {conclusion(result, year):<12} "
            f"错误 {counts.get('error', '—')}  提示 {counts.get('warning', '—')}"
        )
    for name in missing:
        click.echo(f"{'—':<40} {name:<20} 未找到年报")
    click.echo(f"共 {len(results)} 份{f'，{len(missing)} 个已登记单位未找到年报' if missing else ''}，汇总表：{output}")


def _registered_units() -> list[str]:
    """Names of the units registered in the district's database."""
    from ..district import service
    from ..district.cli import open_session

    with open_session() as session:
        return [unit.name for unit in service.units(session)]


COMMANDS = (export, audit)
