"""The three tables of a published report, read against the form definitions.

Each printed row (:class:`~server.published.document.Line`) is split into its
label cells and its value cells. The label names a row of the form
(:mod:`server.published.labels`); the values are laid onto the columns of that
row's block, left to right. 表三 has no row label and is recognised by its
header words. What real publications do wrong becomes a layout finding naming
the place in the document: a row of the other format version, a misprinted
label, a missing or an extra value in a row, a row that belongs to no table,
a row or table not printed at all. Blank cells stay blank (None), printed
zeros stay 0: the engine tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from ..findings import Finding
from ..forms import FORMS
from ..forms import latest_form
from ..forms.derive import cell_key
from ..forms.model import Form
from ..rules.catalogue import rule_info
from ..rules.messages import render
from ..workbook.normalize import normalize_label
from .document import Cell
from .document import Document
from .document import Line
from .labels import CUT
from .labels import EXACT
from .labels import INDEX
from .labels import Match
from .labels import RowRef
from .rows import T3_MIN_VALUES
from .rows import drop_subtotal
from .rows import fit
from .rows import match_labels
from .rows import numbers_only
from .rows import raw_value
from .rows import split_line

_PENDING = 3
"""Label-only lines kept to complete the label of the row below them (a row broken by a page,
a label printed above its numbers)."""


@dataclass
class TablesRead:
    """The form's cells as printed in a document."""

    form: Form
    values: dict[str, object] = field(default_factory=dict)
    addresses: dict[str, tuple[str, str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rows: dict[tuple[str, str], Line] = field(default_factory=dict)
    """(table key, row key) -> the printed row it was read from."""

    @property
    def found_any(self) -> bool:
        """Whether any row of any table was found."""
        return bool(self.rows)


# Reading ----------------------------------------------------------------------------------


def read_tables(doc: Document, form: Form) -> TablesRead:
    """Read every printed row of the document against ``form``."""
    out = TablesRead(form)
    reader = _Reader(doc, form, out)
    reader.run()
    return out


class _Reader:
    def __init__(self, doc: Document, form: Form, out: TablesRead):
        self.doc, self.form, self.out = doc, form, out
        self.t3_header = False
        self.unknown: list[tuple[int, Line, str]] = []
        self.matched_at: list[int] = []
        self.mapped_groups: set[tuple[str, tuple]] = set()
        self.mapped_rows: set[tuple[str, str]] = set()
        self.subtotals: dict[str, list[tuple[Cell, str]]] = {}

    def run(self) -> None:
        lines = self.doc.lines
        pending: list[Cell] = []
        for index, line in enumerate(lines):
            labels, values = split_line(line)
            following = lines[index + 1].text if index + 1 < len(lines) else ""
            if labels and all(cell.blank for cell in values) and numbers_only(lines, index + 1):
                pending = (pending + labels)[-_PENDING:]  # the label's numbers are on the next line
                continue
            if labels or (pending and 0 < len(values) < T3_MIN_VALUES):
                self._labelled(index, line, labels, values, following, pending)
            else:
                self._unlabelled(index, line, values)
            pending = (pending + labels)[-_PENDING:] if labels and not values and len(labels) <= 2 else []
        self._report_unknown()
        self._report_missing()
        self._report_subtotals()

    # Rows with a label ----------------------------------------------------------------

    def _labelled(
        self, index: int, line: Line, labels: list[Cell], values: list[Cell], following: str, pending: list[Cell]
    ) -> None:
        printed = "".join(cell.text for cell in labels)
        norm = normalize_label(printed)
        if _is_t3_header(labels):
            self.t3_header = True
        match, labels, values = match_labels(labels, values, self.form, following)
        if values and pending and (match is None or match.how not in (EXACT, CUT)):
            joined = match_labels(pending + labels, values, self.form, following)
            if joined[0] is not None and joined[0].how in (EXACT, CUT):
                match, labels, values = joined
        printed = "".join(cell.text for cell in labels)
        filled = [cell for cell in values if not cell.blank]
        if match is None:
            if INDEX.is_group(norm) or not filled:
                return
            if self.t3_header and len(filled) >= T3_MIN_VALUES and "t3" not in self._tables_read():
                self._t3(index, line, values)
                return
            self.unknown.append((index, line, printed))
            return
        if not filled and not values:
            return
        if match.ref.form is not self.form:
            self._other_version(index, line, match, values)
            return
        if (match.ref.table.key, match.ref.row.key) in self.out.rows:
            return
        self.matched_at.append(index)
        if match.how not in (EXACT, CUT):
            self._fuzzy_notice(line, match)
        self._place(line, match.ref, values)

    def _unlabelled(self, index: int, line: Line, values: list[Cell]) -> None:
        filled = [cell for cell in values if not cell.blank]
        if "t3" in self._tables_read() or len(filled) < T3_MIN_VALUES:
            return
        width = len(self.form.table("t3").columns)
        if self.t3_header or len(filled) >= width or len(values) == width:
            self.matched_at.append(index)
            self._t3(index, line, values)

    def _tables_read(self) -> set[str]:
        return {table for table, _ in self.out.rows}

    def _t3(self, index: int, line: Line, values: list[Cell]) -> None:
        table = self.form.table("t3")
        block = table.blocks[0]
        self.matched_at.append(index)
        self._place(line, RowRef(self.form, table, block, block.rows[0]), values)

    # Values ----------------------------------------------------------------------------

    def _place(self, line: Line, ref: RowRef, values: list[Cell], target: RowRef | None = None) -> None:
        """Lay the printed values onto the columns of the row (or of ``target``, a mapped row)."""
        target = target or ref
        columns = target.block.columns
        values, subtotal, group = drop_subtotal(values, columns, line.where)
        if subtotal is not None:
            self.subtotals.setdefault(target.table.key, []).append((subtotal, group))
        cells, extra = fit(values, len(columns))
        table = target.table
        for position, (column, cell) in enumerate(zip(columns, cells, strict=False), start=1):
            key = cell_key(table.key, target.row.key, column.key)
            value = raw_value(cell.text)
            if self.out.values.get(key) is not None:
                value = _add(self.out.values[key], value)
            self.out.values[key] = value
            self.out.addresses.setdefault(key, (table.name, _where(line, cell, position)))
        self.out.rows[(table.key, target.row.key)] = line
        label = _row_name(ref)
        for position, cell in enumerate(extra, start=len(columns) + 1):
            if not cell.blank:
                self._stray(line, ref, cell, position, len(columns), len(columns) + len(extra))
        if len(cells) < len(columns):
            missing = [c.label for c in columns[len(cells) :]]
            for column in columns[len(cells) :]:
                key = cell_key(table.key, target.row.key, column.key)
                self.out.values.setdefault(key, None)
                self.out.addresses.setdefault(key, (table.name, line.where))
            where = line.where
            self._finding(
                "layout.missing_value",
                table.name,
                where,
                table.key,
                params={
                    "where": where,
                    "table": table.name,
                    "label": label,
                    "count": len(cells),
                    "columns": len(columns),
                    "missing": "、".join(f"“{m}”" for m in missing),
                },
                expected=len(columns),
                actual=len(cells),
            )

    def _stray(self, line: Line, ref: RowRef, cell: Cell, position: int, columns: int, count: int) -> None:
        where = _where(line, cell, position)
        self._finding(
            "layout.stray",
            ref.table.name,
            where,
            ref.table.key,
            template="layout.stray_printed",
            params={
                "where": where,
                "raw": cell.text.strip(),
                "table": ref.table.name,
                "label": _row_name(ref),
                "columns": columns,
                "count": count,
            },
            expected="空",
            actual=raw_value(cell.text),
        )

    # Layout findings ------------------------------------------------------------------------

    def _fuzzy_notice(self, line: Line, match: Match) -> None:
        self._finding(
            "layout.label_fuzzy",
            match.ref.table.name,
            line.where,
            match.ref.table.key,
            params={"where": line.where, "printed": match.printed.strip(), "label": match.ref.row.label},
            expected=match.ref.row.label,
            actual=match.printed.strip(),
        )

    def _other_version(self, index: int, line: Line, match: Match, values: list[Cell]) -> None:
        target = _counterpart(self.form, match.ref)
        detail = "，数字未读取"
        target_key = (target.table.key, target.row.key) if target is not None else None
        if target is not None and (target_key not in self.out.rows or target_key in self.mapped_rows):
            self.mapped_rows.add(target_key)
            detail = f"，其数字已计入“{target.row.label}”"
            self.matched_at.append(index)
            self._place(line, match.ref, values, target)
            self.mapped_groups.add((target.table.key, tuple(target.row.labels[:-1])))
        other = match.ref.form
        self._finding(
            "layout.other_version",
            match.ref.table.name,
            line.where,
            match.ref.table.key,
            params={
                "where": line.where,
                "printed": match.printed.strip(),
                "other": other.version,
                "version": self.form.version,
                "name": self.form.name,
                "detail": detail,
            },
            expected=self.form.version,
            actual=other.version,
        )

    def _report_unknown(self) -> None:
        if not self.matched_at:
            return
        first, last = min(self.matched_at), max(self.matched_at)
        for index, line, printed in self.unknown:
            if first < index < last:
                table = self._table_near(index)
                self._finding(
                    "layout.unknown_row",
                    table.name,
                    line.where,
                    table.key,
                    params={"where": line.where, "printed": printed.strip(), "table": table.name},
                    expected="标准格式的行",
                    actual=printed.strip(),
                )

    def _table_near(self, index: int):
        before = [i for i in self.matched_at if i < index]
        nearest = max(before)
        for (table, _), line in self.out.rows.items():
            if line is self.doc.lines[nearest]:
                return self.form.table(table)
        return self.form.tables[0]

    def _report_missing(self) -> None:
        found = self._tables_read()
        for table in self.form.tables:
            if table.key not in found:
                self._finding(
                    "layout.missing_table",
                    table.name,
                    None,
                    table.key,
                    template="layout.missing_table_printed",
                    params={"table": table.name, "title": table.title},
                    expected=table.name,
                    actual="缺少",
                )
                continue
            for row in table.rows:
                if (table.key, row.key) in self.out.rows or (table.key, tuple(row.labels[:-1])) in self.mapped_groups:
                    continue
                self._finding(
                    "layout.missing_row",
                    table.name,
                    None,
                    table.key,
                    template="layout.missing_row_printed",
                    params={"table": table.name, "label": row.label},
                    expected=row.label,
                    actual="缺少",
                )

    def _report_subtotals(self) -> None:
        """One finding per table that printed a subtotal column the form does not have."""
        for table_key, dropped in self.subtotals.items():
            table = self.form.table(table_key)
            first, group = dropped[0]
            self._finding(
                "layout.stray",
                table.name,
                first.where,
                table_key,
                template="layout.subtotal",
                params={"table": table.name, "group": group, "count": len(dropped), "where": first.where},
                expected="空",
                actual=raw_value(first.text),
            )

    def _finding(self, rule, sheet, cell, table, *, params, template=None, **fields) -> None:
        message = render(template or rule, **params)
        info = rule_info(rule)
        self.out.findings.append(
            Finding(rule=rule, severity=info.severity, message=message, sheet=sheet, cell=cell, table=table, **fields)
        )


def _row_name(ref: RowRef) -> str:
    """The row's label, or for 表三's single unlabelled row its section title."""
    return ref.row.label or ref.table.title.split("、", 1)[-1]


def _where(line: Line, cell: Cell, position: int) -> str:
    return cell.where or f"{line.where}第{position}个数"


def _add(left: object, right: object) -> object:
    """Two printed values of one cell (sub-rows mapped onto one row): their sum when both are numbers."""
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not isinstance(right, bool):
        return left + right
    return left


def _is_t3_header(labels: list[Cell]) -> bool:
    t3 = FORMS[latest_form().version].table("t3")
    words = {normalize_label(part) for column in t3.columns for part in column.header}
    return any(normalize_label(cell.text) in words - {"总计"} for cell in labels)


def _counterpart(form: Form, ref: RowRef) -> RowRef | None:
    """The row of ``form`` that takes the values of another version's row, judged by labels.

    A single row whose label is a group of sub-rows in ``form`` (V2019 （六）其他处理 in a
    V2021 report) goes to the group's last sub-row (3.其他); sub-rows whose group is a
    single row in ``form`` (the V2021 sub-rows in a V2019 report) add up in that row.
    Only rows with the same columns are mapped.
    """
    try:
        table = form.table(ref.table.key)
    except KeyError:
        return None
    own = normalize_label(ref.row.label)
    groups = {normalize_label(label) for label in ref.row.labels[:-1]}
    columns = tuple(c.key for c in ref.block.columns)
    same = [
        RowRef(form, table, block, row)
        for block in table.blocks
        if tuple(c.key for c in block.columns) == columns
        for row in block.rows
    ]
    for candidate in same:
        if normalize_label(candidate.row.label) in groups:
            return candidate
    members = [c for c in same if own in {normalize_label(g) for g in c.row.labels[:-1]}]
    return members[-1] if members else None
