"""Findings and the report every door receives from the engine.

A :class:`Finding` is one problem (or notice) with its rule id, severity,
the cell it is reported on, every cell involved, expected vs actual and a
Chinese message. A :class:`Report` collects them with the values the engine
computed (totals filled into blank cells, deduced inputs) and per-rule
outcome counts (passed / failed / undecided).

The JSON shape produced by :meth:`Finding.to_dict` and :meth:`Report.to_dict`
is documented in docs/findings.md and is stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_TEXT = {ERROR: "错误", WARNING: "提示", INFO: "说明"}

FAILED = "failed"
UNDECIDED = "undecided"
NOTICE = "notice"


@dataclass(frozen=True)
class CellRef:
    """A cell named by a finding."""

    key: str | None
    sheet: str | None
    cell: str | None
    label: str
    value: object = None
    role: str = "part"
    """total | part | culprit | blocking | cell | candidate."""

    def to_dict(self) -> dict:
        """JSON form."""
        return {
            "key": self.key,
            "sheet": self.sheet,
            "cell": self.cell,
            "label": self.label,
            "value": self.value,
            "role": self.role,
        }


@dataclass(frozen=True)
class Finding:
    """One result of a rule: a failure, an undecided check, or a notice."""

    rule: str
    severity: str
    message: str
    status: str = FAILED
    table: str | None = None
    key: str | None = None
    """Cell key of the cell the finding is reported on."""
    sheet: str | None = None
    cell: str | None = None
    """A1 address of that cell on :attr:`sheet`."""
    cells: tuple[CellRef, ...] = ()
    expected: object = None
    actual: object = None
    suggestion: object = None
    """The value to type: only on culprits and recognised text."""
    check: str | None = None
    """Identity or check name from FORMS.md (I1…I4, P1…P11, X1…X5)."""
    alternatives: tuple[tuple[dict, ...], ...] = ()
    """For an ambiguous localisation: each option is a tuple of {key, sheet, cell, suggestion}."""
    id: str | None = None
    """Number of the finding in its report (``F1``, ``F2`` … in report order), set by :mod:`server.stories`."""
    name: str = ""
    """The rule's Chinese name (what clerks read instead of the rule id)."""
    explained_by: str | None = None
    """Id of the mistake (a culprit or an ambiguity) this finding is a consequence of; None when it stands alone."""
    explains: tuple[str, ...] = ()
    """On a mistake: ids of the findings it explains (its consequences)."""

    def to_dict(self) -> dict:
        """JSON form (the documented shape)."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "status": self.status,
            "check": self.check,
            "table": self.table,
            "sheet": self.sheet,
            "cell": self.cell,
            "key": self.key,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "suggestion": self.suggestion,
            "cells": [ref.to_dict() for ref in self.cells],
            "alternatives": [list(option) for option in self.alternatives],
            "id": self.id,
            "name": self.name,
            "explained_by": self.explained_by,
            "explains": list(self.explains),
        }

    @property
    def explained(self) -> bool:
        """True when a mistake elsewhere explains this finding (it is shown under that mistake)."""
        return self.explained_by is not None

    def flat(self) -> tuple:
        """(rule, key, severity): what tests and door comparisons assert on."""
        return (self.rule, self.key, self.severity)


def replaced(item: Finding | CellRef, **changes) -> Finding | CellRef:
    """``dataclasses.replace`` for a finding or a cell reference, without going through ``__init__``:
    the field values are copied as they are (both classes are frozen, without ``__post_init__``)."""
    unknown = changes.keys() - _FIELDS[type(item)]
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {sorted(unknown)}")
    new = object.__new__(type(item))
    new.__dict__.update(item.__dict__)
    new.__dict__.update(changes)
    return new


_FIELDS = {kind: frozenset(f.name for f in fields(kind)) for kind in (Finding, CellRef)}


@dataclass
class Outcome:
    """How often a rule passed, failed or could not decide."""

    passed: int = 0
    failed: int = 0
    undecided: int = 0

    def to_dict(self) -> dict:
        """JSON form."""
        return {"passed": self.passed, "failed": self.failed, "undecided": self.undecided}


@dataclass
class Report:
    """Everything the engine says about one workbook."""

    version: str
    year: int | None = None
    unit: str | None = None
    findings: list[Finding] = field(default_factory=list)
    values: dict[str, int | float | None] = field(default_factory=dict)
    """Cell key -> the number used (typed, filled or deduced; None if unreadable)."""
    filled: dict[str, int | float] = field(default_factory=dict)
    """Cell key -> value to write into a blank cell (computed totals, deduced inputs)."""
    cleared: list[str] = field(default_factory=list)
    """Cell keys holding an earlier automatic fill that must be emptied again."""
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    truncated: int = 0
    """How many findings were left out because of the cap."""

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity that stand on their own: errors count mistakes, not symptoms.

        A finding explained by a mistake (``explained_by``) is not counted: one typo that
        breaks three sums is one error.
        """
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            if not finding.explained:
                counts[finding.severity] += 1
        return counts

    @property
    def explained(self) -> int:
        """How many findings are consequences of a mistake (not counted in :attr:`counts`)."""
        return sum(1 for finding in self.findings if finding.explained)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and notices allowed)."""
        return not any(f.severity == ERROR for f in self.findings)

    def summary(self) -> str:
        """One Chinese line: 校验通过 / N 处错误、M 处提示."""
        counts = self.counts
        if counts[ERROR] == 0 and counts[WARNING] == 0:
            return "校验通过"
        parts = []
        if counts[ERROR]:
            parts.append(f"{counts[ERROR]} 处错误")
        if counts[WARNING]:
            parts.append(f"{counts[WARNING]} 处提示")
        head = "校验未通过" if counts[ERROR] else "校验通过（有提示）"
        return f"{head}：{'、'.join(parts)}"

    def heading(self) -> str:
        """Whose report this is, as a clerk reads it: ``某某局 · 2025 年度 · 2021 年版格式``."""
        form = f"{self.version} 年版格式"
        if not self.unit and not self.year:
            return f"未填写填报单位和报告年度 · {form}"
        unit = self.unit or "未填写填报单位"
        year = f"{self.year} 年度" if self.year else "未填写报告年度"
        return f"{unit} · {year} · {form}"

    def outcome(self, rule: str) -> Outcome:
        """The outcome counter of a rule (created on first use)."""
        found = self.outcomes.get(rule)
        if found is None:
            found = self.outcomes[rule] = Outcome()
        return found

    def flat(self) -> list[tuple]:
        """Sorted (rule, key, severity) tuples of every finding."""
        return sorted(f.flat() for f in self.findings)

    def to_dict(self) -> dict:
        """JSON form (the documented shape)."""
        return {
            "ok": self.ok,
            "version": self.version,
            "year": self.year,
            "unit": self.unit,
            "summary": self.summary(),
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
            "filled": dict(self.filled),
            "cleared": list(self.cleared),
            "values": dict(self.values),
            "outcomes": {rule: o.to_dict() for rule, o in sorted(self.outcomes.items())},
            "truncated": self.truncated,
            "heading": self.heading(),
            "explained": self.explained,
        }
