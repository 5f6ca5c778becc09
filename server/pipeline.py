"""The single entry point every door calls: values in, :class:`Report` out.

Doors (xlsx file, xlwings payload, JSON API, district database) turn their
input into a plain mapping ``{cell key: raw value}`` plus the header fields,
call :func:`validate_values`, and turn the report back into their own
output. This module and everything it imports are free of IO.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping

from .findings import SEVERITIES
from .findings import Finding
from .findings import Report
from .forms import get_form
from .forms.cache import per_form
from .forms.model import Domain
from .forms.model import Form
from .readings import read
from .rules import run
from .rules.base import Context
from .rules.base import LastYear
from .rules.catalogue import RULES
from .rules.header import parse_header
from .rules.messages import render
from .stories import tell

MAX_FINDINGS = 500
"""Findings beyond this many are left out (a notice says how many)."""


def validate_values(
    form: Form | str,
    values: Mapping[str, object],
    *,
    header: Mapping[str, object] | None = None,
    addresses: Mapping[str, tuple[str | None, str | None]] | None = None,
    last_year: Report | None = None,
    autofilled: Mapping[str, int | float] | None = None,
    layout_findings: Iterable[Finding] = (),
    extra_checks: Iterable[Callable[[Report], Iterable[Finding]]] = (),
    max_findings: int = MAX_FINDINGS,
) -> Report:
    """Validate one report given as raw cell values keyed by cell key.

    :param values: cell key -> raw value as typed (missing keys are blank).
    :param header: header field key (unit, year, preparer, phone, date) -> raw value.
    :param addresses: cell or ``header.*`` key -> (sheet, A1) for messages.
    :param last_year: the validated report of the year before, for cross-year rules.
    :param autofilled: values this validator filled in on an earlier run.
    :param layout_findings: findings a door made while reading the workbook.
    :param extra_checks: checks of what only some documents have (a published report's
        narrative, P9), run on the finished values before the findings are ordered and capped.
    """
    form = get_form(form) if isinstance(form, str) else form
    parsed = parse_header(header)
    report = Report(version=form.version, year=parsed.year, unit=parsed.unit)
    keys, domains = _domains(form)
    readings = dict(zip(keys, map(read, map(values.get, keys), domains), strict=True))
    ctx = Context(
        form=form,
        readings=readings,
        header=parsed,
        addresses=addresses or {},
        report=report,
        last_year=_last_year(last_year, parsed.year),
        autofilled=autofilled or {},
    )
    report.findings.extend(layout_findings)
    run(ctx)
    report.values = dict(zip(keys, map(ctx.values.get, keys), strict=True))
    for check in extra_checks:
        report.findings.extend(check(report))
    _order_and_cap(form, report, max_findings)
    tell(form, report)
    return report


@per_form
def _domains(form: Form) -> tuple[tuple[str, ...], tuple[Domain, ...]]:
    """(every cell key, each one's domain) of a form, in order."""
    return tuple(form.cells), tuple(cell.domain for cell in form.cells.values())


@per_form
def _positions(form: Form) -> dict[str, int]:
    """Cell key -> its index in the form (read-only)."""
    return {key: index for index, key in enumerate(form.cells)}


def _last_year(report: Report | None, year: int | None) -> LastYear | None:
    if report is None:
        return None
    header = parse_header({"unit": report.unit, "year": report.year})
    comparable = year is None or report.year is None or report.year == year - 1
    return LastYear(get_form(report.version), report.values, header, comparable)


def _order_and_cap(form: Form, report: Report, limit: int) -> None:
    position = _positions(form)
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}

    def order(finding: Finding) -> tuple:
        key = finding.key or ""
        return (
            rank[finding.severity],
            0 if key.startswith("header.") else 1,
            position.get(key, len(position)),
            finding.rule,
        )

    report.findings.sort(key=order)
    if len(report.findings) > limit:
        report.truncated = len(report.findings) - limit
        first_left_out = report.findings[limit]
        del report.findings[limit:]
        report.findings.append(_truncation_notice(report.truncated, limit, first_left_out))


def _truncation_notice(left_out: int, limit: int, first: Finding) -> Finding:
    """A notice placed at the first finding that was left out."""
    info = RULES["report.truncated"]
    message = render("report.truncated", shown=limit, left_out=left_out)
    return Finding(
        rule=info.id,
        severity=info.severity,
        message=message,
        sheet=first.sheet,
        cell=first.cell,
        actual=left_out,
        expected=limit,
    )
