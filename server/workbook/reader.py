"""Read a workbook (as grids) into cell values keyed by the form's cell keys.

1. The template writes a hidden metadata sheet naming the form version.
   When it is there and every table sheet still has its labels where the
   layout put them, cells are read at their template addresses.
2. Otherwise (no marker: a workbook typed by hand from last year's published
   tables; or rows/sheets moved) the version is recognised from the labels
   and the tables are found by their labels (:mod:`server.workbook.labels`).

The result carries the raw values, the header fields, the address of every
key (for messages), the validator's own earlier fills and flags (from the
metadata sheet), and the layout findings (stray values, missing tables).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field

from ..errors import UnknownFormVersion
from ..findings import Finding
from ..forms import FORMS
from ..forms.cache import per_form
from ..forms.model import Form
from ..readings import Formula
from ..rules.catalogue import rule_info
from ..rules.messages import render
from . import labels
from .grid import Grid
from .layout import DERIVED
from .layout import HEADER
from .layout import INPUT
from .layout import META_MARKER
from .layout import META_SHEET
from .layout import a1
from .layout import layout_for
from .located import Located
from .normalize import normalize_label

_CHECKED_KINDS = ("block_title", "column_header", "row_label", "field_label")


@dataclass
class Meta:
    """What the metadata sheet says."""

    version: str | None = None
    revision: int | None = None
    """Template revision; 0 for a hand-made workbook the validator annotated."""
    autofilled: dict[str, int | float] = field(default_factory=dict)
    flagged: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class WorkbookReading:
    """A workbook read against a form."""

    form: Form
    mode: str
    values: dict[str, object]
    header: dict[str, object]
    addresses: dict[str, tuple[str, str]]
    meta: Meta
    findings: list[Finding]
    sheet_names: list[str]


def read_meta(grids: list[Grid]) -> Meta | None:
    """The metadata sheet's content, or None when the workbook has none."""
    for grid in grids:
        if grid.name == META_SHEET and grid.get(1, 1) == META_MARKER:
            return Meta(
                version=_text(grid.get(1, 2)),
                revision=_int(grid.get(2, 2)),
                autofilled=_json(grid.get(3, 2), dict),
                flagged=[tuple(item) for item in _json(grid.get(4, 2), list) if len(item) == 2],
            )
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip() or None


def _int(value: object) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _json(value: object, kind: type):
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, kind) else kind()


def read_workbook(grids: list[Grid], *, version: str | None = None) -> WorkbookReading:
    """Locate the form in the grids and read every cell and header field."""
    meta = read_meta(grids) or Meta()
    located = _locate(grids, meta, version)
    return _read(grids, located, meta)


def _locate(grids: list[Grid], meta: Meta, version: str | None) -> Located:
    wanted = version or meta.version
    if wanted is not None:
        if wanted not in FORMS:
            raise UnknownFormVersion(f"工作簿标注的报表格式版本“{wanted}”未知，请使用最新的模板。")
        form = FORMS[wanted]
        from_template = meta.version == wanted and bool(meta.revision)
        if from_template:
            located = _by_template(form, grids)
            if located is not None:
                return located
        located = labels.locate(form, grids)
        if from_template:
            _note_moved(form, grids, located)
        return located
    index = labels.Index(grids)
    form = labels.detect_version(grids, index)
    if form is None:
        raise UnknownFormVersion(
            "无法识别这个工作簿：没有找到政府信息公开工作年度报告的统计表。请使用标准模板（填报信息、表一、表二、表三）。"
        )
    return labels.locate(form, grids, index)


@dataclass(frozen=True)
class _TemplateSheet:
    """What reading a template workbook needs of one sheet of the layout (built once per form)."""

    name: str
    labels: tuple[tuple[int, int, str, str], ...]
    """(row, col, text, normalised text) of the labels that must still be in place."""
    allowed: dict[int, frozenset[int]] | None
    """Row -> columns where a table sheet may hold something (labels and value cells); None for the cover."""


@dataclass(frozen=True)
class _Template:
    sheets: tuple[_TemplateSheet, ...]
    positions: dict[str, tuple[str, int, int]]
    header_positions: dict[str, tuple[str, int, int]]
    addresses: dict[str, tuple[str, str]]
    """Cell key or ``header.*`` key -> (sheet, A1) of the positions above, in their order."""


@per_form
def _template(form: Form) -> _Template:
    layout = layout_for(form.version)
    sheets, positions, header_positions = [], {}, {}
    for sheet in layout.sheets:
        for slot in sheet.slots:
            position = (sheet.name, slot.row, slot.col)
            if slot.kind == HEADER:
                header_positions[slot.key.split(".", 1)[1]] = position
            elif slot.kind in (INPUT, DERIVED):
                positions[slot.key] = position
        labels = tuple(
            (r.row, r.col, r.text, normalize_label(r.text))
            for r in sheet.regions
            if r.kind in _CHECKED_KINDS and r.text
        )
        allowed = None
        if sheet.table is not None:
            cells = {(r.row, r.col) for r in sheet.regions}
            cells |= {(s.row, s.col) for s in sheet.slots if s.kind in (INPUT, DERIVED)}
            by_row: dict[int, set[int]] = {}
            for row, col in cells:
                by_row.setdefault(row, set()).add(col)
            allowed = {row: frozenset(cols) for row, cols in by_row.items()}
        sheets.append(_TemplateSheet(sheet.name, labels, allowed))
    addresses = {key: (sheet, a1(row, col)) for key, (sheet, row, col) in positions.items()}
    for name, (sheet, row, col) in header_positions.items():
        addresses[f"header.{name}"] = (sheet, a1(row, col))
    return _Template(tuple(sheets), positions, header_positions, addresses)


def _by_template(form: Form, grids: list[Grid]) -> Located | None:
    """Positions from the layout, if every sheet still matches it."""
    by_name = {grid.name: grid for grid in grids}
    template = _template(form)
    for sheet in template.sheets:
        grid = by_name.get(sheet.name)
        if grid is None or not _labels_in_place(sheet.labels, grid):
            return None
    located = Located(form, "template", dict(template.positions), dict(template.header_positions))
    for sheet in template.sheets:
        if sheet.allowed is not None:
            located.stray.extend(_stray(sheet, by_name[sheet.name]))
    return located


def _labels_in_place(labels: tuple[tuple[int, int, str, str], ...], grid: Grid) -> bool:
    rows = grid.rows
    for row, col, text, normalized in labels:
        line = rows[row - 1] if row <= len(rows) else ()
        found = line[col - 1] if col <= len(line) else None
        if found != text and normalize_label(found) != normalized:
            return False
    return True


def _stray(sheet: _TemplateSheet, grid: Grid) -> list[tuple[str, int, int]]:
    """Non-empty cells of a table sheet that are neither a label nor a value cell."""
    out = []
    nothing: frozenset[int] = frozenset()
    for row, line in enumerate(grid.rows, start=1):
        allowed = sheet.allowed.get(row, nothing)
        for col, value in enumerate(line, start=1):
            if value is not None and col not in allowed and not (isinstance(value, str) and not value.strip()):
                out.append((sheet.name, row, col))
    return out


def _note_moved(form: Form, grids: list[Grid], located: Located) -> None:
    by_name = {grid.name: grid for grid in grids}
    layout = layout_for(form.version)
    labels = {sheet.name: sheet.labels for sheet in _template(form).sheets}
    for table in form.tables:
        if table.key in located.missing_tables:
            continue
        sheet = layout.sheet_of_table(table.key)
        grid = by_name.get(sheet.name)
        if grid is None:
            located.moved.setdefault(table.key, f"找不到工作表“{sheet.name}”")
        elif not _labels_in_place(labels[sheet.name], grid):
            located.moved.setdefault(table.key, f"工作表“{sheet.name}”中的行或列与模板不同")


# Reading values -------------------------------------------------------------


def _read(grids: list[Grid], located: Located, meta: Meta) -> WorkbookReading:
    by_name = {grid.name: grid for grid in grids}
    values, header, addresses = {}, dict(located.header_values), {}
    derived = located.form.definitions
    rows_of = {grid.name: grid.rows for grid in grids}
    template = _template(located.form)
    as_template = located.mode == "template"  # positions copied from the template (_by_template), in its order
    for key, (sheet, row, col) in located.positions.items():
        rows = rows_of[sheet]
        line = rows[row - 1] if 0 < row <= len(rows) else ()
        value = line[col - 1] if 0 < col <= len(line) else None
        if value is not None and value.__class__ is not int and value.__class__ is not float:
            value = _cell(value, derived=key in derived)
        values[key] = value
        if not as_template:
            addresses[key] = (sheet, a1(row, col))
    for name, (sheet, row, col) in located.header_positions.items():
        if name not in located.header_values:
            header[name] = _cell(by_name[sheet].get(row, col))
        if not as_template:
            addresses[f"header.{name}"] = (sheet, a1(row, col))
    if as_template:  # the same positions give the same addresses, worked out once
        addresses = dict(template.addresses)
    findings = _layout_findings(located, by_name)
    autofilled = meta.autofilled if located.mode == "template" or meta.version else {}
    meta = Meta(meta.version, meta.revision, autofilled, meta.flagged)
    return WorkbookReading(
        located.form, located.mode, values, header, addresses, meta, findings, [g.name for g in grids]
    )


def _cell(value: object, *, derived: bool = False) -> object:
    if derived and isinstance(value, Formula):
        return None  # an uncomputed total is computed like a blank one; its formula stays in the file
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _finding(rule: str, message: str, **fields) -> Finding:
    return Finding(rule=rule, severity=rule_info(rule).severity, message=message, **fields)


def _layout_findings(located: Located, by_name: dict[str, Grid]) -> list[Finding]:
    form = located.form
    out = []
    for sheet, row, col in located.stray:
        where = a1(row, col)
        raw = by_name[sheet].get(row, col)
        message = render("layout.stray", where=where, raw=raw)
        out.append(_finding("layout.stray", message, sheet=sheet, cell=where, actual=raw, expected="空"))
    layout = layout_for(form.version)
    for table_key in located.missing_tables:
        table = form.table(table_key)
        message = render("layout.missing_table", table=table.name, title=table.title, sheet=table.sheet)
        out.append(
            _finding(
                "layout.missing_table",
                message,
                table=table_key,
                sheet=table.sheet,
                cell="A1",
                actual="缺少",
                expected=table.name,
            )
        )
    for table_key, row_key in located.missing_rows:
        row = next(r for r in form.table(table_key).rows if r.key == row_key)
        out.append(_missing_piece("layout.missing_row", form, layout, located, table_key, row.label))
    for table_key, column_key in located.missing_columns:
        column = next(c for c in form.table(table_key).columns if c.key == column_key)
        out.append(_missing_piece("layout.missing_column", form, layout, located, table_key, column.label))
    for table_key, detail in located.moved.items():
        table = form.table(table_key)
        message = render("layout.moved", table=table.name, detail=detail)
        sheet, cell = _anchor(layout, located, table_key)
        out.append(
            _finding(
                "layout.moved", message, table=table_key, sheet=sheet, cell=cell, actual=detail, expected="标准模板"
            )
        )
    return out


def _missing_piece(rule: str, form, layout, located: Located, table_key: str, label: str) -> Finding:
    """A row or column of a table that the workbook lacks, reported at the table's first cell."""
    table = form.table(table_key)
    sheet, cell = _anchor(layout, located, table_key)
    message = render(rule, table=table.name, label=label)
    return _finding(rule, message, table=table_key, sheet=sheet, cell=cell, actual="缺少", expected=label)


def _anchor(layout, located: Located, table_key: str) -> tuple[str, str]:
    """The first located cell of a table, else A1 of its template sheet."""
    for key, (sheet, row, col) in located.positions.items():
        if key.startswith(f"{table_key}."):
            return sheet, a1(row, col)
    return layout.sheet_of_table(table_key).name, "A1"
