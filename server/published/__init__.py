"""The published-report door: a 年报 as published (PDF, web page, Word, text) through the same engine.

A reader turns the document into printed lines and paragraphs
(:mod:`.document`); the tables are read against the form definitions
(:mod:`.tables`), the header fields from the title and the text
(:mod:`.front`); the values go through :func:`server.pipeline.validate_values`
like every other door, with the layout findings of the reading and the
narrative checks (:mod:`.narrative`, FORMS.md P9). Findings name the place in
the document (第 12 行, 第 3 页第 12 行, 第 2 个表格第 5 行第 3 列) where a
workbook finding names a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from ..errors import DocumentUnreadable
from ..errors import UnknownFormVersion
from ..findings import Finding
from ..findings import Report
from ..forms import get_form
from ..forms.model import Form
from ..pipeline import MAX_FINDINGS
from ..pipeline import validate_values
from .document import Document
from .front import read_front
from .narrative import narrative_check
from .tables import read_tables
from .version import detect_form

SUFFIXES = (".pdf", ".html", ".htm", ".shtml", ".docx", ".txt", ".doc", ".wps")
"""File name endings of the published reports the door takes (.doc and .wps only to say how to convert them)."""


@dataclass
class PublishedReading:
    """A published report read against a form."""

    document: Document
    form: Form
    values: dict[str, object]
    header: dict[str, object]
    addresses: dict[str, tuple[str, str]]
    findings: list[Finding]
    mode: str = "published"
    """How the tables were found (workbook doors say template or labels)."""


def is_published(name: str) -> bool:
    """Whether a file name is one of a published report (not a workbook)."""
    return PurePath(name).suffix.lower() in SUFFIXES


def read_document(data: bytes, name: str = "") -> Document:
    """The document's lines and paragraphs, by the file's kind (its ending, else its first bytes)."""
    kind = _kind(data, name)
    if PurePath(name).suffix.lower() in (".doc", ".wps"):
        raise DocumentUnreadable("旧版 Word（.doc）或 WPS 文件无法直接读取，请另存为 .docx 或 PDF 后上传。")
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from .docx import read_docx

        return read_docx(data, name)
    if kind == "html":
        from .html import read_html

        return read_html(data, name)
    from .text import read_text

    return read_text(data, name)


def _kind(data: bytes, name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if suffix == ".docx" or (data.startswith(b"PK") and b"word/" in data[:4096]):
        return "docx"
    head = data[:2048].lstrip().lower()
    if suffix in (".html", ".htm", ".shtml") or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def read_published(data: bytes, name: str = "", *, version: str | None = None) -> PublishedReading:
    """Read a published report: its form, cell values, header fields, evidence and layout findings."""
    document = read_document(data, name)
    front = read_front(document)
    form = get_form(version) if version else detect_form(document, front.year)
    if form is None:
        raise UnknownFormVersion(
            "文档中没有找到政府信息公开工作年度报告的统计表（主动公开、依申请公开、复议诉讼三张表）。"
            "请确认上传的是年度报告全文；如果是扫描件或图片，请上传带文字的版本。"
        )
    tables = read_tables(document, form)
    if not tables.found_any:
        raise DocumentUnreadable(f"文档中找到了{form.version}年版统计表的标题，但没有读到任何一行数字，请核对文档。")
    addresses = {**tables.addresses, **front.addresses}
    return PublishedReading(document, form, tables.values, front.values, addresses, tables.findings)


def validate_published(
    data: bytes,
    name: str = "",
    *,
    version: str | None = None,
    last_year: Report | None = None,
    max_findings: int = MAX_FINDINGS,
) -> tuple[PublishedReading, Report]:
    """Read a published report and validate it with the one engine, narrative included."""
    reading = read_published(data, name, version=version)
    report = validate_values(
        reading.form,
        reading.values,
        header=reading.header,
        addresses=reading.addresses,
        last_year=last_year,
        layout_findings=reading.findings,
        extra_checks=(narrative_check(reading.form, reading.document, reading.addresses, reading.values),),
        max_findings=max_findings,
    )
    return reading, report
