"""What every rule family works on: the :class:`Context` of one validation.

A rule family is a module with ``run(ctx)``: it looks at the readings and
values in the context and adds findings and outcome counts to
``ctx.report``. Rules never raise on bad data; they report it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields as dataclass_fields

from ..findings import CellRef
from ..findings import Finding
from ..findings import Report
from ..forms.model import Form
from ..readings import Reading
from .catalogue import rule_info
from .messages import render


def cell_ref(key: str | None, sheet: str | None, cell: str | None, label: str, value: object, role: str) -> CellRef:
    """``CellRef(key, sheet, cell, label, value, role)`` without the frozen dataclass's ``__init__``
    (six ``object.__setattr__`` calls; a click names dozens of cells): the same object."""
    ref = _new(CellRef)
    ref.__dict__.update(key=key, sheet=sheet, cell=cell, label=label, value=value, role=role)
    return ref


def new_finding(**fields) -> Finding:
    """``Finding(**fields)`` without the frozen dataclass's ``__init__`` (eighteen ``object.__setattr__``
    calls): the same object, the fields not given at their defaults."""
    unknown = fields.keys() - _FINDING_DEFAULTS.keys()
    if unknown or not _FINDING_REQUIRED <= fields.keys():
        return Finding(**fields)  # let the dataclass say what is wrong
    finding = _new(Finding)
    state = finding.__dict__
    state.update(_FINDING_DEFAULTS)
    state.update(fields)
    return finding


_new = object.__new__
_FINDING_DEFAULTS = {f.name: (None if f.default is MISSING else f.default) for f in dataclass_fields(Finding)}
_FINDING_REQUIRED = frozenset(f.name for f in dataclass_fields(Finding) if f.default is MISSING)
assert all(f.default_factory is MISSING for f in dataclass_fields(Finding))

CURRENT = object()
"""Marker for :meth:`Context.ref`: show the cell's current value."""


@dataclass(frozen=True)
class Header:
    """The front-matter fields as read (year parsed, raw text kept)."""

    unit: str | None = None
    year: int | None = None
    year_raw: object = None
    preparer: str | None = None
    phone: str | None = None
    date: object = None
    date_raw: object = None


@dataclass
class LastYear:
    """Last year's report of the same unit, for the cross-year rules."""

    form: Form
    values: Mapping[str, int | float | None]
    header: Header
    comparable: bool = True
    """False when its report year is not the year before (cross-year checks are skipped)."""


@dataclass
class Context:
    """The state of one validation, shared by the rule families."""

    form: Form
    readings: dict[str, Reading]
    header: Header
    addresses: Mapping[str, tuple[str | None, str | None]]
    report: Report
    last_year: LastYear | None = None
    autofilled: Mapping[str, int | float] = field(default_factory=dict)
    values: dict[str, int | float | None] = field(default_factory=dict)
    """Effective numbers after totals and deduction (blank inputs as 0)."""
    state: dict[str, str] = field(default_factory=dict)
    """Cell key -> typed | blank | deduced | computed | unreadable."""
    blockers: dict[str, frozenset[str]] = field(default_factory=dict)
    """Cell key without a value -> the unreadable cells that block it."""
    solved: dict[str, int | float] = field(default_factory=dict)
    """Unreadable cell key -> the value the identities determine (a hint only)."""
    deduced_by: dict[str, str] = field(default_factory=dict)
    """Deduced cell key -> label of the identity that determined it."""
    undecided: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Blocking cell key -> (check name, anchor key) of the checks it blocks."""

    # Addressing -----------------------------------------------------------

    def address(self, key: str) -> tuple[str | None, str | None]:
        """(sheet, A1) of a cell key, or (table sheet, None) when unknown."""
        if key in self.addresses:
            return self.addresses[key]
        cell = self.form.cells.get(key)
        return (cell.table.sheet if cell else None, None)

    def label(self, key: str) -> str:
        """Human label of a cell key or header field key."""
        cell = self.form.cells.get(key)
        if cell is not None:
            return cell.label
        for header_field in self.form.header_fields:
            if key == f"header.{header_field.key}":
                return header_field.label
        return key

    def where(self, key: str) -> str:
        """A cell as clerks read it: ``D10「（一）予以公开·自然人」``."""
        _, a1 = self.address(key)
        label = self.label(key)
        return f"{a1}「{label}」" if a1 else f"「{label}」"

    def ref(self, key: str, role: str = "part", value: object = CURRENT) -> CellRef:
        """A :class:`CellRef` for a key, with its current value by default."""
        return self.refs((key,), role, value)[0]

    def refs(self, keys, role: str = "part", value: object = CURRENT) -> tuple[CellRef, ...]:
        """:class:`CellRef` of each key (its :meth:`address`, :meth:`label` and, by default, what :meth:`shown`
        gives), in one loop with those lookups written out (a filled table names dozens of cells)."""
        addresses, cells, values, readings = self.addresses, self.form.cells, self.values, self.readings
        out = []
        for key in keys:
            cell = cells.get(key)
            if key in addresses:
                sheet, a1 = addresses[key]
            else:
                sheet, a1 = (cell.table.sheet if cell else None, None)
            shown = value
            if value is CURRENT:
                shown = values.get(key)
                if shown is None:
                    reading = readings.get(key)
                    shown = reading.raw if reading is not None else None
            label = cell.label if cell is not None else self.label(key)
            out.append(cell_ref(key, sheet, a1, label, shown, role))
        return tuple(out)

    def shown(self, key: str) -> object:
        """The value to show for a cell: the number used, or the raw text."""
        reading = self.readings.get(key)
        value = self.values.get(key)
        if value is not None:
            return value
        return reading.raw if reading is not None else None

    # Reporting -------------------------------------------------------------

    def finding(self, rule: str, key: str | None, template: str | None = None, **fields) -> Finding:
        """Build a finding reported on ``key``; ``fields`` fill the template and the finding."""
        params = fields.pop("params", {})
        severity = fields.pop("severity", None) or rule_info(rule).severity
        sheet, a1 = self.address(key) if key else (None, None)
        message = render(template or rule, **params)
        table = fields.pop("table", None) or (self.form.cells[key].table.key if key in self.form.cells else None)
        return new_finding(
            rule=rule, severity=severity, message=message, key=key, sheet=sheet, cell=a1, table=table, **fields
        )

    def add(self, finding: Finding) -> None:
        """Add a finding to the report."""
        self.report.findings.append(finding)

    def block(self, blocking: str, check: str, anchor: str) -> None:
        """Note that a check reported on ``anchor`` cannot run because of ``blocking``."""
        entries = self.undecided.setdefault(blocking, [])
        if (check, anchor) not in entries:
            entries.append((check, anchor))
